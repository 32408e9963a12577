import type { Logger } from 'pino';
import type { Db } from '../db/types.ts';
import type { OnFinished } from './completion-batcher.ts';
import { type FinishItem, finishTasks } from './sql/finish-tasks.ts';
import { TASK_READY_CHANNEL } from './sql/insert-task.ts';
import { deleteLeases, lockExpiredLeases, type OrphanedTask, requeueTasks } from './sql/leases.ts';

/**
 * Tasks whose worker vanished (killed, machine gone): their lease expires, and they go back to the queue with
 * their attempt counted; with no attempts left (or a pending cancel) they end Failed, with their notification.
 * The expired leases are deleted in the same transaction. Safe with many processes reaping at once.
 */
export async function reapExpiredLeases(
  db: Db,
  opts: { onFinished: OnFinished; log: Logger },
): Promise<void> {
  const outcome = await db.transaction(async (tx) => {
    const { leaseIds, orphans } = await lockExpiredLeases(tx);
    if (leaseIds.length === 0) return { requeued: 0, failed: 0 };
    const retry: OrphanedTask[] = [];
    const ending: FinishItem[] = [];
    const now = new Date();
    for (const t of orphans) {
      if (t.attempts < t.max_attempts && !t.cancel_requested_by) retry.push(t);
      else ending.push(endItem(t, now));
    }
    await requeueTasks(tx, retry, 0);
    const finished = await finishTasks(tx, ending, { kind: 'reaped' });
    if (finished.length > 0) await opts.onFinished(tx, finished);
    await deleteLeases(tx, leaseIds);
    if (retry.length > 0) await tx.query('SELECT pg_notify($1, $2)', [TASK_READY_CHANNEL, 'requeued']);
    return { requeued: retry.length, failed: finished.length };
  });
  if (outcome.requeued > 0) opts.log.warn({ count: outcome.requeued }, 'requeued tasks whose lease expired');
  if (outcome.failed > 0)
    opts.log.warn({ count: outcome.failed }, 'failed tasks whose last attempt lost its worker');
}

function endItem(t: OrphanedTask, now: Date): FinishItem {
  const run = { leaseId: '0', attempts: t.attempts, startedMs: t.started_ms };
  return t.cancel_requested_by
    ? {
        id: t.id,
        state: 'failed',
        code: 'TaskCancelled',
        message: `The task was cancelled by ${t.cancel_requested_by}.`,
        endedAt: now,
        content: null,
        run,
      }
    : {
        id: t.id,
        state: 'failed',
        code: 'InternalError',
        message: 'The task was interrupted on every attempt (worker lost); no attempts are left.',
        endedAt: now,
        content: null,
        run,
      };
}
