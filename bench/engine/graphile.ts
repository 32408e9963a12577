/**
 * graphile-worker 0.17 with the settings its performance page uses: concurrency 24, a local queue of 500
 * and batched completion (completeJobBatchDelay 0, failJobBatchDelay 0).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger, makeWorkerUtils, type Runner, run, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { metered } from './cpu.ts';
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

const silent = new Logger(() => () => {});

const PERFORMANCE_PRESET = {
  worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 },
};

/**
 * Pools of node-postgres' default size (10, as graphile-worker makes them), one per role like its own
 * `connectionString` handling would: ended and awaited here, so dropping the database afterwards never
 * kills a connection a pool still holds.
 */
async function withPools<T>(url: string, fn: (pool: () => pg.Pool) => Promise<T>): Promise<T> {
  const pools: pg.Pool[] = [];
  const make = () => {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    pools.push(pool);
    return pool;
  };
  try {
    return await fn(make);
  } finally {
    for (const p of pools) await p.end();
  }
}

async function utils(pool: pg.Pool): Promise<WorkerUtils> {
  const u = await makeWorkerUtils({ pgPool: pool, logger: silent });
  await u.migrate();
  return u;
}

function startRunner(pool: pg.Pool, noop: (payload: unknown) => void): Promise<Runner> {
  return run({
    pgPool: pool,
    concurrency: 24,
    noHandleSignals: true,
    logger: silent,
    crontab: '',
    taskList: {
      noop: async (payload) => {
        noop(payload);
      },
    },
    preset: PERFORMANCE_PRESET,
  });
}

/** Jobs/s through single `addJob` calls with `inFlight` outstanding (no worker running). */
export async function graphileCreate(
  adminUrl: string,
  url: string,
  opts: { durationMs: number; warmupMs: number; inFlight: number },
): Promise<Throughput> {
  return withPools(url, async (pool) => {
    const u = await utils(pool());
    try {
      await closedLoopFor(opts.warmupMs, opts.inFlight, () => u.addJob('noop', {}));
      return await metered({ adminUrl, url }, () =>
        closedLoopFor(opts.durationMs, opts.inFlight, () => u.addJob('noop', {})),
      );
    } finally {
      await u.release();
    }
  });
}

/** Jobs/s from `count` queued jobs (added in batches of 1,000) to all of them completed (deleted). */
export async function graphileDrain(
  adminUrl: string,
  url: string,
  opts: { count: number; budgetMs: number },
): Promise<DrainResult> {
  return withPools(url, async (pool) => {
    const u = await utils(pool());
    try {
      for (let added = 0; added < opts.count; added += 1000) {
        const n = Math.min(1000, opts.count - added);
        await u.addJobs(Array.from({ length: n }, () => ({ identifier: 'noop', payload: {} })));
      }
      await u.withPgClient((c) => c.query('ANALYZE graphile_worker._private_jobs'));
      let runs = 0;
      return await metered({ adminUrl, url }, async () => {
        const started = performance.now();
        const runner = await startRunner(pool(), () => {
          runs++;
        });
        try {
          return await timeDrain({
            started,
            total: opts.count,
            budgetMs: opts.budgetMs,
            ran: () => runs,
            committed: () =>
              u.withPgClient(async (c) => {
                const r = await c.query<{ n: number }>(
                  'SELECT count(*)::int AS n FROM graphile_worker._private_jobs',
                );
                return opts.count - r.rows[0]!.n;
              }),
          });
        } finally {
          await runner.stop();
        }
      });
    } finally {
      await u.release();
    }
  });
}

/** Create-to-start for a trickle of `addJob` calls on an idle queue. */
export async function graphileLatency(
  url: string,
  opts: { count: number; rate: number; waitMs: number },
): Promise<LatencySamples> {
  return withPools(url, async (pool) => {
    const u = await utils(pool());
    const rec = latencyRecorder(opts.count);
    const runner = await startRunner(pool(), (payload) =>
      rec.started((payload as { k: string }).k, performance.now()),
    );
    try {
      await sleep(200);
      let i = 0;
      await trickle(opts.count, opts.rate, async () => {
        const k = String(i++);
        rec.called(k, performance.now());
        await u.addJob('noop', { k });
        rec.returned(k, performance.now());
      });
      await waitUntil(() => rec.startedCount >= opts.count, 2, opts.waitMs);
      return rec.samples();
    } finally {
      await runner.stop();
      await u.release();
    }
  });
}
