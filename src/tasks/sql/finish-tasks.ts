import { numberArrayLiteral, textArrayLiteral } from '../../db/array-literal.ts';
import type { Queryable } from '../../db/types.ts';
import type { ClaimedTask, TaskPayload } from './claim-tasks.ts';

export const TASK_DONE_CHANNEL = 'openimm_task_done';

export interface FinishItem {
  id: string;
  state: 'succeeded' | 'failed';
  code: string;
  message: string;
  endedAt: Date;
  content: Record<string, unknown> | null;
  /**
   * The claim this outcome ends, when a worker ran it: what a notification needs is then known here and the
   * finish returns only the ids it changed instead of reading the rows back.
   */
  claim?: { task: ClaimedTask; payload: TaskPayload };
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

/** The rows read back when the caller does not know the tasks (reaper, cancel). */
const READ_BACK = `t.id, t.account_id, t.project_name, t.type, t.event_id, t.request_id, t.created_at,
  t.user_data, t.tags, p.notification, p.extended_message_uri`;

/**
 * Moves tasks to a terminal state in one statement, taking them out of the queue; the task's row gets the
 * attempts and first start its queue row counted (the claims write only the queue row). Only tasks whose queue row is
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
  const known = items.every((i) => i.claim !== undefined);
  const n = items.length;
  const ids = new Array<string>(n);
  const states = new Array<string>(n);
  const codes = new Array<string>(n);
  const messages = new Array<string>(n);
  // Epoch milliseconds: node-postgres formats a Date parameter in local time with slow string work.
  const endedMs = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    ids[i] = item.id;
    states[i] = item.state;
    codes[i] = item.code;
    messages[i] = item.message;
    endedMs[i] = item.endedAt.getTime();
  }
  // WaitTask long-polls are woken in the same statement: one NOTIFY per 100 ids keeps each payload under
  // PostgreSQL's 8,000-byte limit (task ids are a type name and a UUID).
  const r = await tx.query<any>(
    `WITH q AS (
       DELETE FROM task_queue q
       WHERE ${inStates('q', fromStates)} AND ($6::text IS NULL OR q.lease_owner = $6)
       RETURNING q.task_id, q.attempts, q.started_at
     ), u AS (
       UPDATE tasks t
       SET state = v.state, code = v.code, message = v.message, ended_at = to_timestamp(v.ended_ms / 1000),
           progress = CASE WHEN v.state = 'succeeded' THEN 100 ELSE t.progress END,
           attempts = q.attempts, started_at = q.started_at
       FROM q JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[])
           AS v(id, state, code, message, ended_ms) ON v.id = q.task_id
         ${known ? '' : 'LEFT JOIN task_payloads p ON p.task_id = v.id'}
       WHERE t.id = q.task_id
       RETURNING ${known ? 't.id' : READ_BACK}
     ), woken AS (
       SELECT pg_notify('${TASK_DONE_CHANNEL}', string_agg(id, ',')) FROM (
         SELECT id, (row_number() OVER () - 1) / 100 AS chunk FROM u
       ) c GROUP BY chunk
     )
     SELECT u.* FROM u WHERE (SELECT count(*) FROM woken) >= 0`,
    [
      textArrayLiteral(ids),
      textArrayLiteral(states),
      textArrayLiteral(codes),
      textArrayLiteral(messages),
      numberArrayLiteral(endedMs),
      guard.leaseOwner ?? null,
    ],
  );
  if (r.rows.length === 0) return [];
  const byId = new Map<string, FinishItem>();
  for (const item of items) byId.set(item.id, item);
  const finished: FinishedTask[] = new Array(r.rows.length);
  const withContent: FinishItem[] = [];
  for (let i = 0; i < r.rows.length; i++) {
    const row = r.rows[i];
    const item = byId.get(row.id)!;
    finished[i] = item.claim ? fromClaim(item, item.claim) : fromRow(item, row);
    if (item.content) withContent.push(item);
  }
  if (withContent.length > 0) {
    await tx.query(
      `UPDATE task_payloads p SET content = v.content
       FROM unnest($1::text[], $2::jsonb[]) AS v(id, content) WHERE p.task_id = v.id`,
      [withContent.map((i) => i.id), withContent.map((i) => JSON.stringify(i.content))],
    );
  }
  return finished;
}

/**
 * Queue rows of the tasks `$1` in one of `states`, written so that each state's arm is served by that state's
 * partial index on task_id (0010_queue_row_indexes.sql): `state = ANY(...)` would be served by none.
 */
function inStates(alias: string, states: ReadonlyArray<'queued' | 'running'>): string {
  const arms = [...new Set(states)].map(
    (st) => `(${alias}.task_id = ANY($1::text[]) AND ${alias}.state = '${st}')`,
  );
  return arms.length === 1 ? arms[0]! : `(${arms.join(' OR ')})`;
}

function fromClaim(item: FinishItem, claim: NonNullable<FinishItem['claim']>): FinishedTask {
  const { task, payload } = claim;
  return {
    id: item.id,
    accountId: task.account_id,
    projectName: task.project_name,
    type: task.type,
    eventId: task.event_id,
    requestId: task.request_id,
    createdAt: task.created_at,
    endedAt: item.endedAt,
    userData: task.user_data,
    tags: task.tags,
    state: item.state,
    code: item.code,
    message: item.message,
    content: item.content,
    notification: payload.notification,
    extendedMessageUri: payload.extended_message_uri,
  };
}

function fromRow(item: FinishItem, row: any): FinishedTask {
  return {
    id: item.id,
    accountId: row.account_id,
    projectName: row.project_name,
    type: row.type,
    eventId: row.event_id,
    requestId: row.request_id,
    createdAt: new Date(row.created_at),
    endedAt: item.endedAt,
    userData: row.user_data,
    tags: row.tags,
    state: item.state,
    code: item.code,
    message: item.message,
    content: item.content,
    notification: row.notification ?? [],
    extendedMessageUri: row.extended_message_uri ?? '',
  };
}
