import type { Queryable } from '../../db/types.ts';

export const TASK_CANCEL_CHANNEL = 'openimm_task_cancel';

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
    `UPDATE tasks SET lease_expires_at = now() + make_interval(secs => $3)
     WHERE id = ANY($1::text[]) AND lease_owner = $2 AND state = 'running'
     RETURNING id, cancel_requested_by`,
    [opts.ids, opts.owner, opts.leaseSeconds],
  );
  return r.rows;
}

/** Puts tasks whose lease expired back in the queue while they have attempts left. */
export async function requeueExpired(db: Queryable, opts: { retryDelaySeconds: number }): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `UPDATE tasks SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL,
       run_after = now() + make_interval(secs => $1)
     WHERE id IN (
       SELECT id FROM tasks
       WHERE state = 'running' AND lease_expires_at < now() AND attempts < max_attempts AND cancel_requested_by IS NULL
       LIMIT 500 FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    [opts.retryDelaySeconds],
  );
  return r.rows.map((row) => row.id);
}

/** Expired leases with no attempts left (or cancelled): these end Failed through finishTasks. */
export async function lockExhaustedExpired(
  tx: Queryable,
): Promise<Array<{ id: string; cancel_requested_by: string | null }>> {
  const r = await tx.query<{ id: string; cancel_requested_by: string | null }>(
    `SELECT id, cancel_requested_by FROM tasks
     WHERE state = 'running' AND lease_expires_at < now()
       AND (attempts >= max_attempts OR cancel_requested_by IS NOT NULL)
     LIMIT 500 FOR UPDATE SKIP LOCKED`,
  );
  return r.rows;
}

/** Hands a task back to the queue (transient failure or shutdown), when it is still ours. */
export async function releaseTask(
  db: Queryable,
  opts: { id: string; owner: string; delaySeconds: number; refundAttempt: boolean },
): Promise<boolean> {
  const r = await db.query(
    `UPDATE tasks SET state = 'queued', lease_owner = NULL, lease_expires_at = NULL,
       run_after = now() + make_interval(secs => $3),
       attempts = CASE WHEN $4 THEN greatest(attempts - 1, 0) ELSE attempts END
     WHERE id = $1 AND lease_owner = $2 AND state = 'running'`,
    [opts.id, opts.owner, opts.delaySeconds, opts.refundAttempt],
  );
  return r.affectedRows > 0;
}

export async function updateProgress(db: Queryable, opts: { id: string; owner: string; progress: number }) {
  await db.query(`UPDATE tasks SET progress = $3 WHERE id = $1 AND lease_owner = $2 AND state = 'running'`, [
    opts.id,
    opts.owner,
    Math.max(0, Math.min(99, Math.round(opts.progress))),
  ]);
}
