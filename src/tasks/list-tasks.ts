import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types.ts';
import { Errors } from '../protocol/errors.ts';
import { type Clause, endTimeOrderedQuery, RUN_BOUND } from './list-tasks-by-end.ts';
import type { TaskRow, TaskState } from './model.ts';

export interface ListTasksFilter {
  accountId: string;
  projectName: string;
  taskTypes?: string[];
  states?: TaskState[];
  tags?: Record<string, string>;
  startTimeRange?: { start?: Date; end?: Date };
  endTimeRange?: { start?: Date; end?: Date };
  sort: 'TaskId' | 'StartTime' | 'EndTime';
  order: 'asc' | 'desc';
  maxResults: number;
  nextToken?: string;
}

export interface ListTasksPage {
  rows: Array<TaskRow & { definition?: string }>;
  nextToken?: string;
}

/**
 * Keyset pagination: the token holds the last row's sort key and id, plus a hash of the filters so that a
 * token is refused with other filters. Rows created while paging never shift the pages already served.
 */
export async function listTasks(
  db: Queryable,
  f: ListTasksFilter,
  opts: { withDefinition?: boolean } = {},
): Promise<ListTasksPage> {
  const params: unknown[] = [f.accountId, f.projectName];
  const filters = filterClauses(f, params);
  const filterHash = hashFilter(f);
  const cursor = f.nextToken ? decodeToken(f.nextToken, filterHash) : undefined;
  const select = opts.withDefinition ? ', p.definition' : '';
  const join = opts.withDefinition ? 'LEFT JOIN task_payloads p ON p.task_id = t.id' : '';
  const limit = f.maxResults + 1;
  const sql =
    f.sort === 'EndTime'
      ? endTimeOrderedQuery({ filters, params, cursor, order: f.order, limit, select, join })
      : startOrIdOrderedQuery({ filters, params, cursor, f, limit, select, join });
  const r = await db.query<TaskRow & { definition?: string; sort_key?: Date | string | number | null }>(
    sql,
    params,
  );
  const rows = r.rows.slice(0, f.maxResults);
  let nextToken: string | undefined;
  if (r.rows.length > f.maxResults) {
    const last = rows.at(-1)!;
    nextToken = encodeToken({
      k: f.sort === 'TaskId' ? undefined : sortKeyString(last.sort_key ?? null),
      id: last.id,
      h: filterHash,
    });
  }
  return { rows, nextToken };
}

/** The request's filters as clauses over a table alias, their values appended to `params`. */
function filterClauses(f: ListTasksFilter, params: unknown[]): Clause[] {
  const clauses: Clause[] = [(a) => `${a}.account_id = $1`, (a) => `${a}.project_name = $2`];
  const add = (sql: (a: string, p: string) => string, value: unknown) => {
    params.push(value);
    const p = `$${params.length}`;
    clauses.push((a) => sql(a, p));
  };
  if (f.taskTypes?.length) add((a, p) => `${a}.type = ANY(${p}::text[])`, f.taskTypes);
  if (f.states?.length) add((a, p) => `${a}.state = ANY(${p}::text[])`, f.states);
  if (f.tags && Object.keys(f.tags).length > 0)
    add((a, p) => `${a}.tags @> ${p}::jsonb`, JSON.stringify(f.tags));
  if (f.startTimeRange?.start) add((a, p) => `${a}.created_at >= ${p}`, f.startTimeRange.start);
  if (f.startTimeRange?.end) add((a, p) => `${a}.created_at < ${p}`, f.startTimeRange.end);
  if (f.endTimeRange?.start) add((a, p) => `${a}.ended_at >= ${p}`, f.endTimeRange.start);
  if (f.endTimeRange?.end) add((a, p) => `${a}.ended_at < ${p}`, f.endTimeRange.end);
  // Implied by the project's longest and shortest runs (0007_project_run_bounds.sql): they let the start-time
  // index serve an EndTimeRange. No bounds row means no finished task: comparing with NULL matches nothing.
  if (f.endTimeRange?.start)
    add((a, p) => `${a}.created_at >= ${p}::timestamptz - ${RUN_BOUND('max_run')}`, f.endTimeRange.start);
  if (f.endTimeRange?.end)
    add((a, p) => `${a}.created_at < ${p}::timestamptz - ${RUN_BOUND('min_run')}`, f.endTimeRange.end);
  if (f.endTimeRange) clauses.push((a) => `${a}.ended_at IS NOT NULL`);
  return clauses;
}

/** TaskId or StartTime order: one index range scan, the cursor a row comparison. */
function startOrIdOrderedQuery(q: {
  filters: Clause[];
  params: unknown[];
  cursor: Cursor | undefined;
  f: ListTasksFilter;
  limit: number;
  select: string;
  join: string;
}): string {
  const where = q.filters.map((c) => c('t'));
  const byStart = q.f.sort === 'StartTime';
  const cmp = q.f.order === 'asc' ? '>' : '<';
  if (q.cursor) {
    if (byStart) {
      q.params.push(q.cursor.k, q.cursor.id);
      where.push(`(t.created_at, t.id) ${cmp} ($${q.params.length - 1}::timestamptz, $${q.params.length})`);
    } else {
      q.params.push(q.cursor.id);
      where.push(`t.id ${cmp} $${q.params.length}`);
    }
  }
  const dir = q.f.order === 'asc' ? 'ASC' : 'DESC';
  q.params.push(q.limit);
  return `SELECT t.*${q.select}${byStart ? ', t.created_at AS sort_key' : ''} FROM tasks t ${q.join}
    WHERE ${where.join(' AND ')}
    ORDER BY ${byStart ? `t.created_at ${dir}, ` : ''}t.id ${dir} LIMIT $${q.params.length}`;
}

function sortKeyString(v: Date | string | number | null): string {
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : 'infinity';
  // node-postgres reads an infinite timestamp as the number Infinity
  return v === null || typeof v === 'number' ? 'infinity' : String(v);
}

export interface Cursor {
  k?: string;
  id: string;
  h: string;
}

function encodeToken(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeToken(token: string, filterHash: string): Cursor {
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw Errors.invalidArgument('Specified parameter NextToken is not valid.');
  }
  if (!c || typeof c.id !== 'string' || c.h !== filterHash) {
    throw Errors.invalidArgument('Specified parameter NextToken is not valid for these filters.');
  }
  return c;
}

function hashFilter(f: ListTasksFilter): string {
  const { nextToken: _t, maxResults: _m, ...rest } = f;
  return createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 12);
}
