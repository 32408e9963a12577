import type { Logger } from 'pino';
import type { Db, Queryable } from '../db/types.ts';
import { type FinishedTask, type FinishItem, finishTasks } from './sql/finish-tasks.ts';

/** Runs inside the transaction that commits terminal states: the outbox rows are written here. */
export type OnFinished = (tx: Queryable, tasks: FinishedTask[]) => Promise<void>;

/**
 * Commits the outcomes that finished in the same event-loop turn with one transaction (one UPDATE over an
 * array of ids), the way the fast Postgres queues do. Each caller learns whether its outcome was committed
 * (false: the lease was lost and another attempt owns the task).
 */
export function createCompletionBatcher(opts: {
  db: Db;
  owner: string;
  onFinished: OnFinished;
  log: Logger;
}) {
  let pending: Array<{ item: FinishItem; resolve: (ok: boolean) => void; reject: (e: unknown) => void }> = [];
  let scheduled = false;
  let flushing: Promise<void> = Promise.resolve();

  async function flush() {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      const finished = await opts.db.transaction(async (tx) => {
        const done = await finishTasks(
          tx,
          batch.map((b) => b.item),
          { leaseOwner: opts.owner },
        );
        if (done.length > 0) await opts.onFinished(tx, done);
        return done;
      });
      const ok = new Set(finished.map((f) => f.id));
      for (const b of batch) b.resolve(ok.has(b.item.id));
    } catch (err) {
      opts.log.error({ err, count: batch.length }, 'committing task outcomes failed');
      for (const b of batch) b.reject(err);
    }
  }

  return {
    commit(item: FinishItem): Promise<boolean> {
      return new Promise((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          // Chain after the previous flush so a batch never races the one before it.
          flushing = flushing.then(() => new Promise<void>((r) => setImmediate(() => void flush().then(r))));
        }
      });
    },
    async drain() {
      await flushing;
    },
  };
}
