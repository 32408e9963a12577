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

export interface TaskPayload {
  task_id: string;
  params: Record<string, unknown>;
  service_role: string | null;
  extended_message_uri: string;
  /** Notification targets (read here, not at the finish: they never change after the create). */
  notification: unknown[];
}

/** A claimed task and the wide part it runs with (undefined if its payload row is missing). */
export interface Claim {
  task: ClaimedTask;
  payload: TaskPayload | undefined;
}

type ClaimRow = Omit<ClaimedTask, 'created_at'> & {
  /** Epoch milliseconds: parsing a timestamp's text was a visible share of the claim's cost here. */
  created_ms: number;
  params: Record<string, unknown> | null;
  extended_message_uri: string | null;
  notification: unknown[] | null;
  service_role: string | null;
};

const NO_TARGETS: unknown[] = [];

/**
 * Claims for `owner` up to `free` ready tasks of each work class and at most `limit` in all, in fair order (rank
 * in their project's queue, then age), with their payloads and their project's current service role, in one
 * round trip. SKIP LOCKED lets any number of workers claim at once without waiting on each other.
 */
export async function claimTasks(
  db: Queryable,
  opts: {
    owner: string;
    classes: Array<{ workClass: string; free: number }>;
    limit: number;
    leaseSeconds: number;
  },
): Promise<Claim[]> {
  // Only the queue row is written (the tasks row is written once, at the end), found again by its ctid: it
  // is locked from the moment it is picked, so the ctid holds, and no second index descent per row is made.
  // What the task runs with is returned from the queue row itself (copies written at the create,
  // 0009_claim_fields_in_queue_row.sql): no probe of tasks or task_payloads per claimed task. An empty target
  // list comes back as NULL: nothing to parse.
  // The claim commits without waiting for its WAL flush (set_config(..., true) lasts this statement's
  // transaction only): claims run one after another, so the flush wait was on the drain's critical path. A
  // claim lost in a crash only puts its tasks back in the queue, and the finish, which commits durably,
  // flushes the WAL up to its own commit, so every claim before it too.
  const r = await db.query<ClaimRow>(
    `WITH picked AS (
       SELECT c.row_id FROM unnest($2::text[], $3::int[]) AS w(cls, free)
       CROSS JOIN set_config('synchronous_commit', 'off', true)
       CROSS JOIN LATERAL (
         SELECT ctid AS row_id, queue_rank, created_at FROM task_queue
         WHERE state = 'queued' AND work_class = w.cls AND run_after <= now()
         ORDER BY queue_rank, created_at
         LIMIT w.free
         FOR UPDATE SKIP LOCKED
       ) c
       ORDER BY c.queue_rank, c.created_at
       LIMIT $5
     )
     UPDATE task_queue q
     SET state = 'running', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $4),
         attempts = attempts + 1, started_at = coalesce(started_at, now())
     WHERE ctid = ANY(ARRAY(SELECT row_id FROM picked))
     RETURNING q.task_id AS id, q.type, q.account_id, q.project_name, q.attempts, q.max_attempts,
       date_part('epoch', q.created_at) * 1000 AS created_ms, q.event_id, q.request_id, q.user_data, q.tags,
       q.params, q.extended_message_uri, nullif(q.notification, '[]'::jsonb) AS notification,
       (SELECT pr.service_role FROM projects pr
        WHERE pr.account_id = q.account_id AND pr.name = q.project_name) AS service_role`,
    [
      opts.owner,
      opts.classes.map((c) => c.workClass),
      opts.classes.map((c) => c.free),
      opts.leaseSeconds,
      opts.limit,
    ],
  );
  const claims: Claim[] = new Array(r.rows.length);
  for (let i = 0; i < r.rows.length; i++) {
    const row = r.rows[i]!;
    // NULL params: the task had no payload row when its queue row was copied (0009).
    const payload: TaskPayload | undefined =
      row.params === null
        ? undefined
        : {
            task_id: row.id,
            params: row.params,
            service_role: row.service_role,
            extended_message_uri: row.extended_message_uri ?? '',
            notification: row.notification ?? NO_TARGETS,
          };
    // A task object of its own: the row also holds the request, secrets included, which only the
    // processor may see.
    const task: ClaimedTask = {
      id: row.id,
      type: row.type,
      account_id: row.account_id,
      project_name: row.project_name,
      attempts: row.attempts,
      max_attempts: row.max_attempts,
      created_at: new Date(row.created_ms),
      event_id: row.event_id,
      request_id: row.request_id,
      user_data: row.user_data,
      tags: row.tags,
    };
    claims[i] = { task, payload };
  }
  return claims;
}
