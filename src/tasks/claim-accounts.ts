import type { ServerConfig } from '../config/config.ts';
import type { WorkClass } from '../processors/types.ts';

const WORK_CLASSES: WorkClass[] = ['light', 'archive', 'image', 'office', 'media'];

/**
 * A claim asks for at most this share of the concurrency, so that the next claim can go out as soon as one
 * returns, while its tasks start: the database claims while this process runs tasks.
 */
const CLAIM_SHARE = 2;

/** One claim: at most `free` tasks of each class, at most `limit` in all. */
export interface ClaimRound {
  classes: Array<{ workClass: WorkClass; free: number }>;
  limit: number;
}

/**
 * The slots that a claim in flight may fill. A claim reserves what it asks for (per class and in all) until it
 * returns, so that claims can never take more tasks than the worker's caps allow.
 */
export class ClaimAccounts {
  #reserved = 0;
  readonly #reservedPerClass = new Map<WorkClass, number>();
  readonly #cfg: Pick<ServerConfig['worker'], 'concurrency' | 'classConcurrency'>;

  constructor(cfg: Pick<ServerConfig['worker'], 'concurrency' | 'classConcurrency'>) {
    this.#cfg = cfg;
  }

  /**
   * The next claim for the free slots, or undefined when there are none. Each claim asks for at most half the
   * concurrency: the other half is for the next claim, sent while this one's tasks start.
   */
  reserve(busy: number, perClass: ReadonlyMap<string, number>): ClaimRound | undefined {
    const cfg = this.#cfg;
    const share = Math.ceil(cfg.concurrency / CLAIM_SHARE);
    const limit = Math.min(share, cfg.concurrency - busy - this.#reserved);
    if (limit <= 0) return undefined;
    const classes: ClaimRound['classes'] = [];
    for (const cls of WORK_CLASSES) {
      const taken = (perClass.get(cls) ?? 0) + (this.#reservedPerClass.get(cls) ?? 0);
      const free = Math.min(limit, cfg.classConcurrency[cls] - taken);
      if (free > 0) classes.push({ workClass: cls, free });
    }
    if (classes.length === 0) return undefined;
    this.#reserved += limit;
    for (const c of classes) {
      this.#reservedPerClass.set(c.workClass, (this.#reservedPerClass.get(c.workClass) ?? 0) + c.free);
    }
    return { classes, limit };
  }

  /** The claim returned: its tasks now count as busy (by the caller), its reservation ends. */
  release(round: ClaimRound): void {
    this.#reserved -= round.limit;
    for (const c of round.classes) {
      this.#reservedPerClass.set(c.workClass, (this.#reservedPerClass.get(c.workClass) ?? 0) - c.free);
    }
  }
}
