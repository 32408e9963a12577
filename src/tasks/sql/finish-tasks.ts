import type { Queryable } from '../../db/types.ts';

export const TASK_DONE_CHANNEL = 'openimm_task_done';

export interface FinishItem {
  id: string;
  state: 'succeeded' | 'failed';
  code: string;
  message: string;
  endedAt: Date;
  content: Record<string, unknown> | null;
}

/** A task whose terminal state this transaction committed: everything a notification needs. */
export interface FinishedTask {
  id: string;
  accountId: string;
  projectName: string;
  type: string;
  eventId: string;
  requestId: string;
  createdAt: Date;
  endedAt: Date;
  userData: string;
  tags: Record<string, string>;
  state: 'succeeded' | 'failed';
  code: string;
  message: string;
  content: Record<string, unknown> | null;
  notification: unknown[];
  extendedMessageUri: string;
}

/**
 * Moves tasks to a terminal state in one statement, taking them out of the queue. Only tasks whose queue row is
 * in one of `fromStates` (and, with `leaseOwner`, still leased by that owner) change: an attempt that lost its
 * lease cannot overwrite the outcome of another. The guard trigger of `tasks` refuses the rest.
 * Returns the tasks that did change; the caller's hooks (outbox rows) run in the same transaction.
 */
export async function finishTasks(
  tx: Queryable,
  items: FinishItem[],
  guard: { leaseOwner?: string; fromStates?: Array<'queued' | 'running'> } = {},
): Promise<FinishedTask[]> {
  if (items.length === 0) return [];
  const fromStates = guard.fromStates ?? ['running'];
  const r = await tx.query<any>(
    `WITH q AS (
       DELETE FROM task_queue q
       WHERE q.task_id = ANY($1::text[]) AND q.state = ANY($6::text[]) AND ($7::text IS NULL OR q.lease_owner = $7)
       RETURNING q.task_id
     )
     UPDATE tasks t
     SET state = v.state, code = v.code, message = v.message, ended_at = v.ended_at,
         progress = CASE WHEN v.state = 'succeeded' THEN 100 ELSE t.progress END,
         lease_owner = NULL, lease_expires_at = NULL
     FROM q JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
         AS v(id, state, code, message, ended_at) ON v.id = q.task_id
       LEFT JOIN task_payloads p ON p.task_id = v.id
     WHERE t.id = q.task_id
     RETURNING t.id, t.account_id, t.project_name, t.type, t.event_id, t.request_id, t.created_at, t.ended_at,
               t.user_data, t.tags, t.state, t.code, t.message, p.notification, p.extended_message_uri`,
    [
      items.map((i) => i.id),
      items.map((i) => i.state),
      items.map((i) => i.code),
      items.map((i) => i.message),
      items.map((i) => i.endedAt),
      fromStates,
      guard.leaseOwner ?? null,
    ],
  );
  if (r.rows.length === 0) return [];
  const done = new Set(r.rows.map((row) => row.id as string));
  const withContent = items.filter((i) => done.has(i.id) && i.content);
  if (withContent.length > 0) {
    await tx.query(
      `UPDATE task_payloads p SET content = v.content
       FROM unnest($1::text[], $2::jsonb[]) AS v(id, content) WHERE p.task_id = v.id`,
      [withContent.map((i) => i.id), withContent.map((i) => JSON.stringify(i.content))],
    );
  }
  const contentById = new Map(items.map((i) => [i.id, i.content]));
  await notifyDone(tx, [...done]);
  return r.rows.map((row) => ({
    id: row.id,
    accountId: row.account_id,
    projectName: row.project_name,
    type: row.type,
    eventId: row.event_id,
    requestId: row.request_id,
    createdAt: new Date(row.created_at),
    endedAt: new Date(row.ended_at),
    userData: row.user_data,
    tags: row.tags,
    state: row.state,
    code: row.code,
    message: row.message,
    content: contentById.get(row.id) ?? null,
    notification: row.notification ?? [],
    extendedMessageUri: row.extended_message_uri ?? '',
  }));
}

/** Wakes WaitTask long-polls, in one round trip; payloads stay under PostgreSQL's 8,000-byte NOTIFY limit. */
async function notifyDone(tx: Queryable, ids: string[]): Promise<void> {
  const chunks: string[] = [];
  let chunk = '';
  for (const id of ids) {
    if (chunk && chunk.length + id.length + 1 > 7000) {
      chunks.push(chunk);
      chunk = '';
    }
    chunk = chunk ? `${chunk},${id}` : id;
  }
  if (chunk) chunks.push(chunk);
  await tx.query('SELECT pg_notify($1, c) FROM unnest($2::text[]) AS c', [TASK_DONE_CHANNEL, chunks]);
}
