/**
 * Expands packing rules into the list of archive entries: one HEAD per `fullname` rule (batched, in
 * parallel), one listing per `prefix` rule. The limits of spec 9.1 (80,000 files, 200 GB before packing) are enforced while the list
 * grows, so a rule matching millions of objects stops at the limit instead of filling memory.
 */
import type { ScopedStorage } from '../../storage/scoped-storage.ts';
import { TaskErrors } from '../task-error.ts';
import type { ProcessorLimits } from '../types.ts';
import { archivePath } from './alias.ts';
import type { SourceRule } from './rules.ts';

export interface PlannedEntry {
  /** Source object; empty for a folder entry. */
  uri: string;
  /** Path in the archive; folders end with `/`. */
  path: string;
  size: number;
  mtime: Date;
}

export interface Plan {
  entries: PlannedEntry[];
  totalBytes: number;
}

export interface PlanOptions {
  storage: ScopedStorage;
  limits: Pick<ProcessorLimits, 'archiveMaxEntries' | 'archiveMaxTotalBytes'>;
  signal: AbortSignal;
}

class PlanBuilder {
  readonly entries: PlannedEntry[] = [];
  totalBytes = 0;
  private readonly fileSources = new Map<string, string>();
  private readonly dirs = new Set<string>();

  constructor(private readonly limits: PlanOptions['limits']) {}

  add(rule: SourceRule, key: string, uri: string, size: number, mtime: Date): void {
    const path = archivePath(rule, key);
    if (path === '') return;
    if (path.endsWith('/')) {
      const dir = path.slice(0, -1);
      if (this.fileSources.has(dir)) throw clash(path, uri, this.fileSources.get(dir)!);
      if (this.dirs.has(dir)) return;
      this.dirs.add(dir);
      this.push({ uri: '', path, size: 0, mtime });
      return;
    }
    const previous = this.fileSources.get(path);
    if (previous !== undefined) {
      throw TaskErrors.invalidArgument(
        `Two sources are packed as "${path}": ${previous} and ${uri}. Use Alias to rename one.`,
      );
    }
    if (this.dirs.has(path)) throw clash(path, uri, 'a folder');
    this.fileSources.set(path, uri);
    this.totalBytes += size;
    if (this.totalBytes > this.limits.archiveMaxTotalBytes) {
      throw TaskErrors.limitExceeded(
        `The sources hold more than ${this.limits.archiveMaxTotalBytes} bytes, the limit of one archive.`,
      );
    }
    this.push({ uri, path, size, mtime });
  }

  private push(entry: PlannedEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.limits.archiveMaxEntries) {
      throw TaskErrors.limitExceeded(`The sources hold more than ${this.limits.archiveMaxEntries} files.`);
    }
  }
}

function clash(path: string, uri: string, other: string) {
  return TaskErrors.invalidArgument(
    `"${path}" would be both a file and a folder in the archive (${uri}, ${other}).`,
  );
}

/** HEADs of consecutive `fullname` rules run this many at a time (each is a round trip to the store). */
const HEAD_BATCH = 32;

/** Lists every object the rules match, in rule order, then key order within a prefix. */
export async function planEntries(rules: AsyncIterable<SourceRule>, opts: PlanOptions): Promise<Plan> {
  const builder = new PlanBuilder(opts.limits);
  let batch: SourceRule[] = [];
  const flush = async () => {
    const infos = await Promise.all(batch.map((rule) => opts.storage.head(rule.uri)));
    batch.forEach((rule, i) => {
      const info = infos[i];
      if (!info) throw TaskErrors.fileNotExist(rule.uri);
      builder.add(rule, rule.key, rule.uri, info.size, info.lastModified);
    });
    batch = [];
  };
  for await (const rule of rules) {
    opts.signal.throwIfAborted();
    if (rule.mode === 'fullname') {
      batch.push(rule);
      if (batch.length >= HEAD_BATCH) await flush();
      continue;
    }
    await flush();
    let matched = 0;
    for await (const obj of opts.storage.list(rule.uri, { signal: opts.signal })) {
      matched++;
      builder.add(rule, obj.key, obj.uri, obj.size, obj.lastModified);
    }
    if (matched === 0) throw TaskErrors.fileNotExist(rule.uri);
  }
  await flush();
  return { entries: builder.entries, totalBytes: builder.totalBytes };
}
