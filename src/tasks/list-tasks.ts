import { createHash } from 'node:crypto';
import type { Queryable } from '../db/types.ts';
import { Errors } from '../protocol/errors.ts';
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

const SORT_EXPR = {
  TaskId: null,
  StartTime: 't.created_at',
  EndTime: "coalesce(t.ended_at, 'infinity'::timestamptz)",
} as const;

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
  const where = ['t.account_id = $1', 't.project_name = $2'];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.taskTypes?.length) add((p) => `t.type = ANY(${p}::text[])`, f.taskTypes);
  if (f.states?.length) add((p) => `t.state = ANY(${p}::text[])`, f.states);
  if (f.tags && Object.keys(f.tags).length > 0) add((p) => `t.tags @> ${p}::jsonb`, JSON.stringify(f.tags));
  if (f.startTimeRange?.start) add((p) => `t.created_at >= ${p}`, f.startTimeRange.start);
  if (f.startTimeRange?.end) add((p) => `t.created_at < ${p}`, f.startTimeRange.end);
  if (f.endTimeRange?.start) add((p) => `t.ended_at >= ${p}`, f.endTimeRange.start);
  if (f.endTimeRange?.end) add((p) => `t.ended_at < ${p}`, f.endTimeRange.end);
  // Implied by the project's longest and shortest runs (0007_project_run_bounds.sql): they let the start-time
  // index serve an EndTimeRange. No bounds row means no finished task: comparing with NULL matches nothing.
  const runBound = (col: 'max_run' | 'min_run') =>
    `(SELECT b.${col} FROM project_run_bounds b WHERE b.account_id = $1 AND b.project_name = $2)`;
  if (f.endTimeRange?.start)
    add((p) => `t.created_at >= ${p}::timestamptz - ${runBound('max_run')}`, f.endTimeRange.start);
  if (f.endTimeRange?.end)
    add((p) => `t.created_at < ${p}::timestamptz - ${runBound('min_run')}`, f.endTimeRange.end);
  if (f.endTimeRange) where.push('t.ended_at IS NOT NULL');

  const filterHash = hashFilter(f);
  const sortExpr = SORT_EXPR[f.sort];
  const cmp = f.order === 'asc' ? '>' : '<';
  if (f.nextToken) {
    const cursor = decodeToken(f.nextToken, filterHash);
    if (sortExpr) {
      params.push(cursor.k, cursor.id);
      where.push(`(${sortExpr}, t.id) ${cmp} ($${params.length - 1}::timestamptz, $${params.length})`);
    } else {
      add((p) => `t.id ${cmp} ${p}`, cursor.id);
    }
  }
  const dir = f.order === 'asc' ? 'ASC' : 'DESC';
  const orderBy = sortExpr ? `${sortExpr} ${dir}, t.id ${dir}` : `t.id ${dir}`;
  params.push(f.maxResults + 1);
  const select = opts.withDefinition ? ', p.definition' : '';
  const join = opts.withDefinition ? 'LEFT JOIN task_payloads p ON p.task_id = t.id' : '';
  const r = await db.query<TaskRow & { definition?: string; sort_key: Date | string | null }>(
    `SELECT t.*${select}${sortExpr ? `, ${sortExpr} AS sort_key` : ''} FROM tasks t ${join}
     WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT $${params.length}`,
    params,
  );
  const rows = r.rows.slice(0, f.maxResults);
  let nextToken: string | undefined;
  if (r.rows.length > f.maxResults) {
    const last = rows.at(-1)!;
    nextToken = encodeToken({
      k: sortExpr ? sortKeyString(last.sort_key) : undefined,
      id: last.id,
      h: filterHash,
    });
  }
  return { rows, nextToken };
}

function sortKeyString(v: Date | string | null): string {
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : 'infinity';
  return v === null ? 'infinity' : String(v);
}

interface Cursor {
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
