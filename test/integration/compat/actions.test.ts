/**
 * Every implemented action through Alibaba Cloud's generic clients, against the real server in a child
 * process: openapi-core (ACS3 and RPC v1 signing) and pop-core, sending requests as the IMM SDK does.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_FLAVORS, callError, type ImmClient, makeImmClient } from '../../helpers/imm-clients.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

const CREDS = { accessKeyId: 'LTAItestcompat0000000001', accessKeySecret: 'compat-secret-0123456789abcdef' };

let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-compat-'));
  await mkdir(path.join(dataDir, 'oss/inbox/docs'), { recursive: true });
  await writeFile(path.join(dataDir, 'oss/inbox/docs/a.txt'), 'alpha\n');
  await writeFile(path.join(dataDir, 'oss/inbox/docs/b.txt'), 'beta\n');
  server = await startServerProcess({
    dataDir,
    env: { OPENIMM_ACCESS_KEY_ID: CREDS.accessKeyId, OPENIMM_ACCESS_KEY_SECRET: CREDS.accessKeySecret },
  });
});

afterAll(async () => {
  const code = await server?.stop();
  expect(code).toBe(0);
  await rm(dataDir, { recursive: true, force: true });
});

describe.each(CLIENT_FLAVORS)('IMM actions through %s', (flavor) => {
  let client: ImmClient;
  const project = `compat_${flavor.replace('-', '_')}`;

  beforeAll(() => {
    client = makeImmClient(flavor, server.endpoint, CREDS);
  });

  it('creates, reads, updates and lists projects', async () => {
    const created = await client.call('CreateProject', {
      ProjectName: project,
      Description: 'compat test',
      Tag: [{ Key: 'team', Value: 'media' }],
    });
    expect(created.RequestId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(created.Project).toMatchObject({
      ProjectName: project,
      ServiceRole: 'AliyunIMMDefaultRole',
      Description: 'compat test',
      Tags: [{ TagKey: 'team', TagValue: 'media' }],
    });
    const again = await callError(client.call('CreateProject', { ProjectName: project }));
    expect(again).toMatchObject({ code: 'ResourceAlreadyExists', statusCode: 400 });

    const got = await client.call('GetProject', { ProjectName: project, WithStatistics: true });
    expect(got.Project.ProjectName).toBe(project);

    const updated = await client.call('UpdateProject', { ProjectName: project, Description: 'changed' });
    expect(updated.Project).toMatchObject({ Description: 'changed', ServiceRole: 'AliyunIMMDefaultRole' });

    const listed = await client.call('ListProjects', { Prefix: project, MaxResults: 10 });
    expect(listed.Projects.map((p: any) => p.ProjectName)).toEqual([project]);
  });

  it('runs a compression task and reports it through GetTask, ListTasks and WaitTask', async () => {
    const created = await client.call('CreateFileCompressionTask', {
      ProjectName: project,
      TargetURI: `oss://inbox/out/${flavor}.zip`,
      Sources: [
        { URI: 'oss://inbox/docs/a.txt', Alias: '/first.txt' },
        { URI: 'oss://inbox/docs/b.txt', Alias: '/sub/second.txt' },
      ],
      Tags: { batch: flavor },
      UserData: '{"job":1}',
    });
    expect(created.TaskId).toMatch(/^FileCompression-[0-9a-f-]{36}$/);
    expect(created.EventId).toMatch(/^[0-9A-F]{3}-[0-9A-Za-z]{27}$/);

    const waited = await client.call('WaitTask', {
      ProjectName: project,
      TaskId: created.TaskId,
      Timeout: 30,
    });
    expect(waited).toMatchObject({ Status: 'Succeeded', Progress: 100, Code: '', EventId: created.EventId });

    const got = await client.call('GetTask', {
      ProjectName: project,
      TaskId: created.TaskId,
      TaskType: 'FileCompression',
      RequestDefinition: true,
    });
    expect(got).toMatchObject({
      ProjectName: project,
      TaskType: 'FileCompression',
      Status: 'Succeeded',
      UserData: '{"job":1}',
      Tags: { batch: flavor },
    });
    expect(Date.parse(got.EndTime)).toBeGreaterThanOrEqual(Date.parse(got.StartTime));
    expect(JSON.parse(got.TaskRequestDefinition).TargetURI).toBe(`oss://inbox/out/${flavor}.zip`);

    const listing = execFileSync('unzip', ['-Z1', path.join(dataDir, `oss/inbox/out/${flavor}.zip`)], {
      encoding: 'utf8',
    });
    expect(listing.split('\n').filter(Boolean).sort()).toEqual(['first.txt', 'sub/second.txt']);

    const listed = await client.call('ListTasks', {
      ProjectName: project,
      TaskTypes: ['FileCompression'],
      Status: 'Succeeded',
      TagSelector: `batch=${flavor}`,
    });
    expect(listed.MaxResults).toBe('1');
    expect(listed.Tasks[0]).toMatchObject({ TaskId: created.TaskId, Status: 'Succeeded' });
    expect(listed.NextToken).toBeUndefined();

    const cancel = await callError(
      client.call('CancelTask', { ProjectName: project, TaskId: created.TaskId }),
    );
    expect(cancel.code).toBe('InvalidArgument');
  });

  it('refuses a compression whose source object does not exist, at create time', async () => {
    const err = await callError(
      client.call('CreateFileCompressionTask', {
        ProjectName: project,
        TargetURI: `oss://inbox/out/missing-${flavor}.zip`,
        Sources: [{ URI: 'oss://inbox/docs/nope.txt', Mode: 'fullname' }],
      }),
    );
    expect(err).toMatchObject({ code: 'InvalidArgument', statusCode: 400 });
    expect(err.message).toContain('File does not exist.');
  });

  it('answers IMM errors with their status and Code, never 500', async () => {
    const missing = await callError(client.call('GetProject', {}));
    expect(missing).toMatchObject({ code: 'MissingProjectName', statusCode: 400 });
    const unknown = await callError(client.call('DescribeNothing', { ProjectName: project }));
    expect(unknown).toMatchObject({ code: 'InvalidAction.NotFound', statusCode: 404 });
    const unsupported = await callError(client.call('CreateFigureClusteringTask', { ProjectName: project }));
    expect(unsupported).toMatchObject({ code: 'InvalidAction.NotSupported', statusCode: 400 });
    const http = await callError(
      client.call('CreateFileCompressionTask', {
        ProjectName: project,
        TargetURI: 'http://inbox.oss-cn-hangzhou.aliyuncs.com/out.zip',
        Sources: [{ URI: 'oss://inbox/docs/a.txt' }],
      }),
    );
    expect(http).toMatchObject({ code: 'InvalidArgument', statusCode: 400 });
    const noProject = await callError(
      client.call('GetTask', { ProjectName: 'nope', TaskId: 'x', TaskType: 'FileCompression' }),
    );
    expect(noProject).toMatchObject({ code: 'ResourceNotFound', statusCode: 404 });
    const badJson = await callError(
      client.call('CreateFileCompressionTask', {
        ProjectName: project,
        TargetURI: 'oss://inbox/x.zip',
        Sources: '[{',
      }),
    );
    expect(badJson).toMatchObject({ code: 'InvalidJSON', statusCode: 400 });
    const wrongSecret = makeImmClient(flavor, server.endpoint, { ...CREDS, accessKeySecret: 'wrong' });
    const sig = await callError(wrongSecret.call('ListProjects', {}));
    expect(sig).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
    const unknownKey = makeImmClient(flavor, server.endpoint, {
      accessKeyId: 'LTAInobody',
      accessKeySecret: 'x',
    });
    expect(await callError(unknownKey.call('ListProjects', {}))).toMatchObject({
      code: 'InvalidAccessKeyId.NotFound',
      statusCode: 404,
    });
  });

  it('deletes a project', async () => {
    await client.call('CreateProject', { ProjectName: `${project}_del` });
    await client.call('DeleteProject', { ProjectName: `${project}_del` });
    const gone = await callError(client.call('GetProject', { ProjectName: `${project}_del` }));
    expect(gone).toMatchObject({ code: 'ResourceNotFound', statusCode: 404 });
  });
});

describe('the server process', () => {
  it('answers /health', async () => {
    const r = await fetch(`${server.url}/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ok', role: 'all', database: 'pglite' });
  });

  it('never writes the secret to its logs', () => {
    expect(server.output()).not.toContain(CREDS.accessKeySecret);
  });
});
