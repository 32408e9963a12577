/**
 * ListTasks on a large project (`npm run bench:list-tasks`): a fresh PostgreSQL database holding `--rows`
 * finished tasks of one project (and a sixth as many of another) spread over seven days, 1 % failed, 50 tag
 * values, runs of 0–600 s; then each filter and sort of ListTasks, a page of 100, timed after one warm-up
 * call (median of five). It prints milliseconds per page and the rows the page holds.
 *
 *   npm run bench:list-tasks -- [--rows 1000000] [--database postgres://postgres@127.0.0.1:5432/postgres]
 *     [--explain]   (also prints each query's plan, EXPLAIN ANALYZE)
 */
import { parseArgs } from 'node:util';
import { connectDb } from '../src/db/connect.ts';
import type { Db, Queryable } from '../src/db/types.ts';
import { type ListTasksFilter, listTasks } from '../src/tasks/list-tasks.ts';
import { createPostgresDatabase } from './engine/databases.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    explain: { type: 'boolean', default: false },
  },
});
const ROWS = Number(values.rows);
const TOTAL = Math.round(ROWS * 1.2);

const bench = await createPostgresDatabase(values.database!, 'list_tasks');
const db = await connectDb({ url: bench.url });
try {
  const started = performance.now();
  // Row g: created g × (7 days / TOTAL) after seven days ago; every sixth in the other project.
  await db.query(
    `INSERT INTO tasks (id, account_id, project_name, type, work_class, state, event_id, request_id,
       created_at, started_at, ended_at, code, tags)
     SELECT 'FileCompression-' || lpad(g::text, 9, '0') || md5(g::text), 'acc',
       CASE WHEN g % 6 = 0 THEN 'other' ELSE 'big' END,
       CASE WHEN g % 3 = 0 THEN 'MediaConvert' ELSE 'FileCompression' END, 'archive',
       CASE WHEN g % 100 = 0 THEN 'failed' ELSE 'succeeded' END, 'e', 'r', c, c, c + (g % 600) * interval '1 s',
       CASE WHEN g % 100 = 0 THEN 'InternalError' ELSE '' END, jsonb_build_object('batch', 'b' || (g % 50)::text)
     FROM generate_series(1, $1::int) g,
       LATERAL (SELECT now() - interval '7 days' + g * (interval '7 days' / $1::int) AS c) t`,
    [TOTAL],
  );
  await db.query('VACUUM ANALYZE tasks');
  console.log(`${TOTAL} tasks inserted in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const now = Date.now();
  const day = 86_400_000;
  const hourAt = (ago: number) => ({ start: new Date(now - ago), end: new Date(now - ago + 3_600_000) });
  const cases: Array<[string, Partial<ListTasksFilter>, secondPage?: boolean]> = [
    ['no filter, TaskId', {}],
    ['StartTime desc', { sort: 'StartTime', order: 'desc' }],
    ['Status Failed', { states: ['failed'] }],
    ['Status Failed, StartTime desc', { states: ['failed'], sort: 'StartTime', order: 'desc' }],
    ['TagSelector batch=b7', { tags: { batch: 'b7' } }],
    ['TaskTypes MediaConvert', { taskTypes: ['MediaConvert'] }],
    ['StartTimeRange, an hour 3 days ago', { startTimeRange: hourAt(3 * day) }],
    ['EndTimeRange, an hour 3 days ago', { endTimeRange: hourAt(3 * day) }],
    ['EndTimeRange 3 days ago, EndTime', { endTimeRange: hourAt(3 * day), sort: 'EndTime' }],
    ['EndTime desc', { sort: 'EndTime', order: 'desc' }],
    ['EndTime asc', { sort: 'EndTime', order: 'asc' }],
    ['EndTime desc, second page', { sort: 'EndTime', order: 'desc' }, true],
    ['Status Failed, EndTime desc', { states: ['failed'], sort: 'EndTime', order: 'desc' }],
  ];
  console.log('| ListTasks (page of 100) | ms | rows |\n|---|---|---|');
  for (const [name, f, secondPage] of cases) {
    const filter: ListTasksFilter = {
      accountId: 'acc',
      projectName: 'big',
      sort: 'TaskId',
      order: 'asc',
      maxResults: 100,
      ...f,
    };
    if (secondPage) filter.nextToken = (await listTasks(db, filter)).nextToken;
    const page = await listTasks(db, filter);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await listTasks(db, filter);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`| ${name} | ${times[2]!.toFixed(1)} | ${page.rows.length} |`);
    if (values.explain) console.log(await explain(db, filter));
  }
  console.log(`Command: npm run bench:list-tasks -- --rows ${ROWS}`);
} finally {
  await db.close();
  await bench.drop();
}

/** The plan of the statement listTasks sends for `filter`. */
async function explain(db: Db, filter: ListTasksFilter): Promise<string> {
  let plan = '';
  const explaining: Queryable = {
    async query<T>(sql: string, params?: unknown[]) {
      const r = await db.query<Record<string, string>>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      plan = r.rows.map((row) => Object.values(row)[0]).join('\n');
      return { rows: [] as T[], affectedRows: 0 };
    },
  };
  await listTasks(explaining, filter);
  return plan;
}
