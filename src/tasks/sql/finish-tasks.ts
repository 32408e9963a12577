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
    if (retire.length > 0) await retireLeases(tx, guard.kind === 'lease' ? guard.owner : '', retire);
    return [];
  }
  const known = items.every((i) => i.claim !== undefined);
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
    // The attempt: given, or the claim's.
    const run = item.run;
    const claimed = item.claim?.task;
    leases[i] = run?.leaseId ?? claimed?.lease_id ?? '0';
    attempts[i] = run?.attempts ?? claimed?.attempts ?? 0;
    startedMs[i] = run?.startedMs ?? claimed?.started_ms ?? 0;
  }
  const params: unknown[] = [
    textArrayLiteral(ids),
    textArrayLiteral(states),
    textArrayLiteral(codes),
    textArrayLiteral(messages),
    numberArrayLiteral(endedMs),
  ];
  // `v`: the outcomes this finish may commit, each with its attempt count and the task's first start. One
  // unnest over all the arrays (no join of two): the prepared statement's generic plan cannot size them, and
  // a join it guessed small ran as a nested loop over both.
  const outcome = `$1::text[], $2::text[], $3::text[], $4::text[], $5::float8[]`;
  const columns = 'id, state, code, message, ended_ms';
  let v: string;
  if (guard.kind === 'queued') {
    v = `q AS (
       DELETE FROM task_queue q WHERE q.task_id = ANY($1::text[])
       RETURNING q.task_id AS id, q.attempts, date_part('epoch', q.started_at) * 1000 AS started_ms
     ), v AS (
       SELECT o.*, q.attempts, q.started_ms FROM unnest(${outcome}) AS o(${columns}) JOIN q ON q.id = o.id
     )`;
  } else if (guard.kind === 'reaped') {
    params.push(numberArrayLiteral(attempts), numberArrayLiteral(startedMs));
    v = `v AS (SELECT * FROM unnest(${outcome}, $6::int[], $7::float8[]) AS o(${columns}, attempts, started_ms))`;
  } else {
    params.push(numberArrayLiteral(attempts), numberArrayLiteral(startedMs), `{${leases.join(',')}}`);
    params.push(guard.owner, retire);
    // The leases still held, locked so that no reaper deletes one until this commits.
    v = `held AS (
       SELECT l.id FROM task_leases l
       WHERE l.id = ANY(ARRAY(SELECT DISTINCT unnest($8::bigint[]))) AND l.owner = $9 FOR KEY SHARE
     ), retired AS (
       DELETE FROM task_leases l WHERE l.id = ANY($10::bigint[]) AND l.owner = $9
     ), v AS (
       SELECT * FROM unnest(${outcome}, $6::int[], $7::float8[], $8::bigint[])
         AS o(${columns}, attempts, started_ms, lease)
       WHERE o.lease IN (SELECT id FROM held)
     )`;
  }
  // The results go with the outcomes, in the same statement (no second round trip).
  const withContent = items.some((i) => i.content);
  if (withContent) params.push(items.map((i) => (i.content ? JSON.stringify(i.content) : null)));
  const content = withContent
    ? `, content AS (
       UPDATE task_payloads p SET content = c.content
       FROM unnest($1::text[], $${params.length}::jsonb[]) AS c(id, content)
       WHERE p.task_id = c.id AND c.content IS NOT NULL AND c.id IN (SELECT id FROM u)
     )`
    : '';
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
  if (known) {
    if (r.rows.length === 0) return items.map((item) => fromClaim(item, item.claim!));
    const refused = new Set<string>();
    for (const row of r.rows) refused.add(row.id);
    return items.filter((item) => !refused.has(item.id)).map((item) => fromClaim(item, item.claim!));
  }
  const byId = new Map<string, FinishItem>();
  for (const item of items) byId.set(item.id, item);
  return r.rows.map((row) => fromRow(byId.get(row.id)!, row));
}

/** Deletes leases of `owner` whose tasks have all been dealt with (when no outcome goes with them). */
async function retireLeases(tx: Queryable, owner: string, ids: string[]): Promise<void> {
  await tx.query('DELETE FROM task_leases WHERE id = ANY($1::bigint[]) AND owner = $2', [ids, owner]);
}

/**
 * A finished task seen through the outcome and the claim it ends: one small object per task instead of a copy
 * of sixteen fields (most are never read: a task without notification targets needs none of them).
 */
class ClaimedOutcome implements FinishedTask {
  constructor(
    private readonly item: FinishItem,
    private readonly claim: NonNullable<FinishItem['claim']>,
  ) {}
  get id() {
    return this.item.id;
  }
  get accountId() {
    return this.claim.task.account_id;
  }
  get projectName() {
    return this.claim.task.project_name;
  }
  get type() {
    return this.claim.task.type;
  }
  get eventId() {
    return this.claim.task.event_id;
  }
  get requestId() {
    return this.claim.task.request_id;
  }
  get createdAt() {
    return this.claim.task.created_at;
  }
  get endedAt() {
    return this.item.endedAt;
  }
  get userData() {
    return this.claim.task.user_data;
  }
  get tags() {
    return this.claim.task.tags;
  }
  get state() {
    return this.item.state;
  }
  get code() {
    return this.item.code;
  }
  get message() {
    return this.item.message;
  }
  get content() {
    return this.item.content;
  }
  get notification() {
    return this.claim.payload.notification;
  }
  get extendedMessageUri() {
    return this.claim.payload.extended_message_uri;
  }
}

function fromClaim(item: FinishItem, claim: NonNullable<FinishItem['claim']>): FinishedTask {
  return new ClaimedOutcome(item, claim);
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
