import type { Queryable } from '../../db/types.ts';
import type { OnFinished } from '../completion-batcher.ts';
import { finishTasks } from './finish-tasks.ts';
import { TASK_CANCEL_CHANNEL } from './leases.ts';

export type CancelResult = 'cancelled' | 'cancelling' | 'already-finished' | 'not-found';

/**
 * Cancels a task. A queued task ends Failed (TaskCancelled) in this transaction, with its notification; a running
 * one is flagged and its worker told at once (NOTIFY), which aborts the processor and commits the same outcome.
 */
export async function cancelTask(
  tx: Queryable,
  opts: { taskId: string; accountId: string; projectName: string; by: string; onFinished: OnFinished },
): Promise<CancelResult> {
  // The queue row is locked before the task's, as every statement of the engine does (no deadlock with a
  // claim). An unfinished task with a queue row waits; one without runs, under a lease
  // (0011_claim_takes_queue_row.sql).
  const q = await tx.query('SELECT 1 FROM task_queue WHERE task_id = $1 FOR UPDATE', [opts.taskId]);
  const r = await tx.query<{ state: string }>(
    'SELECT state FROM tasks WHERE id = $1 AND account_id = $2 AND project_name = $3 FOR UPDATE',
    [opts.taskId, opts.accountId, opts.projectName],
  );
  const state = r.rows[0]?.state;
  if (!state) return 'not-found';
  if (state === 'succeeded' || state === 'failed') return 'already-finished';
  if (q.rows.length > 0) {
    const finished = await finishTasks(
      tx,
      [
        {
          id: opts.taskId,
          state: 'failed',
          code: 'TaskCancelled',
          message: `The task was cancelled by ${opts.by}.`,
          endedAt: new Date(),
          content: null,
        },
      ],
      { kind: 'queued' },
    );
    await opts.onFinished(tx, finished);
    return 'cancelled';
  }
  await tx.query('UPDATE tasks SET cancel_requested_by = $2 WHERE id = $1', [opts.taskId, opts.by]);
  await tx.query('SELECT pg_notify($1, $2)', [TASK_CANCEL_CHANNEL, `${opts.taskId}|${opts.by}`]);
  return 'cancelling';
}
