import { numberArrayLiteral, textArrayLiteral } from '../../db/array-literal.ts';
import type { Queryable } from '../../db/types.ts';
import type { ClaimedTask, TaskPayload } from './claim-tasks.ts';
import { type FinishedTask, fromClaim, fromRow } from './finished-task.ts';
import { deleteLeases } from './leases.ts';

export type { FinishedTask } from './finished-task.ts';

export const TASK_DONE_CHANNEL = 'openimm_task_done';

export interface FinishItem {
  id: string;
  state: 'succeeded' | 'failed';
  code: string;
  message: string;
  endedAt: Date;
  content: Record<string, unknown> | null;
  /**
   * The attempt this outcome ends: its lease, its attempt count and the task's first start (when not given,
   * the claim's).
   */
  run?: { leaseId: string; attempts: number; startedMs: number };
  /**
   * The claim this outcome ends, when a worker ran it: what a notification needs is then known here and the
   * finish returns only the ids it changed instead of reading the rows back.
   */
  claim?: { task: ClaimedTask; payload: TaskPayload };
}

/** The rows read back when the caller does not know the tasks (reaper, cancel). */
const READ_BACK = `t.id, t.account_id, t.project_name, t.type, t.event_id, t.request_id, t.created_at,
  t.user_data, t.tags, p.notification, p.extended_message_uri`;

/**
 * Which tasks a finish may end:
 * - `lease`: a worker's outcomes, each under the lease it was claimed with, while `owner` still holds that
 *   lease (its row is locked FOR KEY SHARE: a reaper deleting it waits, or has already won and nothing
 *   changes). `retire` are leases of the owner whose every task has been dealt with: deleted in the same
 *   statement.
 * - `queued`: tasks still waiting (CancelTask): their queue rows are taken.
 * - `reaped`: the caller holds the tasks' lease rows locked and deletes them (the reaper).
 */
export type FinishGuard =
  | { kind: 'lease'; owner: string; retire?: string[] }
  | { kind: 'queued' }
  | { kind: 'reaped' };

/**
 * Moves tasks to a terminal state in one statement, under `guard`. Only tasks not yet ended change: the guard
 * trigger of `tasks` refuses the rest, and an attempt that lost its lease cannot overwrite the outcome of
 * another. Returns the tasks that did change; the caller's hooks (outbox rows) run in the same transaction.
 */
export async function finishTasks(
  tx: Queryable,
  items: FinishItem[],
  guard: FinishGuard,
): Promise<FinishedTask[]> {
  const retire = guard.kind === 'lease' ? (guard.retire ?? []) : [];
  if (items.length === 0) {
    if (guard.kind === 'lease' && retire.length > 0) await deleteLeases(tx, retire, guard.owner);
    return [];
  }
  const known = items.every((i) => i.claim !== undefined);
  const { params, run } = outcomeArrays(items);
  const v = outcomesSource(guard, params, { ...run, retire });
  const content = contentStatement(items, params);
  // What comes back: when the caller knows every task (a worker's outcomes), only the ids that did not
  // change, usually none: reading back hundreds of ids was a visible share of the worker's CPU time.
  const answer = known
    ? 'SELECT o.id FROM unnest($1::text[]) AS o(id) WHERE o.id NOT IN (SELECT id FROM u) AND'
    : 'SELECT u.* FROM u WHERE';
  // WaitTask long-polls are woken in the same statement: one NOTIFY per 100 ids keeps each payload under
  // PostgreSQL's 8,000-byte limit (task ids are a type name and a UUID).
  const r = await tx.query<any>(
    `WITH ${v}, u AS (
       UPDATE tasks t
       SET state = v.state, code = v.code, message = v.message, ended_at = to_timestamp(v.ended_ms / 1000),
           progress = CASE WHEN v.state = 'succeeded' THEN 100 ELSE t.progress END,
           attempts = v.attempts, started_at = to_timestamp(v.started_ms / 1000)
       FROM v ${known ? '' : 'LEFT JOIN task_payloads p ON p.task_id = v.id'}
       WHERE t.id = v.id AND t.state = 'queued'
       RETURNING ${known ? 't.id' : READ_BACK}
     ), woken AS (
       SELECT pg_notify('${TASK_DONE_CHANNEL}', string_agg(id, ',')) FROM (
         SELECT id, (row_number() OVER () - 1) / 100 AS chunk FROM u
       ) c GROUP BY chunk
     )${content}
     ${answer} (SELECT count(*) FROM woken) >= 0`,
    params,
    { prepare: true },
  );
  return known ? finishedFromClaims(items, r.rows) : finishedFromRows(items, r.rows);
}

/** The outcome columns of `$1`–`$5` (ids, states, Codes, Messages, end times). */
const OUTCOME_ARRAYS = `$1::text[], $2::text[], $3::text[], $4::text[], $5::float8[]`;
const OUTCOME_COLUMNS = 'id, state, code, message, ended_ms';

/**
 * `v`: the outcomes this finish may commit, each with its attempt count and the task's first start, as the
 * guard allows (appends its parameters to `params`). One unnest over all the arrays (no join of two): the
 * prepared statement's generic plan cannot size them, and a join it guessed small ran as a nested loop over
 * both.
 */
function outcomesSource(
  guard: FinishGuard,
  params: unknown[],
  run: { attempts: number[]; startedMs: number[]; leases: string[]; retire: string[] },
): string {
  if (guard.kind === 'queued') {
    return `q AS (
       DELETE FROM task_queue q WHERE q.task_id = ANY($1::text[])
       RETURNING q.task_id AS id, q.attempts, date_part('epoch', q.started_at) * 1000 AS started_ms
     ), v AS (
       SELECT o.*, q.attempts, q.started_ms FROM unnest(${OUTCOME_ARRAYS}) AS o(${OUTCOME_COLUMNS})
       JOIN q ON q.id = o.id
     )`;
  }
  params.push(numberArrayLiteral(run.attempts), numberArrayLiteral(run.startedMs));
  if (guard.kind === 'reaped') {
    return `v AS (SELECT * FROM unnest(${OUTCOME_ARRAYS}, $6::int[], $7::float8[])
       AS o(${OUTCOME_COLUMNS}, attempts, started_ms))`;
  }
  params.push(`{${run.leases.join(',')}}`, guard.owner, run.retire);
  // The leases still held, locked so that no reaper deletes one until this commits.
  return `held AS (
       SELECT l.id FROM task_leases l
       WHERE l.id = ANY(ARRAY(SELECT DISTINCT unnest($8::bigint[]))) AND l.owner = $9 FOR KEY SHARE
     ), retired AS (
       DELETE FROM task_leases l WHERE l.id = ANY($10::bigint[]) AND l.owner = $9
     ), v AS (
       SELECT * FROM unnest(${OUTCOME_ARRAYS}, $6::int[], $7::float8[], $8::bigint[])
         AS o(${OUTCOME_COLUMNS}, attempts, started_ms, lease)
       WHERE o.lease IN (SELECT id FROM held)
     )`;
}

/** The results (`content`) written with the outcomes, in the same statement: no second round trip. */
function contentStatement(items: FinishItem[], params: unknown[]): string {
  if (!items.some((i) => i.content)) return '';
  params.push(items.map((i) => (i.content ? JSON.stringify(i.content) : null)));
  return `, content AS (
       UPDATE task_payloads p SET content = c.content
       FROM unnest($1::text[], $${params.length}::jsonb[]) AS c(id, content)
       WHERE p.task_id = c.id AND c.content IS NOT NULL AND c.id IN (SELECT id FROM u)
     )`;
}

/**
 * The outcomes as the statement's first five parameters (array literals), and the attempt each ends: its
 * lease, its attempt count and the task's first start (given, or the claim's).
 */
function outcomeArrays(items: FinishItem[]): {
  params: unknown[];
  run: { attempts: number[]; startedMs: number[]; leases: string[] };
} {
  const n = items.length;
  const ids = new Array<string>(n);
  const states = new Array<string>(n);
  const codes = new Array<string>(n);
  const messages = new Array<string>(n);
  // Epoch milliseconds: node-postgres formats a Date parameter in local time with slow string work.
  const endedMs = new Array<number>(n);
  const leases = new Array<string>(n);
  const attempts = new Array<number>(n);
  const startedMs = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    ids[i] = item.id;
    states[i] = item.state;
    codes[i] = item.code;
    messages[i] = item.message;
    endedMs[i] = item.endedAt.getTime();
    const given = item.run;
    const claimed = item.claim?.task;
    leases[i] = given?.leaseId ?? claimed?.lease_id ?? '0';
    attempts[i] = given?.attempts ?? claimed?.attempts ?? 0;
    startedMs[i] = given?.startedMs ?? claimed?.started_ms ?? 0;
  }
  const params: unknown[] = [
    textArrayLiteral(ids),
    textArrayLiteral(states),
    textArrayLiteral(codes),
    textArrayLiteral(messages),
    numberArrayLiteral(endedMs),
  ];
  return { params, run: { attempts, startedMs, leases } };
}

/** The claimed tasks that changed: all but the ids the statement returned (refused). */
function finishedFromClaims(items: FinishItem[], refusedRows: Array<{ id: string }>): FinishedTask[] {
  if (refusedRows.length === 0) return items.map((item) => fromClaim(item, item.claim!));
  const refused = new Set<string>();
  for (const row of refusedRows) refused.add(row.id);
  return items.filter((item) => !refused.has(item.id)).map((item) => fromClaim(item, item.claim!));
}

/** The tasks that changed, from the rows the statement read back. */
function finishedFromRows(items: FinishItem[], rows: any[]): FinishedTask[] {
  const byId = new Map<string, FinishItem>();
  for (const item of items) byId.set(item.id, item);
  return rows.map((row) => fromRow(byId.get(row.id)!, row));
}
