/**
 * openimm's in-process worker (createWorker) on a no-op processor: drain of a bulk-inserted backlog, and
 * create-to-start latency of a trickle of tasks inserted the way CreateXXXTask inserts them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { serverConfigSchema } from '../../src/config/config.ts';
import type { Db } from '../../src/db/types.ts';
import { defaultProcessorLimits, type TaskProcessor } from '../../src/processors/types.ts';
import { createStorageRegistry } from '../../src/storage/registry.ts';
import { cachedTaskStorage } from '../../src/storage/task-storage-cache.ts';
import { newEventId, newTaskId } from '../../src/tasks/ids.ts';
import { insertTask, type NewTask } from '../../src/tasks/sql/insert-task.ts';
import { createWorker, type Worker } from '../../src/tasks/worker.ts';
import { type CpuTarget, metered } from './cpu.ts';
import { makeNoopProcessor, NOOP_TYPE } from './noop-processor.ts';
import {
  type DrainResult,
  type LatencySamples,
  latencyRecorder,
  timeDrain,
  trickle,
  waitUntil,
} from './timing.ts';

const ACCOUNT = '1000000000000001';
const PROJECT = 'bench';

export interface WorkerSetup {
  concurrency: number;
  /** Parent of the workers' scratch folders (the server puts them under its data folder). */
  tmpParent: string;
}

async function seed(db: Db) {
  await db.query('INSERT INTO accounts (id) VALUES ($1) ON CONFLICT DO NOTHING', [ACCOUNT]);
  await db.query(
    `INSERT INTO projects (account_id, name, service_role) VALUES ($1, $2, 'AliyunIMMDefaultRole')
     ON CONFLICT DO NOTHING`,
    [ACCOUNT, PROJECT],
  );
}

/** Runs `fn` with a started worker; stops it and removes its scratch folder afterwards. */
async function withWorker<T>(
  db: Db,
  processor: TaskProcessor,
  setup: WorkerSetup,
  fn: (worker: Worker) => Promise<T>,
): Promise<T> {
  const tmpRoot = await mkdtemp(path.join(setup.tmpParent, 'openimm-bench-'));
  const registry = createStorageRegistry(undefined, { dataDir: tmpRoot, region: 'cn-hangzhou' });
  const base = serverConfigSchema.parse({}).worker;
  const worker = createWorker({
    db,
    processors: new Map([[processor.type, processor]]),
    storageFor: cachedTaskStorage(registry),
    region: 'cn-hangzhou',
    limits: defaultProcessorLimits,
    tmpRoot,
    log: pino({ level: process.env.OPENIMM_BENCH_LOG ?? 'silent' }),
    // The light class has its own cap (64 by default): lift it with the global one.
    config: {
      ...base,
      concurrency: setup.concurrency,
      classConcurrency: { ...base.classConcurrency, light: setup.concurrency },
    },
    onFinished: async () => {},
  });
  try {
    await worker.start();
    return await fn(worker);
  } finally {
    await worker.stop(1000);
    await rm(tmpRoot, { recursive: true, force: true });
  }
}

/** `count` queued no-op tasks in one statement, ranked as the create path ranks them (one project). */
export async function bulkInsertTasks(db: Db, count: number): Promise<void> {
  await db.query(
    `WITH g AS (
       SELECT i, $2 || '-' || gen_random_uuid() AS id FROM generate_series(1, $1::int) AS i
     ), t AS (
       INSERT INTO tasks (id, account_id, project_name, type, work_class, event_id, request_id, created_at)
       SELECT id, $3, $4, $2, 'light', 'EV-' || i, 'REQ', now() FROM g
       RETURNING id
     ), p AS (
       INSERT INTO task_payloads (task_id, params, definition) SELECT id, '{}', '{}' FROM t
     )
     INSERT INTO task_queue (task_id, account_id, project_name, work_class, queue_rank, created_at, type,
       max_attempts, event_id, request_id, params)
     SELECT id, $3, $4, 'light', i, now(), $2, 3, 'EV-' || i, 'REQ', '{}' FROM g`,
    [count, NOOP_TYPE, ACCOUNT, PROJECT],
  );
}

/** Tasks/s from `count` queued tasks to all of them committed terminal (or what was, within the budget). */
export async function openimmDrain(
  db: Db,
  opts: WorkerSetup & { count: number; budgetMs: number; cpu: CpuTarget },
): Promise<DrainResult> {
  await seed(db);
  await bulkInsertTasks(db, opts.count);
  await db.query('ANALYZE tasks');
  await db.query('ANALYZE task_queue');
  let runs = 0;
  const processor = makeNoopProcessor(() => {
    runs++;
  });
  return metered(opts.cpu, () => {
    const started = performance.now();
    return withWorker(db, processor, opts, () =>
      timeDrain({
        started,
        total: opts.count,
        budgetMs: opts.budgetMs,
        ran: () => runs,
        committed: async () =>
          (
            await db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM tasks WHERE state IN ('succeeded', 'failed')`,
            )
          ).rows[0]!.n,
      }),
    );
  });
}

/**
 * Create-to-start for a trickle of tasks on an idle queue: each created by one statement through
 * `creator` (the API's connection pool), started by the worker on `db`.
 */
export async function openimmLatency(
  db: Db,
  creator: Db,
  opts: WorkerSetup & { count: number; rate: number; waitMs: number },
): Promise<LatencySamples> {
  await seed(db);
  const rec = latencyRecorder(opts.count);
  const processor = makeNoopProcessor((id, at) => rec.started(id, at));
  return withWorker(db, processor, opts, async () => {
    await sleep(200); // idle: the worker is listening and has nothing to do
    await trickle(opts.count, opts.rate, async () => {
      const id = newTaskId(NOOP_TYPE);
      rec.called(id, performance.now());
      await insertTask(creator, newTask(id));
      rec.returned(id, performance.now());
    });
    await waitUntil(() => rec.startedCount >= opts.count, 2, opts.waitMs);
    return rec.samples();
  });
}

function newTask(id: string): NewTask {
  return {
    id,
    accountId: ACCOUNT,
    projectName: PROJECT,
    type: NOOP_TYPE,
    workClass: 'light',
    maxAttempts: 3,
    eventId: newEventId(),
    requestId: 'REQ',
    createdAt: new Date(),
    userData: '',
    tags: {},
    params: {},
    definition: '{}',
    notification: [],
    extendedMessageUri: '',
  };
}
