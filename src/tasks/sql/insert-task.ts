import type { Queryable } from '../../db/types.ts';

export interface NewTask {
  id: string;
  accountId: string;
  projectName: string;
  type: string;
  workClass: string;
  maxAttempts: number;
  eventId: string;
  requestId: string;
  createdAt: Date;
  userData: string;
  tags: Record<string, string>;
  params: Record<string, unknown>;
  definition: string;
  notification: unknown[];
  extendedMessageUri: string;
}

export const TASK_READY_CHANNEL = 'openimm_task_ready';

/** Inserts one queued task: see insertTasks. */
export async function insertTask(db: Queryable, t: NewTask): Promise<void> {
  await insertTasks(db, [t]);
}

/**
 * Inserts queued tasks, their payloads and their queue rows, and wakes the workers, in one statement (atomic on
 * its own: no transaction and one round trip; foreign keys are checked at the end of the statement). The queue
 * row carries a copy of what a claim hands to the processor (0009_claim_fields_in_queue_row.sql). A task's
 * queue rank is its position in its project's queue, so claiming by rank interleaves projects instead of
 * serving one project's backlog first; tasks of one project in the same statement take consecutive ranks.
 */
export async function insertTasks(db: Queryable, tasks: NewTask[]): Promise<void> {
  if (tasks.length === 0) return;
  const col = <K extends keyof NewTask>(k: K) => tasks.map((t) => t[k]);
  const json = <K extends keyof NewTask>(k: K) => tasks.map((t) => JSON.stringify(t[k]));
  await db.query(
    `WITH v AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
         $8::text[], $9::timestamptz[], $10::text[], $11::jsonb[], $12::jsonb[], $13::text[], $14::jsonb[],
         $15::text[]) WITH ORDINALITY
         AS v(id, account_id, project_name, type, work_class, max_attempts, event_id, request_id, created_at,
              user_data, tags, params, definition, notification, extended_message_uri, ord)
     ), t AS (
       INSERT INTO tasks (id, account_id, project_name, type, work_class, max_attempts, event_id, request_id,
         created_at, user_data, tags)
       SELECT id, account_id, project_name, type, work_class, max_attempts, event_id, request_id, created_at,
         user_data, tags
       FROM v ORDER BY ord
       RETURNING id
     ), p AS (
       INSERT INTO task_payloads (task_id, params, definition, notification, extended_message_uri)
       SELECT v.id, v.params, v.definition, v.notification, v.extended_message_uri FROM t JOIN v ON v.id = t.id
     ), q AS (
       INSERT INTO task_queue (task_id, account_id, project_name, work_class, queue_rank, created_at, type,
         max_attempts, event_id, request_id, user_data, tags, params, notification, extended_message_uri)
       SELECT v.id, v.account_id, v.project_name, v.work_class,
         (SELECT coalesce(max(q.queue_rank), 0) FROM task_queue q
          WHERE q.account_id = v.account_id AND q.project_name = v.project_name)
           + row_number() OVER (PARTITION BY v.account_id, v.project_name ORDER BY v.ord),
         v.created_at, v.type, v.max_attempts, v.event_id, v.request_id, v.user_data, v.tags, v.params,
         v.notification, v.extended_message_uri
       FROM t JOIN v ON v.id = t.id
       RETURNING work_class
     )
     SELECT pg_notify($16, w.work_class) FROM (SELECT DISTINCT work_class FROM q) w`,
    [
      col('id'),
      col('accountId'),
      col('projectName'),
      col('type'),
      col('workClass'),
      col('maxAttempts'),
      col('eventId'),
      col('requestId'),
      col('createdAt'),
      col('userData'),
      json('tags'),
      json('params'),
      col('definition'),
      json('notification'),
      col('extendedMessageUri'),
      TASK_READY_CHANNEL,
    ],
  );
}
