/**
 * Storage access end to end, through the real server and Alibaba Cloud's generic client: a project
 * whose role reads bucket A (fs) and writes only `out/` of bucket B (S3, on s3rver). Refusals come at
 * create time with the spec's codes; a source removed between create and run fails the task with
 * `InvalidArgument` / `File does not exist.`. API and worker run as separate processes on PostgreSQL,
 * so the source can be removed while the task waits for a worker, and a task's CredentialConfig must
 * survive in its stored request for the worker to act as the role it names. The worker sweeps stale
 * temp files of interrupted writes when it starts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePostgresDb, type TestDb } from '../../helpers/db.ts';
import { callError, type ImmClient, makeImmClient } from '../../helpers/imm-clients.ts';
import {
  OPENIMM_BIN,
  REPO_ROOT,
  type ServerProcess,
  startServerProcess,
} from '../../helpers/server-process.ts';
import { tempFilesUnder } from '../../storage/fs/temp-files.ts';
import { S3RVER_KEY, type S3rverProcess, startS3rver } from './s3rver-process.ts';

const CREDS = { accessKeyId: 'LTAIstoragee2e000000001', accessKeySecret: 'storage-e2e-secret-0123456789' };
const PROJECT = 'storage_e2e';
/** A project on the default role, which may use every bucket of the account. */
const DEFAULT_PROJECT = 'storage_default_role';
const ACCEPTANCE_TEMPLATE = 'oss://{bucket}/out/{tags.batch}/{barename}.zip';

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
  await s3.client().send(
    new PutObjectCommand({
      Bucket: 'bucket-b-real',
      Key: 'in/remote.txt',
      Body: 'content of remote.txt\n',
    }),
  );
  // What a write cut short by a crash two days ago left behind, and one in flight now.
  const tmpDir = path.join(dataDir, 'oss/bucket-a/.openimm-tmp');
  await mkdir(tmpDir);
  await writeFile(path.join(tmpDir, 'crashed-write'), 'half an object');
  const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
  await utimes(path.join(tmpDir, 'crashed-write'), twoDaysAgo, twoDaysAgo);
  await writeFile(path.join(tmpDir, 'write-in-flight'), 'a quarter');
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
          // Reached only through a task's CredentialConfig chain.
          ChainRole: {
            statements: [
              { actions: ['read'], resources: ['oss://bucket-a/*'] },
              { actions: ['write'], resources: ['oss://bucket-b/chained/*'] },
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

const compress = (
  target: string,
  sources: string[],
  extra: Record<string, unknown> = {},
  project = PROJECT,
) =>
  client.call('CreateFileCompressionTask', {
    ProjectName: project,
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
    const update = await callError(
      client.call('UpdateProject', { ProjectName: PROJECT, ServiceRole: 'NoSuchRole' }),
    );
    expect(update).toMatchObject({ code: 'InvalidArgument', statusCode: 400 });
    expect(update.message).toContain('NoSuchRole');
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
    ['a source without oss://', 'oss://bucket-b/out/x.zip', 'bucket-a/in/1.txt', 'InvalidArgument', 400],
    ['a source without a bucket', 'oss://bucket-b/out/x.zip', 'oss:///in/1.txt', 'InvalidArgument', 400],
    ['a target without oss://', 'bucket-b/out/x.zip', 'oss://bucket-a/in/1.txt', 'InvalidArgument', 400],
    [
      'an unknown template variable',
      'oss://bucket-b/out/{nosuch}.zip',
      'oss://bucket-a/in/1.txt',
      'InvalidArgument',
      400,
    ],
    [
      'unbalanced template braces',
      'oss://bucket-b/out/{barename.zip',
      'oss://bucket-a/in/1.txt',
      'InvalidArgument',
      400,
    ],
    [
      'a template climbing with ..',
      'oss://bucket-b/out/../{barename}.zip',
      'oss://bucket-a/in/1.txt',
      'InvalidArgument',
      400,
    ],
    [
      'a template with a leading /',
      'oss://bucket-b//out/{barename}.zip',
      'oss://bucket-a/in/1.txt',
      'InvalidArgument',
      400,
    ],
    [
      'a template with an empty segment',
      'oss://bucket-b/out//{barename}.zip',
      'oss://bucket-a/in/1.txt',
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

  it('swept the stale temp file of a crashed write when the worker started, and logged it', async () => {
    const left = await readdir(path.join(dataDir, 'oss/bucket-a/.openimm-tmp'));
    expect(left.filter((n) => n !== 'folders')).toEqual(['write-in-flight']);
    const line = workerOutput.split('\n').find((l) => l.includes('"msg":"removed stale temp files"'));
    expect(JSON.parse(line!)).toMatchObject({ bucket: 'bucket-a', removed: 1 });
  });
});

const wait = (taskId: string, project = PROJECT) =>
  client.call('WaitTask', { ProjectName: project, TaskId: taskId, Timeout: 60 }).catch((e) => {
    throw new Error(`${JSON.stringify(e)}\n${workerOutput}`);
  });

const readZipNames = async (bucket: 'bucket-a' | 'bucket-b', key: string): Promise<string[]> => {
  const local = path.join(dataDir, `check-${Date.now()}.zip`);
  if (bucket === 'bucket-b') {
    const got = await s3.client().send(new GetObjectCommand({ Bucket: 'bucket-b-real', Key: key }));
    await writeFile(local, Buffer.from(await got.Body!.transformToByteArray()));
  } else {
    await writeFile(local, await readFile(path.join(dataDir, 'oss/bucket-a', key)));
  }
  const names = execFileSync('unzip', ['-Z1', local], { encoding: 'utf8' }).split('\n').filter(Boolean);
  await unlink(local);
  return names.map((n) => path.basename(n)).sort();
};

describe('CredentialConfig through the API', () => {
  const chain = { Chain: [{ Role: 'ChainRole' }] };

  it("acts as the chain's last role at create time and in the worker", async () => {
    // The project's role may not write under chained/: without the chain the task is refused.
    const refused = await callError(compress('oss://bucket-b/chained/c1.zip', ['oss://bucket-a/in/1.txt']));
    expect(refused).toMatchObject({ code: 'NoPermission', statusCode: 403 });

    const created = await compress('oss://bucket-b/chained/c1.zip', ['oss://bucket-a/in/1.txt'], {
      CredentialConfig: chain,
    });
    const done = await wait(created.TaskId);
    expect(done).toMatchObject({ Status: 'Succeeded', Code: '' });
    expect(await readZipNames('bucket-b', 'chained/c1.zip')).toEqual(['1.txt']);

    // The chain also takes away what only the project's role allowed.
    const lost = await callError(
      compress('oss://bucket-b/out/c2.zip', ['oss://bucket-a/in/1.txt'], { CredentialConfig: chain }),
    );
    expect(lost).toMatchObject({ code: 'NoPermission', statusCode: 403 });

    const got = await client.call('GetTask', {
      ProjectName: PROJECT,
      TaskType: 'FileCompression',
      TaskId: created.TaskId,
      RequestDefinition: true,
    });
    expect(JSON.parse(got.TaskRequestDefinition).CredentialConfig).toEqual(chain);
  });

  it('refuses a target its session policy forbids, with NoPermission', async () => {
    const readOnly = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Resource: ['acs:oss:*:*:bucket-a/*'] }],
    });
    const err = await callError(
      compress('oss://bucket-b/chained/c3.zip', ['oss://bucket-a/in/1.txt'], {
        CredentialConfig: { ...chain, Policy: readOnly },
      }),
    );
    expect(err).toMatchObject({ code: 'NoPermission', statusCode: 403 });
    expect(err.message).toContain('oss://bucket-b/chained/c3.zip');
    const noSource = JSON.stringify({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'oss:*', Resource: 'acs:oss:*:*:bucket-b/chained/*' },
        { Effect: 'Deny', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:bucket-a/in/2.txt' },
      ],
    });
    const source = await callError(
      compress('oss://bucket-b/chained/c4.zip', ['oss://bucket-a/in/2.txt'], {
        CredentialConfig: { ...chain, Policy: noSource },
      }),
    );
    expect(source).toMatchObject({ code: 'NoPermission', statusCode: 403 });
  });

  it.each([
    ['an unknown role in the chain', { Chain: [{ Role: 'NoSuchRole' }] }, 'NoSuchRole'],
    ['an unknown ServiceRole', { ServiceRole: 'NoSuchRole' }, 'NoSuchRole'],
    [
      'a hop into an account whose role does not trust the caller',
      { Chain: [{ Role: 'acs:ram::1999999999999999:role/ChainRole' }] },
      'does not trust',
    ],
    ['a chain longer than 3', { Chain: [1, 2, 3, 4].map(() => ({ Role: 'ChainRole' })) }, 'at most 3'],
    [
      'a session policy with a condition',
      {
        ...chain,
        Policy: JSON.stringify({
          Version: '1',
          Statement: [{ Effect: 'Allow', Action: 'oss:*', Resource: '*', Condition: { Bool: {} } }],
        }),
      },
      'conditions',
    ],
    ['a malformed chain', { Chain: [{ RoleType: 'user' }] }, 'CredentialConfig'],
  ])('refuses %s with InvalidArgument naming CredentialConfig', async (_what, cc, detail) => {
    const err = await callError(
      compress('oss://bucket-b/out/bad.zip', ['oss://bucket-a/in/1.txt'], { CredentialConfig: cc }),
    );
    expect(err).toMatchObject({ code: 'InvalidArgument', statusCode: 400 });
    expect(err.message).toContain('CredentialConfig');
    expect(err.message).toContain(detail);
  });
});

describe('acceptance: a compression task across an fs bucket and an S3 bucket', () => {
  it('writes oss://{bucket}/out/{tags.batch}/{barename}.zip into either backend', async () => {
    await client.call('CreateProject', { ProjectName: DEFAULT_PROJECT });
    // {bucket} and {barename} come from the first source: S3 first writes to S3, fs first to fs.
    const toS3 = await compress(
      ACCEPTANCE_TEMPLATE,
      ['oss://bucket-b/in/remote.txt', 'oss://bucket-a/in/1.txt'],
      { Tags: { batch: 'b7' } },
      DEFAULT_PROJECT,
    );
    const toFs = await compress(
      ACCEPTANCE_TEMPLATE,
      ['oss://bucket-a/in/2.txt', 'oss://bucket-b/in/remote.txt'],
      { Tags: { batch: 'b8' } },
      DEFAULT_PROJECT,
    );
    expect(await wait(toS3.TaskId, DEFAULT_PROJECT)).toMatchObject({ Status: 'Succeeded' });
    expect(await wait(toFs.TaskId, DEFAULT_PROJECT)).toMatchObject({ Status: 'Succeeded' });
    expect(await readZipNames('bucket-b', 'out/b7/remote.zip')).toEqual(['1.txt', 'remote.txt']);
    expect(await readZipNames('bucket-a', 'out/b8/2.zip')).toEqual(['2.txt', 'remote.txt']);
    // Only whole objects: no temp file is left behind in the fs bucket (beside any target).
    expect(await tempFilesUnder(path.join(dataDir, 'oss/bucket-a'))).toEqual([]);
  });

  it('refuses a template the tags would take out of the bucket, and a missing tag', async () => {
    const climbing = await callError(
      compress(
        ACCEPTANCE_TEMPLATE,
        ['oss://bucket-a/in/1.txt'],
        { Tags: { batch: '../..' } },
        DEFAULT_PROJECT,
      ),
    );
    expect(climbing).toMatchObject({ code: 'InvalidArgument', statusCode: 400 });
    const missing = await callError(
      compress(ACCEPTANCE_TEMPLATE, ['oss://bucket-a/in/1.txt'], {}, DEFAULT_PROJECT),
    );
    expect(missing).toMatchObject({ code: 'InvalidArgument', statusCode: 400 });
    expect(missing.message).toContain('batch');
  });
});
