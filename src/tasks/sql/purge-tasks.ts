import type { Queryable } from '../../db/types.ts';

/**
 * Deletes tasks that started more than `days` ago, in batches (payloads go with them). Many processes may
 * run it at once: SKIP LOCKED makes them share the work instead of blocking.
 */
export async function purgeExpiredTasks(
  db: Queryable,
  opts: { days: number; batch?: number },
): Promise<number> {
  // The queue rows of purged tasks that never ended go with them here (task_queue has no foreign key to
  // cascade from, 0010_queue_row_indexes.sql). A purged task still in a lease is left there: its outcome
  // then changes nothing, and the reaper skips it.
  const r = await db.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM tasks WHERE id IN (
         SELECT id FROM tasks WHERE created_at < now() - make_interval(secs => $1)
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id
     ), queued AS (
       DELETE FROM task_queue q USING gone WHERE q.task_id = gone.id
     )
     SELECT count(*)::int AS n FROM gone`,
    [opts.days * 86_400, opts.batch ?? 1000],
  );
  return r.rows[0]?.n ?? 0;
}
