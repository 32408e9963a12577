import type { Logger } from 'pino';
import type { Db } from '../db/types.ts';
import type { OnFinished } from './completion-batcher.ts';
import { finishTasks } from './sql/finish-tasks.ts';
import { lockExhaustedExpired, requeueExpired } from './sql/leases.ts';

/**
 * Tasks whose worker vanished (killed, machine gone): their lease expires, and they go back to the queue with
 * their attempt counted; with no attempts left (or a pending cancel) they end Failed, with their notification.
 */
export async function reapExpiredLeases(
  db: Db,
  opts: { onFinished: OnFinished; log: Logger },
): Promise<void> {
  const requeued = await requeueExpired(db, { retryDelaySeconds: 0 });
  if (requeued.length > 0) {
    opts.log.warn({ count: requeued.length }, 'requeued tasks whose lease expired');
    await db.query("SELECT pg_notify('openimm_task_ready', 'requeued')");
  }
  await db.transaction(async (tx) => {
    const exhausted = await lockExhaustedExpired(tx);
    if (exhausted.length === 0) return;
    const now = new Date();
    const finished = await finishTasks(
      tx,
      exhausted.map((t) =>
        t.cancel_requested_by
          ? {
              id: t.id,
              state: 'failed' as const,
              code: 'TaskCancelled',
              message: `The task was cancelled by ${t.cancel_requested_by}.`,
              endedAt: now,
              content: null,
            }
          : {
              id: t.id,
              state: 'failed' as const,
              code: 'InternalError',
              message: 'The task was interrupted on every attempt (worker lost); no attempts are left.',
              endedAt: now,
              content: null,
            },
      ),
      { fromStates: ['running'] },
    );
    if (finished.length > 0) await opts.onFinished(tx, finished);
    opts.log.warn({ count: finished.length }, 'failed tasks whose last attempt lost its worker');
  });
}
