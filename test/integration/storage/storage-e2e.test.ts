/**
 * Storage access end to end, through the real server and Alibaba Cloud's generic client: a project
 * whose role reads bucket A (fs) and writes only `out/` of bucket B (S3, on s3rver). Refusals come at
 * create time with the spec's codes; a source removed between create and run fails the task with
 * `InvalidArgument` / `File does not exist.`. API and worker run as separate processes on PostgreSQL,
 * so the source can be removed while the task waits for a worker.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePostgresDb, type TestDb } from '../../helpers/db.ts';
import { callError, type ImmClient, makeImmClient } from '../../helpers/imm-clients.ts';
import {
  OPENIMM_BIN,
  REPO_ROOT,
  type ServerProcess,
  startServerProcess,
} from '../../helpers/server-process.ts';
import { S3RVER_KEY, type S3rverProcess, startS3rver } from './s3rver-process.ts';

const CREDS = { accessKeyId: 'LTAIstoragee2e000000001', accessKeySecret: 'storage-e2e-secret-0123456789' };
const PROJECT = 'storage_e2e';

let s3: S3rverProcess;
let pgDb: TestDb;
let dataDir: string;
let api: ServerProcess;
let worker: ChildProcess | undefined;
let workerOutput = '';
let client: ImmClient;
let serverArgs: { env: Record<string, string>; args: string[] };

beforeAll(async () => {
  [s3, pgDb] = await Promise.all([startS3rver(), makePostgresDb()]);
  await s3.createBucket('bucket-b-real');
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  await mkdir(path.join(dataDir, 'oss/bucket-a/in'), { recursive: true });
  for (const name of ['1.txt', '2.txt', 'gone.txt']) {
    await writeFile(path.join(dataDir, 'oss/bucket-a/in', name), `content of ${name}\n`);
  }
  const config = {
    storage: {
      buckets: {
        'bucket-b': {
          backend: 's3',
          endpoint: s3.endpoint,
          bucket: 'bucket-b-real',
          forcePathStyle: true,
          accessKeyId: S3RVER_KEY,
          secretAccessKey: S3RVER_KEY,
        },
        'far-bucket': { backend: 'fs', path: 'far', region: 'cn-shanghai' },
      },
      roles: {
        '*': {
          E2ERole: {
            statements: [
              { actions: ['read'], resources: ['oss://bucket-a/*'] },
              { actions: ['write'], resources: ['oss://bucket-b/out/*'] },
            ],
          },
        },
      },
    },
  };
  const configFile = path.join(dataDir, 'openimm.json');
  await writeFile(configFile, JSON.stringify(config));
  serverArgs = {
    env: {
      OPENIMM_ACCESS_KEY_ID: CREDS.accessKeyId,
      OPENIMM_ACCESS_KEY_SECRET: CREDS.accessKeySecret,
      OPENIMM_DATABASE_URL: pgDb.url!,
      OPENIMM_REGION: 'cn-hangzhou',
    },
    args: ['--config', configFile],
  };
  api = await startServerProcess({
    dataDir,
    env: serverArgs.env,
    args: [...serverArgs.args, '--role', 'api'],
  });
  client = makeImmClient('acs3', api.endpoint, CREDS);
});

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await api?.stop();
  await s3?.stop();
  await pgDb?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A worker-only process (it serves no HTTP, so it is started here rather than by the server helper). */
async function startWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [OPENIMM_BIN, 'serve', '--data-dir', dataDir, ...serverArgs.args, '--role', 'worker'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, OPENIMM_LOG_LEVEL: 'info', ...serverArgs.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${workerOutput}`)), 240_000);
    const onData = (d: Buffer) => {
      workerOutput += d;
      if (workerOutput.includes('"msg":"openimm started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${workerOutput}`)));
  });
  return child;
}

const compress = (target: string, sources: string[], extra: Record<string, unknown> = {}) =>
  client.call('CreateFileCompressionTask', {
    ProjectName: PROJECT,
    TargetURI: target,
    Sources: sources.map((URI) => ({ URI })),
    ...extra,
  });

describe('storage access through the API', () => {
  it('refuses a project role that does not exist, and accepts a configured one', async () => {
    const err = await callError(
      client.call('CreateProject', { ProjectName: PROJECT, ServiceRole: 'NoSuchRole' }),
    );
    expect(err).toMatchObject({ code: 'InvalidArgument', statusCode: 400 });
    expect(err.message).toContain('NoSuchRole');
    const created = await client.call('CreateProject', { ProjectName: PROJECT, ServiceRole: 'E2ERole' });
    expect(created.Project.ServiceRole).toBe('E2ERole');
  });

  it.each([
    [
      'a target outside the writable prefix',
      'oss://bucket-b/elsewhere/x.zip',
      'oss://bucket-a/in/1.txt',
      'NoPermission',
      403,
    ],
    [
      'a target in the read-only bucket',
      'oss://bucket-a/out/x.zip',
      'oss://bucket-a/in/1.txt',
      'NoPermission',
      403,
    ],
    [
      'a source the role cannot read',
      'oss://bucket-b/out/x.zip',
      'oss://bucket-b/out/old.zip',
      'NoPermission',
      403,
    ],
    ['an unknown bucket', 'oss://nowhere-bucket/x.zip', 'oss://bucket-a/in/1.txt', 'InvalidArgument', 400],
    [
      'a bucket of another region',
      'oss://far-bucket/x.zip',
      'oss://bucket-a/in/1.txt',
      'InvalidArgument',
      400,
    ],
    [
      'an endpoint in the URI',
      'oss://bucket-b.oss-cn-hangzhou.aliyuncs.com/out/x.zip',
      'oss://bucket-a/in/1.txt',
      'InvalidArgument',
      400,
    ],
    [
      'an HTTP URL as source',
      'oss://bucket-b/out/x.zip',
      'http://bucket-a.oss-cn-hangzhou.aliyuncs.com/in/1.txt',
      'InvalidArgument',
      400,
    ],
  ])('refuses %s at create time', async (_what, target, source, code, status) => {
    const err = await callError(compress(target, [source]));
    expect(err).toMatchObject({ code, statusCode: status });
  });

  it('names the bucket when it is unknown or elsewhere', async () => {
    expect(
      (await callError(compress('oss://nowhere-bucket/x.zip', ['oss://bucket-a/in/1.txt']))).message,
    ).toContain('nowhere-bucket');
    expect(
      (await callError(compress('oss://far-bucket/x.zip', ['oss://bucket-a/in/1.txt']))).message,
    ).toContain('far-bucket');
  });

  it('writes from the fs bucket into the S3 bucket, and fails a task whose source vanished', async () => {
    const ok = await compress('oss://bucket-b/out/b1/batch.zip', [
      'oss://bucket-a/in/1.txt',
      'oss://bucket-a/in/2.txt',
    ]);
    const doomed = await compress('oss://bucket-b/out/gone.zip', ['oss://bucket-a/in/gone.txt']);
    // No worker runs yet: the source goes away between create and run.
    await unlink(path.join(dataDir, 'oss/bucket-a/in/gone.txt'));
    worker = await startWorker();

    const done = await client
      .call('WaitTask', { ProjectName: PROJECT, TaskId: ok.TaskId, Timeout: 20 })
      .catch((e) => {
        throw new Error(`${JSON.stringify(e)}\n${workerOutput}`);
      });
    expect(done).toMatchObject({ Status: 'Succeeded', Code: '' });
    const zip = await s3
      .client()
      .send(new GetObjectCommand({ Bucket: 'bucket-b-real', Key: 'out/b1/batch.zip' }));
    const bytes = Buffer.from(await zip.Body!.transformToByteArray());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    const local = path.join(dataDir, 'batch.zip');
    await writeFile(local, bytes);
    const names = execFileSync('unzip', ['-Z1', local], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(names.map((n) => path.basename(n)).sort()).toEqual(['1.txt', '2.txt']);
    const inner = names.find((n) => n.endsWith('2.txt'))!;
    expect(execFileSync('unzip', ['-p', local, inner], { encoding: 'utf8' })).toBe('content of 2.txt\n');

    const failed = await client.call('WaitTask', {
      ProjectName: PROJECT,
      TaskId: doomed.TaskId,
      Timeout: 60,
    });
    expect(failed).toMatchObject({ Status: 'Failed', Code: 'InvalidArgument' });
    expect(failed.Message).toMatch(/^File does not exist\. oss:\/\/bucket-a\/in\/gone\.txt/);
    await expect(
      s3.client().send(new HeadObjectCommand({ Bucket: 'bucket-b-real', Key: 'out/gone.zip' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });
});
