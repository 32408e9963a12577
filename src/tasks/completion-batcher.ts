import type { Logger } from 'pino';
import type { Db, Queryable } from '../db/types.ts';
import { type FinishedTask, type FinishItem, finishTasks } from './sql/finish-tasks.ts';

/** Runs inside the transaction that commits terminal states: the outbox rows are written here. */
export type OnFinished = (tx: Queryable, tasks: FinishedTask[]) => Promise<void>;

/** Batches committing at once: one commits while the next is built and sent (their tasks never overlap). */
const MAX_IN_FLIGHT = 2;

interface Pending {
  item: FinishItem;
  resolve: (ok: boolean) => void;
  reject: (e: unknown) => void;
}

/**
 * Commits the outcomes that finished in the same event-loop turn with one transaction (one UPDATE over an
 * array of ids), the way the fast Postgres queues do. Each caller learns whether its outcome was committed
 * (false: the lease was lost and another attempt owns the task). Up to two batches are in flight, so the
 * worker never waits for one commit before sending the next; each task is in exactly one batch, so they
 * touch disjoint rows.
 */
export function createCompletionBatcher(opts: {
  db: Db;
  owner: string;
  onFinished: OnFinished;
  log: Logger;
}) {
  let pending: Pending[] = [];
  /** Leases whose every task has been dealt with: deleted by the next batch. */
  let retiring: string[] = [];
  let scheduled = false;
  let inFlight = 0;
  const idle: Array<() => void> = [];

  function schedule() {
    if (scheduled || inFlight >= MAX_IN_FLIGHT || (pending.length === 0 && retiring.length === 0)) return;
    scheduled = true;
    setImmediate(flush);
  }

  function flush() {
    scheduled = false;
    const batch = pending;
    const retire = retiring;
    pending = [];
    retiring = [];
    if (batch.length === 0 && retire.length === 0) return;
    inFlight++;
    void commitBatch(batch, retire).finally(() => {
      inFlight--;
      schedule();
      if (inFlight === 0 && pending.length === 0 && retiring.length === 0)
        for (const wake of idle.splice(0)) wake();
    });
  }

  async function commitBatch(batch: Pending[], retire: string[]) {
    const guard = { kind: 'lease' as const, owner: opts.owner, retire };
    try {
      if (batch.length === 0) {
        await finishTasks(opts.db, [], guard);
        return;
      }
      const items = batch.map((b) => b.item);
      const finished = await opts.db.transaction(async (tx) => {
        const done = await finishTasks(tx, items, guard);
        if (done.length > 0) await opts.onFinished(tx, done);
        return done;
      });
      const ok = new Set<string>();
      for (const f of finished) ok.add(f.id);
      for (const b of batch) b.resolve(ok.has(b.item.id));
    } catch (err) {
      // Leases not retired expire, and the reaper deletes them (their tasks have all ended or gone back).
      opts.log.error({ err, count: batch.length }, 'committing task outcomes failed');
      for (const b of batch) b.reject(err);
    }
  }

  return {
    commit(item: FinishItem): Promise<boolean> {
      return new Promise((resolve, reject) => {
        pending.push({ item, resolve, reject });
        schedule();
      });
    },
    /** Deletes a lease of this worker whose every task has been dealt with, with the next batch. */
    retire(leaseId: string): void {
      retiring.push(leaseId);
      schedule();
    },
    /** Resolves once every outcome handed in so far is committed (or has failed). */
    drain(): Promise<void> {
      if (inFlight === 0 && pending.length === 0 && retiring.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
