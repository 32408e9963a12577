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

/**
 * Inserts a queued task and its payload, and wakes the workers, in one statement (atomic on its own: no
 * transaction and one round trip; the payload's foreign key is checked at the end of the statement). Its queue
 * rank is its position in its project's queue, so claiming by rank interleaves projects instead of serving one
 * project's backlog first.
 */
export async function insertTask(db: Queryable, t: NewTask): Promise<void> {
  await db.query(
    `WITH t AS (
       INSERT INTO tasks (id, account_id, project_name, type, work_class, max_attempts, queue_rank, event_id,
         request_id, created_at, user_data, tags)
       VALUES ($1, $2, $3, $4, $5, $6,
         (SELECT coalesce(max(queue_rank), 0) + 1 FROM tasks
          WHERE account_id = $2 AND project_name = $3 AND state = 'queued'),
         $7, $8, $9, $10, $11)
       RETURNING id, work_class
     ), p AS (
       INSERT INTO task_payloads (task_id, params, definition, notification, extended_message_uri)
       SELECT id, $12, $13, $14, $15 FROM t
     )
     SELECT pg_notify($16, work_class) FROM t`,
    [
      t.id,
      t.accountId,
      t.projectName,
      t.type,
      t.workClass,
      t.maxAttempts,
      t.eventId,
      t.requestId,
      t.createdAt,
      t.userData,
      JSON.stringify(t.tags),
      JSON.stringify(t.params),
      t.definition,
      JSON.stringify(t.notification),
      t.extendedMessageUri,
      TASK_READY_CHANNEL,
    ],
  );
}
