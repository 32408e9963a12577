/**
 * The fs backend's share of a `WriteBatch`: writes land in temp files without an fsync each; groups of
 * them are then published in the background (every temp file fsynced, several at once so the journal
 * commits them together, then renamed into place), and `flush()` fsyncs each folder that gained an entry
 * once. An object is renamed into place only after its bytes are durable, so it never appears
 * half-written, even after a crash; its name is durable once `flush()` resolves. A writer may hand over its
 * still open file handle (up to `maxHandles` at once): the fsync then needs no open and close of its own.
 */
import { type FileHandle, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { BatchPart } from '../write-batch.ts';
import { renameFailure } from './move-into-place.ts';
import { writeWorker } from './write-worker-client.ts';

export interface PendingObject {
  tmp: string;
  target: string;
  key: string;
  size: number;
  /** The writer's handle of `tmp`, left open for the fsync; the batch closes it. */
  fh?: FileHandle;
  /** Or the descriptor of `tmp` held by the writer thread (`write-worker.ts`), which syncs and closes it. */
  fd?: number;
}

export interface FsBatchOptions {
  /** A group is published once this many objects are waiting… */
  groupObjects?: number;
  /** …or this many bytes… */
  groupBytes?: number;
  /** …or the first of them has waited this long. */
  groupDelayMs?: number;
  /** Groups being published at once before writers wait (bounds the unsynced bytes). */
  maxGroupsInFlight?: number;
  /** fsyncs at once (each holds a libuv pool thread). */
  syncParallel?: number;
  /** Writers' file handles held open at once, at most (each is a descriptor until its group is synced). */
  maxHandles?: number;
}

const DEFAULTS: Required<FsBatchOptions> = {
  groupObjects: 64,
  groupBytes: 64 * 1024 * 1024,
  groupDelayMs: 500,
  maxGroupsInFlight: 2,
  syncParallel: 8,
  maxHandles: 256,
};

export class FsBatchPart implements BatchPart {
  readonly #opts: Required<FsBatchOptions>;
  #pending: PendingObject[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #groups = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;
  /** Folders that gained an entry (and their parents up to the root), fsynced once on flush. */
  readonly #dirs = new Set<string>();
  #handles = 0;

  constructor(
    private readonly root: string,
    /** Renames a durable temp file over its key (creating folders). */
    private readonly move: (tmp: string, target: string, key: string) => Promise<void>,
    opts: FsBatchOptions = {},
  ) {
    this.#opts = { ...DEFAULTS, ...opts };
  }

  /** Whether a writer may hand over its open handle with the next `add` (else it closes it first). */
  takesHandle(): boolean {
    return this.#handles < this.#opts.maxHandles;
  }

  /** Takes a complete temp file (closed, or open in `fh`); waits when too many groups are being published. */
  async add(item: PendingObject): Promise<void> {
    if (item.fh || item.fd !== undefined) this.#handles++;
    if (this.#failure) {
      await this.#remove(item);
      throw this.#failure.error;
    }
    this.#pending.push(item);
    this.#pendingBytes += item.size;
    if (this.#pending.length >= this.#opts.groupObjects || this.#pendingBytes >= this.#opts.groupBytes) {
      this.#startGroup();
    } else {
      this.#timer ??= setTimeout(() => this.#startGroup(), this.#opts.groupDelayMs).unref();
    }
    while (this.#groups.size > this.#opts.maxGroupsInFlight) await Promise.race(this.#groups);
  }

  async flush(): Promise<void> {
    this.#startGroup();
    while (this.#groups.size > 0) await Promise.all(this.#groups);
    const dirs = [...this.#dirs];
    this.#dirs.clear();
    // Published names are made durable even when a group failed: those objects stay.
    await eachLimited(dirs, this.#opts.syncParallel, syncDir);
    if (this.#failure) throw this.#failure.error;
  }

  async discard(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const dropped = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    await Promise.all(dropped.map((p) => this.#remove(p)));
    await Promise.allSettled([...this.#groups]);
  }

  #startGroup(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const items = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    const group: Promise<void> = this.#publish(items)
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => this.#groups.delete(group));
    this.#groups.add(group);
  }

  /**
   * Every item fsynced, then renamed into place. The writer thread's items go to it in one message (it
   * syncs them as many at once, then renames them); the others are synced here, 8 at once (parallel fsyncs
   * share journal commits), then renamed. On a failure the items not yet in place are removed.
   */
  async #publish(items: PendingObject[]): Promise<void> {
    const placed = new Set<PendingObject>();
    const held = items.filter((item) => item.fd !== undefined);
    const own = items.filter((item) => item.fd === undefined);
    try {
      await settleAll([this.#publishHeld(held, placed), this.#publishOwn(own, placed)]);
    } catch (err) {
      await Promise.all(items.filter((item) => !placed.has(item)).map((item) => this.#remove(item)));
      throw err;
    }
  }

  async #publishOwn(items: PendingObject[], placed: Set<PendingObject>): Promise<void> {
    await eachLimited(items, this.#opts.syncParallel, (item) => this.#sync(item));
    for (const item of items) {
      await this.move(item.tmp, item.target, item.key);
      this.#placed(item, placed);
    }
  }

  /** The writer thread's items: it fsyncs and closes their descriptors, then renames them in order. */
  async #publishHeld(items: PendingObject[], placed: Set<PendingObject>): Promise<void> {
    if (items.length === 0) return;
    const fds = items.map((item) => item.fd!);
    for (const item of items) item.fd = undefined;
    this.#handles -= items.length;
    try {
      await writeWorker().publish(
        fds,
        items.map((item) => [item.tmp, item.target]),
        this.#opts.syncParallel,
      );
    } catch (err) {
      const renamed = (err as { renamed?: number }).renamed ?? 0;
      for (const item of items.slice(0, renamed)) this.#placed(item, placed);
      const failed = items[renamed];
      throw failed && (err as { syscall?: string }).syscall === 'rename'
        ? renameFailure(err, failed.key)
        : err;
    }
    for (const item of items) this.#placed(item, placed);
  }

  #placed(item: PendingObject, placed: Set<PendingObject>): void {
    placed.add(item);
    this.#noteDirs(path.dirname(item.target));
  }

  async #sync(item: PendingObject): Promise<void> {
    if (!item.fh) return syncFile(item.tmp);
    try {
      await item.fh.sync();
    } finally {
      await this.#close(item);
    }
  }

  async #close(item: PendingObject): Promise<void> {
    if (item.fd !== undefined) {
      const fd = item.fd;
      item.fd = undefined;
      this.#handles--;
      await writeWorker()
        .close([fd])
        .catch(() => {});
      return;
    }
    const fh = item.fh;
    if (!fh) return;
    item.fh = undefined;
    this.#handles--;
    await fh.close().catch(() => {});
  }

  async #remove(item: PendingObject): Promise<void> {
    await this.#close(item);
    await removeQuietly(item.tmp);
  }

  #noteDirs(dir: string): void {
    let current = dir;
    while (!this.#dirs.has(current)) {
      this.#dirs.add(current);
      if (current === this.root || !current.startsWith(this.root + path.sep)) return;
      current = path.dirname(current);
    }
  }
}

async function syncFile(file: string): Promise<void> {
  // fsync acts on the file, whatever descriptor asks: the writer's handle is long closed.
  const fh = await open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close().catch(() => {});
  }
}

async function syncDir(dir: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(dir, 'r');
  } catch {
    return; // pruned by a concurrent delete: nothing of this batch is left in it
  }
  try {
    await fh.sync();
  } finally {
    await fh.close().catch(() => {});
  }
}

async function removeQuietly(file: string): Promise<void> {
  await unlink(file).catch(() => {});
}

/** Waits for every promise; then throws the first failure. */
async function settleAll(promises: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Runs `fn` over `items`, at most `limit` at once; the first failure is thrown once all have settled. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const run = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  if (failure) throw failure.error;
}
