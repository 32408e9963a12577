/**
 * The floor: a minimal queue written here, one table and one partial index. Claims 50 at a time with
 * `FOR UPDATE SKIP LOCKED`, runs them, completes them with one UPDATE over their ids; wakes on NOTIFY and
 * never sleeps while claims come back full. No leases, retries, payload table or fairness.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../src/db/types.ts';
import { type CpuTarget, metered } from './cpu.ts';
import {
  closedLoopFor,
  type DrainResult,
  type LatencySamples,
  latencyRecorder,
  type Throughput,
  timeDrain,
  trickle,
  waitUntil,
} from './timing.ts';

const CLAIM = 50;
const CHANNEL = 'raw_job_ready';

const SCHEMA = `
  CREATE TABLE raw_jobs (
    id bigserial PRIMARY KEY,
    state text NOT NULL DEFAULT 'queued',
    payload jsonb NOT NULL DEFAULT '{}',
    run_at timestamptz NOT NULL DEFAULT now(),
    locked_at timestamptz
  );
  CREATE INDEX raw_jobs_ready ON raw_jobs (id) WHERE state = 'queued'`;

async function setUp(db: Db) {
  for (const statement of SCHEMA.split(';')) await db.query(statement);
}

const INSERT_ONE = `WITH j AS (INSERT INTO raw_jobs (payload) VALUES ($1) RETURNING id)
  SELECT pg_notify('${CHANNEL}', '') FROM j`;

function addJob(db: Db, payload: object) {
  return db.query(INSERT_ONE, [JSON.stringify(payload)]);
}

/** `loops` claim loops; each runs its 50 jobs, then completes them in one statement. */
function startConsumer(db: Db, loops: number, onRun: (payload: any) => void) {
  let stopped = false;
  // A wake-up generation: a loop that saw an empty claim waits only if nothing was notified since it began.
  let generation = 0;
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    generation++;
    for (const w of waiters) w();
    waiters.clear();
  };
  const loop = async () => {
    while (!stopped) {
      const seen = generation;
      const r = await db.query<{ id: number; payload: any }>(
        `UPDATE raw_jobs SET state = 'running', locked_at = now() WHERE id IN (
           SELECT id FROM raw_jobs WHERE state = 'queued' AND run_at <= now()
           ORDER BY id LIMIT ${CLAIM} FOR UPDATE SKIP LOCKED)
         RETURNING id, payload`,
      );
      if (r.rows.length === 0) {
        if (seen === generation) await new Promise<void>((resolve) => waiters.add(resolve));
        continue;
      }
      await Promise.all(r.rows.map(async (job) => onRun(job.payload)));
      await db.query(`UPDATE raw_jobs SET state = 'done' WHERE id = ANY($1::bigint[])`, [
        r.rows.map((j) => j.id),
      ]);
    }
  };
  const running = db.listen(CHANNEL, wakeAll).then(async (unlisten) => {
    await Promise.all(Array.from({ length: loops }, loop));
    await unlisten();
  });
  return {
    async stop() {
      stopped = true;
      wakeAll();
      await running;
    },
  };
}

/** Inserts/s of single-row inserts (each with its NOTIFY), `inFlight` outstanding. */
export async function rawCreate(
  db: Db,
  opts: { durationMs: number; warmupMs: number; inFlight: number; cpu: CpuTarget },
): Promise<Throughput> {
  await setUp(db);
  await closedLoopFor(opts.warmupMs, opts.inFlight, () => addJob(db, {}));
  return metered(opts.cpu, () => closedLoopFor(opts.durationMs, opts.inFlight, () => addJob(db, {})));
}

/** Jobs/s from `count` queued jobs to all of them done (or what was, within the budget). */
export async function rawDrain(
  db: Db,
  opts: { count: number; loops: number; budgetMs: number; cpu: CpuTarget },
): Promise<DrainResult> {
  await setUp(db);
  await db.query(`INSERT INTO raw_jobs (payload) SELECT '{}' FROM generate_series(1, $1::int)`, [opts.count]);
  await db.query('ANALYZE raw_jobs');
  let runs = 0;
  return metered(opts.cpu, async () => {
    const started = performance.now();
    const consumer = startConsumer(db, opts.loops, () => {
      runs++;
    });
    try {
      return await timeDrain({
        started,
        total: opts.count,
        budgetMs: opts.budgetMs,
        ran: () => runs,
        committed: async () =>
          (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM raw_jobs WHERE state = 'done'`))
            .rows[0]!.n,
      });
    } finally {
      await consumer.stop();
    }
  });
}

/** Create-to-start for a trickle of single inserts (through `creator`) on an idle queue (consumed on `db`). */
export async function rawLatency(
  db: Db,
  creator: Db,
  opts: { count: number; rate: number; loops: number; waitMs: number },
): Promise<LatencySamples> {
  await setUp(db);
  const rec = latencyRecorder(opts.count);
  const consumer = startConsumer(db, opts.loops, (payload) => rec.started(payload.k, performance.now()));
  try {
    await sleep(200);
    let i = 0;
    await trickle(opts.count, opts.rate, async () => {
      const k = String(i++);
      rec.called(k, performance.now());
      await addJob(creator, { k });
      rec.returned(k, performance.now());
    });
    await waitUntil(() => rec.startedCount >= opts.count, 2, opts.waitMs);
    return rec.samples();
  } finally {
    await consumer.stop();
  }
}
