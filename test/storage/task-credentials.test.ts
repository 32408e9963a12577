/**
 * The task engine builds each attempt's storage from the CredentialConfig kept in the task's stored
 * request: the chain's role acts, and a chain that no longer resolves (its role left the config after
 * the task was created) fails the task once with NoPermission rather than retrying.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TaskError } from '../../src/processors/task-error.ts';
import { defaultProcessorLimits, type TaskProcessor } from '../../src/processors/types.ts';
import { AccessDeniedError } from '../../src/storage/backend.ts';
import { taskStorage } from '../../src/storage/credential-config.ts';
import { createStorageRegistry, type StorageRegistry } from '../../src/storage/registry.ts';
import { newEventId, newTaskId } from '../../src/tasks/ids.ts';
import { insertTask } from '../../src/tasks/sql/insert-task.ts';
import { createWorker } from '../../src/tasks/worker.ts';
import { makePgliteDb, type TestDb } from '../helpers/db.ts';
import { quietLog, taskState, testWorkerConfig, waitFor } from '../helpers/test-processor.ts';

const ACCOUNT = '1000000000000077';
const PROJECT = 'creds';

/** Writes one object as the task's storage allows, or fails with NoPermission. */
const writer: TaskProcessor<{ Target: string }> = {
  type: 'TestWrite',
  action: 'CreateTestWriteTask',
  eventName: 'TestWrite',
  workClass: 'light',
  params: z.object({ Target: z.string() }),
  async validate() {},
  async run(p, ctx) {
    try {
      await ctx.storage.write(p.Target, Buffer.from(`written as ${ctx.storage.role}`));
    } catch (err) {
      if (err instanceof AccessDeniedError) throw new TaskError('NoPermission', err.message);
      throw err;
    }
    return { content: {} };
  },
};

describe('CredentialConfig in the task engine', () => {
  let t: TestDb;
  let dataDir: string;
  let registry: StorageRegistry;
  let worker: ReturnType<typeof createWorker>;

  beforeAll(async () => {
    t = await makePgliteDb();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-creds-'));
    registry = createStorageRegistry(
      {
        buckets: { media: { backend: 'fs', path: 'media' } },
        roles: {
          '*': {
            ProjectRole: { statements: [{ actions: ['*'], resources: ['oss://media/project/*'] }] },
            ChainRole: { statements: [{ actions: ['*'], resources: ['oss://media/chained/*'] }] },
          },
        },
      },
      { dataDir, region: 'cn-hangzhou' },
    );
    await registry.ensureBucket('media');
    await t.db.query('INSERT INTO accounts (id) VALUES ($1)', [ACCOUNT]);
    await t.db.query(`INSERT INTO projects (account_id, name, service_role) VALUES ($1, $2, 'ProjectRole')`, [
      ACCOUNT,
      PROJECT,
    ]);
    worker = createWorker({
      db: t.db,
      processors: new Map([[writer.type, writer as TaskProcessor]]),
      storageFor: (scope, cc) => taskStorage(registry, scope, cc),
      region: 'cn-hangzhou',
      limits: defaultProcessorLimits,
      tmpRoot: dataDir,
      log: quietLog,
      config: testWorkerConfig({ maxAttempts: 3, shutdownGraceSeconds: 0 }),
      onFinished: async () => {},
      sweepMs: 200,
    });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.drop();
    await registry?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function run(params: Record<string, unknown>) {
    const id = newTaskId('TestWrite');
    await t.db.transaction((tx) =>
      insertTask(tx, {
        id,
        accountId: ACCOUNT,
        projectName: PROJECT,
        type: 'TestWrite',
        workClass: 'light',
        maxAttempts: 3,
        eventId: newEventId(),
        requestId: 'REQ',
        createdAt: new Date(),
        userData: '',
        tags: {},
        params,
        definition: '{}',
        notification: [],
        extendedMessageUri: '',
      }),
    );
    return waitFor(async () => {
      const row = await taskState(t.db, id);
      return row && (row.state === 'succeeded' || row.state === 'failed') && row;
    }, 60_000);
  }

  it('acts as the project role without a CredentialConfig', async () => {
    expect(await run({ Target: 'oss://media/project/a.txt' })).toMatchObject({ state: 'succeeded' });
    expect(await readFile(path.join(dataDir, 'media/project/a.txt'), 'utf8')).toBe('written as ProjectRole');
    expect(await run({ Target: 'oss://media/chained/a.txt' })).toMatchObject({
      state: 'failed',
      code: 'NoPermission',
    });
  });

  it('acts as the chain role stored in the request (as the API stores it: JSON text)', async () => {
    const cc = JSON.stringify({ Chain: [{ Role: 'ChainRole' }] });
    expect(await run({ Target: 'oss://media/chained/b.txt', CredentialConfig: cc })).toMatchObject({
      state: 'succeeded',
    });
    expect(await readFile(path.join(dataDir, 'media/chained/b.txt'), 'utf8')).toBe('written as ChainRole');
    expect(await run({ Target: 'oss://media/project/b.txt', CredentialConfig: cc })).toMatchObject({
      state: 'failed',
      code: 'NoPermission',
    });
  });

  it('fails a task whose chain no longer resolves once, with NoPermission', async () => {
    const cc = JSON.stringify({ Chain: [{ Role: 'RemovedRole' }] });
    const row = await run({ Target: 'oss://media/chained/c.txt', CredentialConfig: cc });
    expect(row).toMatchObject({ state: 'failed', code: 'NoPermission', attempts: 1 });
    expect(row.message).toContain('RemovedRole');
  });
});
