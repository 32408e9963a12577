/**
 * Bounds on what an archive may expand to: entry count, total expanded bytes, and the ratio of expanded
 * bytes to the archive's size (past a grace amount). Declared sizes are checked first (cheap refusal of an
 * honest bomb); actual bytes are counted while streaming, because headers can lie.
 */
import type { ArchiveEntry } from './entry.ts';
import { ArchiveErrors } from './errors.ts';

export interface ExpansionLimits {
  maxEntries: number;
  maxTotalBytes: number;
  maxRatio: number;
  ratioGraceBytes: number;
}

export class ExpansionGuard {
  private expanded = 0;

  constructor(
    private readonly limits: ExpansionLimits,
    private readonly archiveSize: number,
  ) {}

  get expandedBytes(): number {
    return this.expanded;
  }

  checkCount(count: number): void {
    if (count > this.limits.maxEntries) {
      throw ArchiveErrors.limit(
        `The archive holds ${count} entries; at most ${this.limits.maxEntries} are allowed.`,
      );
    }
  }

  /** Refuses before any byte is written when the archive's own sizes already break a limit. */
  checkDeclared(entries: ArchiveEntry[]): void {
    this.checkCount(entries.length);
    let total = 0;
    for (const e of entries) if (e.kind === 'file') total += e.size;
    this.check(total, 'declares');
  }

  /** Counts bytes actually produced; throws when a limit is passed. */
  add(bytes: number): void {
    this.expanded += bytes;
    this.check(this.expanded, 'expands to');
  }

  private check(total: number, verb: string): void {
    if (total > this.limits.maxTotalBytes) {
      throw ArchiveErrors.limit(
        `The archive ${verb} more than ${this.limits.maxTotalBytes} bytes, the limit of expanded data.`,
      );
    }
    if (total > this.limits.ratioGraceBytes && total > this.limits.maxRatio * Math.max(this.archiveSize, 1)) {
      throw ArchiveErrors.limit(
        `The archive ${verb} more than ${this.limits.maxRatio} times its own size (${this.archiveSize} bytes): refused as a likely zip bomb.`,
      );
    }
  }
}
