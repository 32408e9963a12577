/**
 * Task engine benchmark (`npm run bench:engine`): three figures of openimm's queue, each beside the same
 * figure for graphile-worker 0.17 (its performance settings) and for a minimal raw `SKIP LOCKED` claim-50
 * loop, all measured in this run, first on PostgreSQL, then on PGlite (in memory, no graphile-worker there).
 *
 * - create path: tasks/s created through the real HTTP API (CreateFileCompressionTask, signed, 16 in
 *   flight, worker role off) until committed; peers: graphile-worker's addJob and a raw INSERT, 16 in flight;
 * - drain: tasks/s from a bulk-inserted backlog of no-op tasks to all of them committed terminal;
 * - latency: create-to-start p50/p99 for a trickle of tasks on an idle queue.
 * Rates come with the CPU time per task (this process and the run's PostgreSQL backends): steadier than
 * wall-clock rates on a shared machine. docs/performance.md explains the figures and holds a measured table.
 *
 *   npm run bench:engine -- [--quick] [--database postgres://postgres@127.0.0.1:5432/postgres]
 *     [--backends postgres,pglite] [--drain-tasks 20000] [--concurrency 500] [--tmp-dir <dir>]
 *     [--figures create,drain,latency] [--systems openimm,graphile,raw]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type Backend, createPostgresDatabase, type OpenDb, openDb } from './engine/databases.ts';
import { graphileCreate, graphileDrain, graphileLatency } from './engine/graphile.ts';
import { openimmCreate } from './engine/openimm-create.ts';
import { openimmDrain, openimmLatency } from './engine/openimm-engine.ts';
import { rawCreate, rawDrain, rawLatency } from './engine/raw-queue.ts';
import { emptyFigures, type Figures, printReport } from './engine/report.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    backends: { type: 'string', default: 'postgres,pglite' },
    'drain-tasks': { type: 'string' },
    concurrency: { type: 'string', default: '500' },
    'tmp-dir': { type: 'string', default: os.tmpdir() },
    figures: { type: 'string', default: 'create,drain,latency' },
    systems: { type: 'string', default: 'openimm,graphile,raw' },
  },
});
// Subsets for profiling one system's figure (`node --cpu-prof`); the table in the docs is a full run.
const FIGURES = new Set(values.figures!.split(',').map((f) => f.trim()));
const SYSTEMS = new Set(values.systems!.split(',').map((s) => s.trim()));
const want = (system: 'openimm' | 'graphile' | 'raw') => SYSTEMS.has(system);

const quick = values.quick!;
const SIZES = {
  createMs: quick ? 3000 : 6000,
  createWarmupMs: quick ? 500 : 1000,
  inFlight: 16,
  drainTasks: Number(values['drain-tasks'] ?? (quick ? 3000 : 20_000)),
  drainBudgetMs: quick ? 15_000 : 45_000,
  latencyTasks: quick ? 300 : 1000,
  latencyRate: 100,
  latencyWaitMs: quick ? 5000 : 10_000,
  concurrency: Number(values.concurrency),
  latencyConcurrency: 24,
  rawLoops: 4,
};
const TMP = values['tmp-dir']!;

/** One database per measurement: nothing carries over from one system or figure to the next. */
async function withDb<T>(backend: Backend, schema: 'openimm' | 'bare', fn: (d: OpenDb) => Promise<T>) {
  const d = await openDb(backend, schema === 'openimm' ? 'openimm' : 'raw', schema);
  try {
    return await fn(d);
  } finally {
    await d.close();
  }
}

async function withEmpty<T>(adminUrl: string, label: string, fn: (url: string) => Promise<T>): Promise<T> {
  const created = await createPostgresDatabase(adminUrl, label);
  try {
    return await fn(created.url);
  } finally {
    await created.drop();
  }
}

async function measureCreate(backend: Backend, f: Figures) {
  const opts = { durationMs: SIZES.createMs, warmupMs: SIZES.createWarmupMs, inFlight: SIZES.inFlight };
  if (backend.kind === 'postgres') {
    const { adminUrl } = backend;
    if (want('openimm'))
      f.create.openimm = await withEmpty(adminUrl, 'openimm', (url) =>
        openimmCreate({ ...opts, postgres: { adminUrl, url } }),
      );
    if (want('graphile'))
      f.create.graphile = await withEmpty(adminUrl, 'graphile', (url) => graphileCreate(adminUrl, url, opts));
  } else if (want('openimm')) {
    f.create.openimm = await openimmCreate(opts);
  }
  if (want('raw'))
    f.create.raw = await withDb(backend, 'bare', (d) => rawCreate(d.db, { ...opts, cpu: d.postgres }));
}

async function measureDrain(backend: Backend, f: Figures) {
  const opts = { count: SIZES.drainTasks, budgetMs: SIZES.drainBudgetMs };
  if (want('openimm'))
    f.drain.openimm = await withDb(backend, 'openimm', (d) =>
      openimmDrain(d.db, { ...opts, concurrency: SIZES.concurrency, tmpParent: TMP, cpu: d.postgres }),
    );
  if (backend.kind === 'postgres' && want('graphile')) {
    const { adminUrl } = backend;
    f.drain.graphile = await withEmpty(adminUrl, 'graphile', (url) => graphileDrain(adminUrl, url, opts));
  }
  if (want('raw'))
    f.drain.raw = await withDb(backend, 'bare', (d) =>
      rawDrain(d.db, { ...opts, loops: SIZES.rawLoops, cpu: d.postgres }),
    );
}

async function measureLatency(backend: Backend, f: Figures) {
  const opts = { count: SIZES.latencyTasks, rate: SIZES.latencyRate, waitMs: SIZES.latencyWaitMs };
  if (want('openimm'))
    f.latency.openimm = await withDb(backend, 'openimm', async (d) =>
      openimmLatency(d.db, await d.client(), {
        ...opts,
        concurrency: SIZES.latencyConcurrency,
        tmpParent: TMP,
      }),
    );
  if (backend.kind === 'postgres' && want('graphile')) {
    f.latency.graphile = await withEmpty(backend.adminUrl, 'graphile', (url) => graphileLatency(url, opts));
  }
  if (want('raw'))
    f.latency.raw = await withDb(backend, 'bare', async (d) =>
      rawLatency(d.db, await d.client(), { ...opts, loops: SIZES.rawLoops }),
    );
}

async function measure(backend: Backend): Promise<Figures> {
  const f = emptyFigures(backend.kind);
  const t0 = Date.now();
  const step = (name: string) =>
    console.error(`  ${Math.round((Date.now() - t0) / 1000)} s  ${backend.kind}: ${name}`);
  if (FIGURES.has('create')) {
    step('create path');
    await measureCreate(backend, f);
  }
  if (FIGURES.has('drain')) {
    step(`drain of ${SIZES.drainTasks} tasks`);
    await measureDrain(backend, f);
  }
  if (FIGURES.has('latency')) {
    step(`latency, ${SIZES.latencyTasks} tasks at ${SIZES.latencyRate}/s`);
    await measureLatency(backend, f);
  }
  return f;
}

/** `PostgreSQL 15.x, synchronous_commit=on`: the settings that bound a durable enqueue. */
async function postgresDescription(adminUrl: string): Promise<string> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const v = await c.query<{ v: string; s: string }>(
      "SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS s",
    );
    return `PostgreSQL ${v.rows[0]!.v} (synchronous_commit=${v.rows[0]!.s})`;
  } finally {
    await c.end();
  }
}

async function main() {
  const backends = values.backends!.split(',').map((b) => b.trim());
  const loadBefore = os.loadavg();
  const started = Date.now();
  console.error(`engine benchmark${quick ? ' (quick)' : ''}: ${JSON.stringify(SIZES)}`);
  const results: Figures[] = [];
  for (const name of backends) {
    if (name === 'postgres') results.push(await measure({ kind: 'postgres', adminUrl: values.database! }));
    else if (name === 'pglite') results.push(await measure({ kind: 'pglite' }));
    else throw new Error(`unknown backend ${name}`);
  }
  printReport(results, {
    command: [
      'npm run bench:engine',
      ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
    ].join(' '),
    sizes: SIZES,
    loadBefore,
    loadAfter: os.loadavg(),
    seconds: (Date.now() - started) / 1000,
    postgres: backends.includes('postgres') ? await postgresDescription(values.database!) : undefined,
  });
}

await main();
