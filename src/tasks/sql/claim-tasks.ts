import type { Queryable } from '../../db/types.ts';

export interface ClaimedTask {
  id: string;
  /** The lease row this attempt runs under (one per claim). */
  lease_id: string;
  type: string;
  account_id: string;
  project_name: string;
  /** Attempts made, this one included. */
  attempts: number;
  max_attempts: number;
  created_at: Date;
  /** The task's first start (epoch milliseconds): this attempt's, or the first attempt's of a retried task. */
  started_ms: number;
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

/**
 * A claimed task as the claim returns it: one JSON array per task, all of them in one JSON value, parsed by
 * one JSON.parse. Parsing seventeen text columns per task in JavaScript was a fifth of the worker's CPU time in
 * a drain. Times are epoch milliseconds.
 */
type ClaimTuple = [
  id: string,
  type: string,
  account_id: string,
  project_name: string,
  attempts: number,
  max_attempts: number,
  created_ms: number,
  started_ms: number,
  event_id: string,
  request_id: string,
  user_data: string,
  tags: Record<string, string>,
  params: Record<string, unknown> | null,
  extended_message_uri: string,
  notification: unknown[] | null,
  service_role: string | null,
];

const NO_TARGETS: unknown[] = [];

/**
 * Claims for `owner` up to `free` ready tasks of each work class and at most `limit` in all, in fair order (rank
 * in their project's queue, then age), under one new lease, with their payloads and their project's current
 * service role, in one round trip. SKIP LOCKED lets any number of workers claim at once without waiting on each other.
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
  // The claim deletes the queue rows it picks (found again by ctid: they are locked from the moment they are
  // picked, so the ctid holds) and records them in one lease row (0011_claim_takes_queue_row.sql); a delete
  // writes no index entry and no new row version. What the task runs with is returned from the queue row
  // itself (copies written at the create, 0009_claim_fields_in_queue_row.sql): no probe of tasks or
  // task_payloads per claimed task; the project's role is read once per project (MATERIALIZED: inlined, the
  // planner moved the lookup into the output, once per task). An empty target list comes back as NULL.
  // The claim commits without waiting for its WAL flush (set_config(..., true) lasts this statement's
  // transaction only): claims run one after another, so the flush wait was on the drain's critical path. A
  // claim lost in a crash only puts its tasks back in the queue, and the finish, which commits durably,
  // flushes the WAL up to its own commit, so every claim before it too.
  const r = await db.query<{ lease_id: string | null; tasks: ClaimTuple[] | null }>(
    `WITH picked AS (
       SELECT c.row_id FROM unnest($2::text[], $3::int[]) AS w(cls, free)
       CROSS JOIN set_config('synchronous_commit', 'off', true)
       CROSS JOIN LATERAL (
         SELECT q.ctid AS row_id, q.queue_rank, q.created_at FROM task_queue q
         WHERE q.work_class = w.cls AND q.run_after <= now()
         ORDER BY q.queue_rank, q.created_at
         LIMIT w.free
         FOR UPDATE SKIP LOCKED
       ) c
       ORDER BY c.queue_rank, c.created_at
       LIMIT $5
     ), taken AS (
       DELETE FROM task_queue q WHERE ctid = ANY(ARRAY(SELECT row_id FROM picked))
       RETURNING q.*, coalesce(q.started_at, now()) AS first_start
     ), lease AS (
       INSERT INTO task_leases (owner, expires_at, task_ids, attempts, started_at)
       SELECT $1, now() + make_interval(secs => $4), array_agg(task_id), array_agg(attempts + 1),
         array_agg(first_start)
       FROM taken HAVING count(*) > 0
       RETURNING id
     ), roles AS MATERIALIZED (
       SELECT k.account_id, k.project_name, (SELECT pr.service_role FROM projects pr
         WHERE pr.account_id = k.account_id AND pr.name = k.project_name) AS service_role
       FROM (SELECT DISTINCT account_id, project_name FROM taken) k
     )
     SELECT (SELECT id FROM lease)::text AS lease_id, json_agg(json_build_array(
       q.task_id, q.type, q.account_id, q.project_name, q.attempts + 1, q.max_attempts,
       date_part('epoch', q.created_at) * 1000, date_part('epoch', q.first_start) * 1000, q.event_id,
       q.request_id, q.user_data, q.tags, q.params, q.extended_message_uri, nullif(q.notification, '[]'::jsonb),
       r.service_role
     )) AS tasks
     FROM taken q JOIN roles r ON r.account_id = q.account_id AND r.project_name = q.project_name`,
    [
      opts.owner,
      opts.classes.map((c) => c.workClass),
      opts.classes.map((c) => c.free),
      opts.leaseSeconds,
      opts.limit,
    ],
    { prepare: true },
  );
  const rows = r.rows[0]?.tasks ?? [];
  const leaseId = r.rows[0]?.lease_id ?? '';
  const claims: Claim[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) claims[i] = toClaim(rows[i]!, leaseId);
  return claims;
}

/** A claimed task from its tuple: the task, and apart from it the request it runs with. */
function toClaim(tuple: ClaimTuple, leaseId: string): Claim {
  const [
    id,
    type,
    accountId,
    projectName,
    attempts,
    maxAttempts,
    createdMs,
    startedMs,
    eventId,
    requestId,
    userData,
    tags,
    params,
    extendedMessageUri,
    notification,
    serviceRole,
  ] = tuple;
  // NULL params: the task had no payload row when its queue row was copied (0009).
  const payload: TaskPayload | undefined =
    params === null
      ? undefined
      : {
          task_id: id,
          params,
          service_role: serviceRole,
          extended_message_uri: extendedMessageUri,
          notification: notification ?? NO_TARGETS,
        };
  // A task object of its own: the payload holds the request, secrets included, which only the processor
  // may see.
  const task: ClaimedTask = {
    id,
    lease_id: leaseId,
    type,
    account_id: accountId,
    project_name: projectName,
    attempts,
    max_attempts: maxAttempts,
    created_at: new Date(createdMs),
    started_ms: startedMs,
    event_id: eventId,
    request_id: requestId,
    user_data: userData,
    tags,
  };
  return { task, payload };
}
