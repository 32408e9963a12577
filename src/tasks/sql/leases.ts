import type { Queryable } from '../../db/types.ts';

export const TASK_CANCEL_CHANNEL = 'openimm_task_cancel';

// The live lease, the attempt count and the first start of a task that waits or runs are its task_queue row's
// (0006_claim_in_queue_row.sql): these statements write no tasks row. A statement that locks both rows of a
// task locks the queue row first (0005_task_queue.sql).

/**
 * Extends the leases `owner` still holds. Returns the ids still held, with a cancel request when one was made;
 * an id missing from the answer has been lost (reaped, cancelled while queued, or purged) and must stop.
 */
export async function renewLeases(
  db: Queryable,
  opts: { owner: string; ids: string[]; leaseSeconds: number },
): Promise<Array<{ id: string; cancel_requested_by: string | null }>> {
  if (opts.ids.length === 0) return [];
  const r = await db.query<{ id: string; cancel_requested_by: string | null }>(
    `WITH q AS (
       UPDATE task_queue SET lease_expires_at = now() + make_interval(secs => $3)
       WHERE task_id = ANY($1::text[]) AND lease_owner = $2 AND state = 'running'
       RETURNING task_id
     )
     SELECT t.id, t.cancel_requested_by FROM q JOIN tasks t ON t.id = q.task_id`,
    [opts.ids, opts.owner, opts.leaseSeconds],
  );
  return r.rows;
}

/** Puts tasks whose lease expired back in the queue while they have attempts left. */
export async function requeueExpired(db: Queryable, opts: { retryDelaySeconds: number }): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `WITH expired AS (
       SELECT q.task_id FROM task_queue q JOIN tasks t ON t.id = q.task_id
       WHERE q.state = 'running' AND q.lease_expires_at < now() AND q.attempts < t.max_attempts
         AND t.cancel_requested_by IS NULL
       LIMIT 500 FOR UPDATE OF q SKIP LOCKED
     )
     UPDATE task_queue q SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL,
       run_after = now() + make_interval(secs => $1)
     FROM expired WHERE q.task_id = expired.task_id AND q.state = 'running'
     RETURNING q.task_id AS id`,
    [opts.retryDelaySeconds],
  );
  return r.rows.map((row) => row.id);
}

/** Expired leases with no attempts left (or cancelled): these end Failed through finishTasks. */
export async function lockExhaustedExpired(
  tx: Queryable,
): Promise<Array<{ id: string; cancel_requested_by: string | null }>> {
  const r = await tx.query<{ id: string; cancel_requested_by: string | null }>(
    `SELECT q.task_id AS id, t.cancel_requested_by FROM task_queue q JOIN tasks t ON t.id = q.task_id
     WHERE q.state = 'running' AND q.lease_expires_at < now()
       AND (q.attempts >= t.max_attempts OR t.cancel_requested_by IS NOT NULL)
     LIMIT 500 FOR UPDATE OF q SKIP LOCKED`,
  );
  return r.rows;
}

/** Hands a task back to the queue (transient failure or shutdown), when it is still ours. */
export async function releaseTask(
  db: Queryable,
  opts: { id: string; owner: string; delaySeconds: number; refundAttempt: boolean },
): Promise<boolean> {
  const r = await db.query(
    `UPDATE task_queue SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL,
       run_after = now() + make_interval(secs => $3),
       attempts = CASE WHEN $4 THEN greatest(attempts - 1, 0) ELSE attempts END
     WHERE task_id = $1 AND lease_owner = $2 AND state = 'running'`,
    [opts.id, opts.owner, opts.delaySeconds, opts.refundAttempt],
  );
  return r.affectedRows > 0;
}

/** Writes a running task's progress while `owner` holds its lease (the queue row says so). */
export async function updateProgress(db: Queryable, opts: { id: string; owner: string; progress: number }) {
  await db.query(
    `UPDATE tasks t SET progress = $3
     WHERE t.id = $1 AND t.state NOT IN ('succeeded', 'failed')
       AND EXISTS (SELECT 1 FROM task_queue q WHERE q.task_id = $1 AND q.lease_owner = $2 AND q.state = 'running')`,
    [opts.id, opts.owner, Math.max(0, Math.min(99, Math.round(opts.progress)))],
  );
}
