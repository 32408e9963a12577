import type { Queryable } from '../../db/types.ts';

export interface ClaimedTask {
  id: string;
  type: string;
  account_id: string;
  project_name: string;
  attempts: number;
  max_attempts: number;
  created_at: Date;
  event_id: string;
  request_id: string;
  user_data: string;
  tags: Record<string, string>;
}

/**
 * Claims up to `limit` ready tasks of the given work classes for `owner`, in fair order (rank in their
 * project's queue, then age). SKIP LOCKED lets any number of workers claim at once without waiting on each other.
 */
export async function claimTasks(
  db: Queryable,
  opts: { owner: string; workClasses: string[]; limit: number; leaseSeconds: number },
): Promise<ClaimedTask[]> {
  const r = await db.query<ClaimedTask>(
    `WITH picked AS (
       SELECT id FROM tasks
       WHERE state = 'queued' AND run_after <= now() AND work_class = ANY($2::text[])
       ORDER BY queue_rank, created_at
       LIMIT $3
       FOR UPDATE SKIP LOCKED
     )
     UPDATE tasks t
     SET state = 'running', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $4),
         attempts = t.attempts + 1, started_at = coalesce(t.started_at, now())
     FROM picked WHERE t.id = picked.id
     RETURNING t.id, t.type, t.account_id, t.project_name, t.attempts, t.max_attempts, t.created_at, t.event_id,
               t.request_id, t.user_data, t.tags`,
    [opts.owner, opts.workClasses, opts.limit, opts.leaseSeconds],
  );
  return r.rows;
}

export interface TaskPayload {
  task_id: string;
  params: Record<string, unknown>;
  service_role: string | null;
  extended_message_uri: string;
}

/** The wide part of claimed tasks, with their project's current service role. */
export async function loadPayloads(db: Queryable, ids: string[]): Promise<Map<string, TaskPayload>> {
  const r = await db.query<TaskPayload>(
    `SELECT p.task_id, p.params, p.extended_message_uri, pr.service_role
     FROM task_payloads p
     JOIN tasks t ON t.id = p.task_id
     LEFT JOIN projects pr ON pr.account_id = t.account_id AND pr.name = t.project_name
     WHERE p.task_id = ANY($1::text[])`,
    [ids],
  );
  return new Map(r.rows.map((row) => [row.task_id, row]));
}
