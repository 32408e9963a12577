import type { Cursor } from './list-tasks.ts';

/** A SQL condition over the table alias it is given. */
export type Clause = (alias: string) => string;

/** One of the project's run bounds (0007_project_run_bounds.sql); NULL when none of its tasks has ended. */
export const RUN_BOUND = (col: 'max_run' | 'min_run') =>
  `(SELECT b.${col} FROM project_run_bounds b WHERE b.account_id = $1 AND b.project_name = $2)`;

/**
 * ListTasks in EndTime order without an index on `ended_at` (one would make every finish a non-HOT update):
 * unfinished tasks sort as if they ended at infinity, so the page is built from two parts.
 *
 * - Unfinished tasks are found through their `task_queue` rows (waiting) and the lease rows (running: as
 *   many as the workers' slots, across projects), in id order.
 * - Finished tasks are read from a window of start times. Take the N eligible finished tasks nearest the
 *   page's start in start-time order (descending: the N latest started); the N-th of them started at c. Each of
 *   them ended at c + min_run or later, so the page's last end time is at least that, and a task on the page
 *   started at c + min_run − max_run or later. Ascending, symmetrically, no later than c + max_run − min_run.
 *   When the project's runs are alike the window is a few pages of the start-time index instead of the
 *   project.
 *
 * The bounds come from 0007_project_run_bounds.sql; a missing bound or fewer than N eligible tasks leave the
 * window open, never too narrow.
 */
export function endTimeOrderedQuery(q: {
  filters: Clause[];
  params: unknown[];
  cursor: Cursor | undefined;
  order: 'asc' | 'desc';
  limit: number;
  select: string;
  join: string;
}): string {
  const { params, cursor } = q;
  const desc = q.order === 'desc';
  const dir = desc ? 'DESC' : 'ASC';
  const cmp = desc ? '<' : '>';
  const push = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const limit = push(q.limit);
  const inUnfinished = cursor?.k?.toLowerCase() === 'infinity';
  const finished = cursor && !inUnfinished ? finishedAfter(cursor, push, desc) : [];
  const where = (a: string, extra: Clause[]) => [...q.filters, ...extra].map((c) => c(a)).join(' AND ');

  const parts: string[] = [];
  // Descending, unfinished tasks come first: they are on this page unless the cursor is past them.
  // Ascending they come last: on this page whenever the cursor is not already among them.
  if (!desc || !cursor || inUnfinished) {
    const afterId: Clause[] = inUnfinished ? [(a) => `${a}.id ${cmp} ${push(cursor!.id)}`] : [];
    parts.push(`(SELECT t.*${q.select}, 'infinity'::timestamptz AS sort_key FROM tasks t ${q.join}
      WHERE ${where('t', [...UNFINISHED, ...afterId])}
      ORDER BY t.id ${dir} LIMIT ${limit})`);
  }
  // Finished tasks: all of them after the unfinished ones descending; ascending, none once past them.
  if (desc || !inUnfinished) {
    const eligible: Clause[] = [(a) => `${a}.ended_at IS NOT NULL`, ...finished];
    const nth = `(SELECT c.created_at FROM tasks c WHERE ${where('c', eligible)}
      ORDER BY c.created_at ${dir} OFFSET ${limit}::int - 1 LIMIT 1)`;
    const spread = `(${RUN_BOUND('max_run')} - ${RUN_BOUND('min_run')})`;
    // Written as a range with the open end spelled out: with one bound unknown at planning time the planner
    // guesses a third of the table for `>=` alone (and plans parallel workers that cost more than the scan),
    // a small slice for a range.
    const window: Clause = desc
      ? (a) => `${a}.created_at BETWEEN coalesce(${nth} - ${spread}, '-infinity') AND 'infinity'`
      : (a) => `${a}.created_at BETWEEN '-infinity' AND coalesce(${nth} + ${spread}, 'infinity')`;
    parts.push(`(SELECT t.*${q.select}, t.ended_at AS sort_key FROM tasks t ${q.join}
      WHERE ${where('t', [...eligible, window])}
      ORDER BY t.ended_at ${dir}, t.id ${dir} LIMIT ${limit})`);
  }
  return `SELECT * FROM (${parts.join(' UNION ALL ')}) page ORDER BY sort_key ${dir}, id ${dir} LIMIT ${limit}`;
}

const UNFINISHED: Clause[] = [
  (a) => `${a}.ended_at IS NULL`,
  (a) =>
    `${a}.id IN (SELECT u.task_id FROM task_queue u WHERE u.account_id = $1 AND u.project_name = $2
      UNION ALL SELECT unnest(l.task_ids) FROM task_leases l)`,
];

/**
 * Finished tasks past a cursor among them: the row comparison, and the start times it implies for the index
 * (descending, an end at k or before means a start at k − min_run or before; ascending, an end at k or after,
 * a start at k − max_run or after: equal end times are told apart by the id).
 */
function finishedAfter(cursor: Cursor, push: (v: unknown) => string, desc: boolean): Clause[] {
  const k = push(cursor.k);
  const id = push(cursor.id);
  const started = desc
    ? (a: string) => `${a}.created_at <= coalesce(${k}::timestamptz - ${RUN_BOUND('min_run')}, 'infinity')`
    : (a: string) => `${a}.created_at >= coalesce(${k}::timestamptz - ${RUN_BOUND('max_run')}, '-infinity')`;
  return [(a) => `(${a}.ended_at, ${a}.id) ${desc ? '<' : '>'} (${k}::timestamptz, ${id})`, started];
}
