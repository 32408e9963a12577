/**
 * API behaviour on the in-process app (PostgreSQL): account scoping, ListTasks paging while tasks are created,
 * RequestDefinition without secrets, and throttling.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/accounts/accounts.ts';
import { type RunningApp, startApp } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { makePostgresDb, type TestDb } from '../helpers/db.ts';
import { callError, type ImmClient, makeImmClient } from '../helpers/imm-clients.ts';
import { quietLog } from '../helpers/test-processor.ts';

const A = { accessKeyId: 'LTAIbehaviouraccount0001', accessKeySecret: 'secret-a-0123456789abcdefghijk' };
const B = { accessKeyId: 'LTAIbehaviouraccount0002', accessKeySecret: 'secret-b-0123456789abcdefghijk' };

describe('API behaviour', () => {
  let t: TestDb;
  let dataDir: string;
  let app: RunningApp;
  let a: ImmClient;
  let b: ImmClient;

  beforeAll(async () => {
    t = await makePostgresDb();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-api-'));
    await mkdir(path.join(dataDir, 'oss/behave'), { recursive: true });
    await writeFile(path.join(dataDir, 'oss/behave/a.txt'), 'a');
    const config = await loadConfig({
      env: {
        OPENIMM_DATABASE_URL: t.url,
        OPENIMM_ACCESS_KEY_ID: A.accessKeyId,
        OPENIMM_ACCESS_KEY_SECRET: A.accessKeySecret,
        OPENIMM_THROTTLE_RATE: '5',
        OPENIMM_THROTTLE_BURST: '100',
      },
      flags: { dataDir, port: 0 },
    });
    app = await startApp(config, quietLog);
    await createAccount(app.services.db, B, '2000000000000002');
    const endpoint = app.url!.replace('http://', '');
    a = makeImmClient('acs3', endpoint, A);
    b = makeImmClient('acs3', endpoint, B);
    await a.call('CreateProject', { ProjectName: 'shared_name' });
  });

  afterAll(async () => {
    await app?.stop();
    await t?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("scopes projects and tasks to the caller's account", async () => {
    expect(await callError(b.call('GetProject', { ProjectName: 'shared_name' }))).toMatchObject({
      code: 'ResourceNotFound',
    });
    // The same name is free in another account.
    await b.call('CreateProject', { ProjectName: 'shared_name' });
    const { TaskId } = await a.call('CreateFileCompressionTask', {
      ProjectName: 'shared_name',
      TargetURI: 'oss://behave/out/scoped.zip',
      Sources: [{ URI: 'oss://behave/a.txt' }],
    });
    const err = await callError(
      b.call('GetTask', { ProjectName: 'shared_name', TaskId, TaskType: 'FileCompression' }),
    );
    expect(err).toMatchObject({ code: 'ResourceNotFound', statusCode: 404 });
    expect((await b.call('ListTasks', { ProjectName: 'shared_name' })).Tasks).toEqual([]);
  });

  it('pages ListTasks with NextToken without duplicates or gaps while tasks are being created', async () => {
    await a.call('CreateProject', { ProjectName: 'paging' });
    const create = () =>
      a.call('CreateFileCompressionTask', {
        ProjectName: 'paging',
        TargetURI: 'oss://behave/out/p.zip',
        Sources: [{ URI: 'oss://behave/a.txt' }],
        Tags: { run: 'paging' },
      });
    const before: string[] = [];
    for (let i = 0; i < 25; i++) before.push((await create()).TaskId);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await a.call('ListTasks', {
        ProjectName: 'paging',
        Sort: 'StartTime',
        Order: 'asc',
        MaxResults: 7,
        TagSelector: 'run=paging',
        ...(token ? { NextToken: token } : {}),
      });
      seen.push(...page.Tasks.map((x: any) => x.TaskId));
      token = page.NextToken;
      await create(); // new tasks arrive while paging; they sort after the ones already served
    } while (token);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);

    const wrongFilter = await callError(
      a.call('ListTasks', {
        ProjectName: 'paging',
        Sort: 'TaskId',
        NextToken: (await a.call('ListTasks', { ProjectName: 'paging', MaxResults: 1 })).NextToken,
        Order: 'desc',
      }),
    );
    expect(wrongFilter.code).toBe('InvalidArgument');
  });

  it('filters ListTasks by time range', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const none = await a.call('ListTasks', { ProjectName: 'paging', StartTimeRange: { Start: future } });
    expect(none.Tasks).toEqual([]);
    const all = await a.call('ListTasks', {
      ProjectName: 'paging',
      StartTimeRange: { End: future },
      MaxResults: 100,
    });
    expect(all.Tasks.length).toBeGreaterThan(25);
  });

  it('returns TaskRequestDefinition without secrets', async () => {
    await a.call('CreateProject', { ProjectName: 'secrets' });
    const { TaskId } = await a.call('CreateFileCompressionTask', {
      ProjectName: 'secrets',
      TargetURI: 'oss://behave/out/s.zip',
      Sources: [{ URI: 'oss://behave/a.txt' }],
      Password: 'hunter2',
    });
    const got = await a.call('GetTask', {
      ProjectName: 'secrets',
      TaskId,
      TaskType: 'FileCompression',
      RequestDefinition: true,
    });
    expect(got.TaskRequestDefinition).not.toContain('hunter2');
    expect(JSON.parse(got.TaskRequestDefinition).Sources).toEqual([{ URI: 'oss://behave/a.txt' }]);
  });

  it('streams the project task outcomes as server-sent events', async () => {
    await a.call('CreateProject', { ProjectName: 'events' });
    const OpenApiModule = await import('@alicloud/openapi-core');
    const OpenApi = ((OpenApiModule as any).default.default ?? (OpenApiModule as any).default) as any;
    const client = new OpenApi(
      new OpenApiModule.$OpenApiUtil.Config({
        ...A,
        endpoint: app.url!.replace('http://', ''),
        protocol: 'http',
      }),
    );
    const res = await client.callApi(
      new OpenApiModule.$OpenApiUtil.Params({
        action: 'StreamTaskEvents',
        version: '2020-09-30',
        protocol: 'HTTP',
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'binary',
      }),
      new OpenApiModule.$OpenApiUtil.OpenApiRequest({ query: { ProjectName: 'events' } }),
      {},
    );
    expect(res.headers['content-type']).toContain('text/event-stream');
    const body = res.body as NodeJS.ReadableStream;
    let text = '';
    const got = new Promise<string>((resolve) => {
      body.on('data', (d) => {
        text += d;
        const m = /event: task\nid: (\S+)\ndata: (.*)\n/.exec(text);
        if (m) resolve(m[2]!);
      });
    });
    await new Promise((r) => setTimeout(r, 100));
    const { TaskId, EventId } = await a.call('CreateFileCompressionTask', {
      ProjectName: 'events',
      TargetURI: 'oss://behave/out/e.zip',
      Sources: [{ URI: 'oss://behave/a.txt' }],
    });
    const event = JSON.parse(await got);
    expect(event).toMatchObject({ TaskId, EventId, Status: 'Succeeded', ProjectName: 'events' });
    (body as any).destroy();
  });

  it('lists and redrives notification dead letters through the extension actions', async () => {
    const listed = await a.call('ListNotificationDeadLetters', { MaxResults: 10 });
    expect(listed).toMatchObject({ DeadLetters: [], NextToken: '' });
    const redriven = await a.call('RedriveNotificationDeadLetters', { ProjectName: 'paging' });
    expect(redriven.Redriven).toBe(0);
  });

  it('throttles per account and action with Throttling.User and x-acs-retry-after', async () => {
    // The bucket holds 100 tokens and refills at 5/s: calls in batches of 50 exhaust it within a few batches.
    let throttled: any;
    for (let sent = 0; sent < 500 && !throttled; sent += 50) {
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () => a.call('GetProject', { ProjectName: 'paging' })),
      );
      throttled = results
        .map((r) => (r.status === 'rejected' ? r.reason : undefined))
        .find((e) => e?.code?.includes('Throttling'));
    }
    expect(throttled).toMatchObject({ code: 'Throttling.User', statusCode: 429 });
    expect(throttled.retryAfter).toBeGreaterThan(0);
    // Another action has its own bucket.
    await a.call('ListProjects', {});
  });
});
