import type { Queryable } from '../../db/types.ts';

/**
 * Deletes tasks that started more than `days` ago, in batches (payloads go with them). Many processes may
 * run it at once: SKIP LOCKED makes them share the work instead of blocking.
 */
export async function purgeExpiredTasks(
  db: Queryable,
  opts: { days: number; batch?: number },
): Promise<number> {
  const r = await db.query(
    `DELETE FROM tasks WHERE id IN (
       SELECT id FROM tasks WHERE created_at < now() - make_interval(secs => $1)
       ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [opts.days * 86_400, opts.batch ?? 1000],
  );
  return r.affectedRows;
}
