import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { z } from 'zod';
import type { ServerConfig } from '../../src/config/config.ts';
import { serverConfigSchema } from '../../src/config/config.ts';
import type { Db } from '../../src/db/types.ts';
import { TaskError } from '../../src/processors/task-error.ts';
import { defaultProcessorLimits, type TaskProcessor } from '../../src/processors/types.ts';
import { createStorageRegistry } from '../../src/storage/registry.ts';
import { createScopedStorage } from '../../src/storage/scoped.ts';
import type { OnFinished } from '../../src/tasks/completion-batcher.ts';
import { newEventId, newTaskId } from '../../src/tasks/ids.ts';
import { insertTask } from '../../src/tasks/sql/insert-task.ts';
import { createWorker } from '../../src/tasks/worker.ts';

/** A processor for engine tests: sleeps, reports progress, fails on request, and honours its signal. */
export function makeTestProcessor(record: { runs: string[] } = { runs: [] }): TaskProcessor<{
  Ms: number;
  Fail?: string;
  Transient?: number;
}> {
  const attempts = new Map<string, number>();
  return {
    type: 'TestSleep',
    action: 'CreateTestSleepTask',
    eventName: 'TestSleep',
    workClass: 'light',
    params: z.object({
      Ms: z.coerce.number().default(0),
      Fail: z.string().optional(),
      Transient: z.coerce.number().optional(),
    }),
    async validate() {},
    async run(p, ctx) {
      record.runs.push(ctx.taskId);
      const n = (attempts.get(ctx.taskId) ?? 0) + 1;
      attempts.set(ctx.taskId, n);
      ctx.progress(50);
      await sleep(p.Ms, undefined, { signal: ctx.signal }).catch(() => {});
      if (ctx.signal.aborted) throw new Error('aborted');
      if (p.Transient && n <= p.Transient) throw new TaskError('InternalError', 'flaky', { transient: true });
      if (p.Fail) throw new TaskError(p.Fail, `failed on purpose: ${p.Fail}`);
      return { content: { Slept: p.Ms } };
    },
  };
}

export const quietLog = pino({ level: 'silent' });

export function testWorkerConfig(overrides: Partial<ServerConfig['worker']> = {}): ServerConfig['worker'] {
  return { ...serverConfigSchema.parse({}).worker, ...overrides };
}

export async function seedAccount(db: Db, accountId = '1000000000000001', project = 'p1') {
  await db.query('INSERT INTO accounts (id) VALUES ($1) ON CONFLICT DO NOTHING', [accountId]);
  await db.query(
    `INSERT INTO projects (account_id, name, service_role) VALUES ($1, $2, 'AliyunIMMDefaultRole') ON CONFLICT DO NOTHING`,
    [accountId, project],
  );
  return { accountId, project };
}

export async function addTestTask(
  db: Db,
  opts: {
    accountId?: string;
    project?: string;
    params?: Record<string, unknown>;
    tags?: Record<string, string>;
    maxAttempts?: number;
    createdAt?: Date;
    workClass?: string;
  } = {},
): Promise<string> {
  const id = newTaskId('TestSleep');
  await insertTask(db, {
    id,
    accountId: opts.accountId ?? '1000000000000001',
    projectName: opts.project ?? 'p1',
    type: 'TestSleep',
    workClass: opts.workClass ?? 'light',
    maxAttempts: opts.maxAttempts ?? 3,
    eventId: newEventId(),
    requestId: 'REQ',
    createdAt: opts.createdAt ?? new Date(),
    userData: '',
    tags: opts.tags ?? {},
    params: opts.params ?? { Ms: 0 },
    definition: '{}',
    notification: [],
    extendedMessageUri: '',
  });
  return id;
}

export function startTestWorker(
  db: Db,
  processor: TaskProcessor,
  opts: { onFinished?: OnFinished; config?: Partial<ServerConfig['worker']>; tmpRoot: string },
) {
  return createWorker({
    db,
    processors: new Map([[processor.type, processor]]),
    storageFor: (scope) =>
      createScopedStorage(
        createStorageRegistry(undefined, { dataDir: opts.tmpRoot, region: 'cn-hangzhou' }),
        scope,
      ),
    region: 'cn-hangzhou',
    limits: defaultProcessorLimits,
    tmpRoot: opts.tmpRoot,
    log: quietLog,
    config: testWorkerConfig(opts.config),
    onFinished: opts.onFinished ?? (async () => {}),
    sweepMs: 200,
    progressIntervalMs: 50,
  });
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  stepMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await sleep(stepMs);
  }
}

export async function taskState(db: Db, id: string) {
  const r = await db.query<{
    state: string;
    code: string;
    message: string;
    attempts: number;
    progress: number;
  }>(
    // An unfinished task waits (its queue row has its attempt count) or runs (a lease holds it, with its
    // attempt count); 'running' is this helper's name for the latter.
    `SELECT CASE WHEN l.attempts IS NOT NULL THEN 'running' ELSE t.state END AS state, t.code, t.message,
       coalesce(q.attempts, l.attempts, t.attempts) AS attempts, t.progress
     FROM tasks t LEFT JOIN task_queue q ON q.task_id = t.id
     LEFT JOIN LATERAL (
       SELECT m.attempts FROM task_leases l CROSS JOIN LATERAL unnest(l.task_ids, l.attempts) AS m(id, attempts)
       WHERE m.id = t.id LIMIT 1
     ) l ON t.state = 'queued'
     WHERE t.id = $1`,
    [id],
  );
  return r.rows[0];
}
