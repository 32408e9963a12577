import type { Queryable } from '../../db/types.ts';

export const TASK_CANCEL_CHANNEL = 'openimm_task_cancel';

// A running task is a member of one lease row (0011_claim_takes_queue_row.sql): the claim that took it made
// the row, its worker renews it, and it is deleted once every task in it has been dealt with (or by the
// reaper once it expired). A statement that writes both a lease row and a task's rows locks the lease first.

/**
 * Extends the leases `owner` still holds, and reads the cancel requests of its running tasks. A lease missing
 * from the answer has been lost (reaped): its tasks must stop.
 */
export async function renewLeases(
  db: Queryable,
  opts: { owner: string; leaseIds: string[]; taskIds: string[]; leaseSeconds: number },
): Promise<{ held: Set<string>; cancels: Map<string, string> }> {
  const r = await db.query<{ kind: 'lease' | 'cancel'; id: string; by: string | null }>(
    `WITH held AS (
       UPDATE task_leases SET expires_at = now() + make_interval(secs => $3)
       WHERE id = ANY($1::bigint[]) AND owner = $2
       RETURNING id
     )
     SELECT 'lease' AS kind, id::text AS id, NULL AS by FROM held
     UNION ALL
     SELECT 'cancel', t.id, t.cancel_requested_by FROM tasks t
     WHERE t.id = ANY($4::text[]) AND t.cancel_requested_by IS NOT NULL AND t.state = 'queued'`,
    [opts.leaseIds, opts.owner, opts.leaseSeconds, opts.taskIds],
  );
  const held = new Set<string>();
  const cancels = new Map<string, string>();
  for (const row of r.rows) {
    if (row.kind === 'lease') held.add(row.id);
    else cancels.set(row.id, row.by ?? 'a CancelTask request');
  }
  return { held, cancels };
}

/** A member of an expired lease that has not ended: what the reaper needs to retry it or end it. */
export interface OrphanedTask {
  id: string;
  attempts: number;
  started_ms: number;
  max_attempts: number;
  cancel_requested_by: string | null;
}

/**
 * Locks up to 100 expired leases (SKIP LOCKED: many reapers share the work, and a lease a finish holds is left
 * for the next sweep) and returns their ids and their tasks that have not ended. The tasks are read by a
 * second statement, after the locks are taken: one that a finish committed meanwhile is seen as ended.
 */
export async function lockExpiredLeases(
  tx: Queryable,
): Promise<{ leaseIds: string[]; orphans: OrphanedTask[] }> {
  const leases = await tx.query<{ id: string }>(
    `SELECT id::text AS id FROM task_leases WHERE expires_at < now() LIMIT 100 FOR UPDATE SKIP LOCKED`,
  );
  const leaseIds = leases.rows.map((l) => l.id);
  if (leaseIds.length === 0) return { leaseIds, orphans: [] };
  const r = await tx.query<OrphanedTask>(
    `SELECT m.id, m.attempts, date_part('epoch', m.started_at) * 1000 AS started_ms, t.max_attempts,
       t.cancel_requested_by
     FROM task_leases l
     CROSS JOIN LATERAL unnest(l.task_ids, l.attempts, l.started_at) AS m(id, attempts, started_at)
     JOIN tasks t ON t.id = m.id
     WHERE l.id = ANY($1::bigint[]) AND t.state = 'queued'`,
    [leaseIds],
  );
  return { leaseIds, orphans: r.rows };
}

/** Deletes leases (only `owner`'s, when given). */
export async function deleteLeases(tx: Queryable, leaseIds: string[], owner?: string): Promise<void> {
  await tx.query(
    'DELETE FROM task_leases WHERE id = ANY($1::bigint[]) AND ($2::text IS NULL OR owner = $2)',
    [leaseIds, owner ?? null],
  );
}

/**
 * A queue row again for tasks that were running (`$1` ids, `$2` attempts made, `$3` first starts in epoch
 * ms), due after `$4` seconds, rebuilt from their task and payload rows. Rank 0: a retried task already had
 * its turn, and goes before every task that has not. Only tasks that have not ended, and that meet `also`.
 */
const requeue = (
  also = 'true',
) => `INSERT INTO task_queue (task_id, account_id, project_name, work_class, queue_rank, created_at,
     run_after, attempts, started_at, type, max_attempts, event_id, request_id, user_data, tags, params,
     notification, extended_message_uri)
   SELECT t.id, t.account_id, t.project_name, t.work_class, 0, t.created_at, now() + make_interval(secs => $4),
     m.attempts, to_timestamp(m.started_ms / 1000), t.type, t.max_attempts, t.event_id, t.request_id,
     t.user_data, t.tags, p.params, coalesce(p.notification, '[]'), coalesce(p.extended_message_uri, '')
   FROM unnest($1::text[], $2::int[], $3::float8[]) AS m(id, attempts, started_ms)
   JOIN tasks t ON t.id = m.id
   LEFT JOIN task_payloads p ON p.task_id = t.id
   WHERE t.state = 'queued' AND ${also}
   ON CONFLICT (task_id) DO NOTHING`;

/** Puts orphaned tasks of locked leases back in the queue (the caller deletes the leases). */
export async function requeueTasks(
  tx: Queryable,
  tasks: Array<{ id: string; attempts: number; started_ms: number }>,
  delaySeconds: number,
): Promise<void> {
  if (tasks.length === 0) return;
  await tx.query(requeue(), [
    tasks.map((t) => t.id),
    tasks.map((t) => t.attempts),
    tasks.map((t) => t.started_ms),
    delaySeconds,
  ]);
}

/**
 * Hands a task back to the queue (transient failure or shutdown) when its lease is still `owner`'s: the task
 * leaves the lease and gets a queue row, in one statement. `attempts` is what the queue row records as made.
 */
export async function releaseTask(
  db: Queryable,
  opts: {
    id: string;
    leaseId: string;
    owner: string;
    attempts: number;
    startedMs: number;
    delaySeconds: number;
  },
): Promise<boolean> {
  const r = await db.query<{ task_id: string }>(
    `WITH left_lease AS (
       UPDATE task_leases l SET (task_ids, attempts, started_at) = (
         SELECT coalesce(array_agg(m.id ORDER BY m.o), '{}'), coalesce(array_agg(m.attempts ORDER BY m.o), '{}'),
           coalesce(array_agg(m.started_at ORDER BY m.o), '{}')
         FROM unnest(l.task_ids, l.attempts, l.started_at) WITH ORDINALITY AS m(id, attempts, started_at, o)
         WHERE m.id <> $7)
       WHERE l.id = $5 AND l.owner = $6 AND $7 = ANY(l.task_ids)
       RETURNING l.id
     )
     ${requeue('EXISTS (SELECT 1 FROM left_lease)')}
     RETURNING task_id`,
    [[opts.id], [opts.attempts], [opts.startedMs], opts.delaySeconds, opts.leaseId, opts.owner, opts.id],
  );
  return r.rows.length > 0;
}

/** Writes a running task's progress while `owner` holds its lease. */
export async function updateProgress(
  db: Queryable,
  opts: { id: string; leaseId: string; owner: string; progress: number },
) {
  await db.query(
    `UPDATE tasks t SET progress = $3
     WHERE t.id = $1 AND t.state = 'queued'
       AND EXISTS (SELECT 1 FROM task_leases l WHERE l.id = $4 AND l.owner = $2)`,
    [opts.id, opts.owner, Math.max(0, Math.min(99, Math.round(opts.progress))), opts.leaseId],
  );
}
