/**
 * The dispatcher's statements over `notification_outbox`, each one small and named. Times are the
 * database's `now()`, so many processes on many machines agree on what is due.
 *
 * The claim and the delete of delivered rows commit without waiting for the WAL flush
 * (`synchronous_commit` off for that one statement's transaction). Losing one of them in a database crash
 * can only make a row due again and be sent once more, which at-least-once delivery allows; they sit on the
 * path from a task's commit to its notification, where a flush costs milliseconds (far more while other
 * work writes to the same disk). The rows themselves are written durably with the task's terminal status.
 */
import type { Queryable } from '../db/types.ts';
import type { NotificationTarget } from './target-types.ts';

export interface ClaimedRow {
  id: string;
  taskId: string;
  taskType: string;
  messageId: string;
  target: NotificationTarget;
  body: string;
  /** This attempt's number, 1-based. */
  attempts: number;
}

// SKIP LOCKED: dispatchers in other processes skip rows being claimed here instead of waiting on them.
// The claim pushes next_attempt_at out by the lease: the row is hidden while it is being delivered and
// comes back on its own if this process dies.
const NO_FLUSH_WAIT = "(SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait";
const CLAIM = `
UPDATE notification_outbox o
SET attempts = o.attempts + 1,
    next_attempt_at = now() + $2::double precision * interval '1 millisecond'
FROM ${NO_FLUSH_WAIT}
WHERE o.id IN (
  SELECT id FROM notification_outbox
  WHERE state = 'pending' AND next_attempt_at <= now()
  ORDER BY next_attempt_at, id
  LIMIT $1
  FOR UPDATE SKIP LOCKED)
RETURNING o.id::text AS id, o.task_id AS "taskId", o.task_type AS "taskType", o.message_id AS "messageId",
  o.target, o.body, o.attempts`;

export async function claimDue(db: Queryable, limit: number, leaseMs: number): Promise<ClaimedRow[]> {
  const r = await db.query<ClaimedRow>(CLAIM, [limit, leaseMs]);
  for (const row of r.rows) {
    if (typeof row.target === 'string') row.target = JSON.parse(row.target);
  }
  return r.rows;
}

/** Delivered rows are deleted: the outbox holds only work still to do and dead letters. */
export async function deleteDelivered(db: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `DELETE FROM notification_outbox USING ${NO_FLUSH_WAIT}
     WHERE id IN (SELECT (jsonb_array_elements_text($1::jsonb))::bigint)`,
    [JSON.stringify(ids)],
  );
}

export async function scheduleRetry(
  db: Queryable,
  id: string,
  delayMs: number,
  error: string,
): Promise<void> {
  await db.query(
    `UPDATE notification_outbox
     SET next_attempt_at = now() + $2::double precision * interval '1 millisecond', last_error = $3
     WHERE id = $1::bigint AND state = 'pending'`,
    [id, delayMs, error],
  );
}

export async function markDead(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(
    `UPDATE notification_outbox SET state = 'dead', dead_at = now(), last_error = $2
     WHERE id = $1::bigint AND state = 'pending'`,
    [id, error],
  );
}

/** Milliseconds until the next pending row is due (0 if one is due now), or null when none is pending. */
export async function msUntilNextDue(db: Queryable): Promise<number | null> {
  const r = await db.query<{ ms: number | string | null }>(
    // GREATEST ignores NULLs: over an empty outbox GREATEST(0, NULL) would be 0 and the dispatcher would poll
    // in a loop. Only a due time that exists is clamped.
    `SELECT CASE WHEN MIN(next_attempt_at) IS NULL THEN NULL
            ELSE GREATEST(0, EXTRACT(EPOCH FROM (MIN(next_attempt_at) - now())) * 1000)::double precision END AS ms
     FROM notification_outbox WHERE state = 'pending'`,
  );
  const ms = r.rows[0]?.ms;
  return ms === null || ms === undefined ? null : Number(ms);
}
