/**
 * The archive tasks as a new user drives them: a fresh server, objects put with `openimm oss cp`, tasks
 * created and polled through openapi-core. 1,000 files compressed through a SourceManifestURI and
 * uncompressed byte-identical; a real .7z and .rar (RAR 5, encrypted) uncompressed; SelectedFiles; a
 * zip-slip archive and a 10 GB bomb Failed with their Codes and no stray object; a password-protected
 * zip's entries listed by inspection into the ExtendedMessageURI file.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHostileZips, sevenZip, writeTree } from '../../engines/archive/make-archives.ts';
import { type ImmClient, makeImmClient } from '../../helpers/imm-clients.ts';
import { runCli, type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/archive');
const PROJECT = 'archives';

describe('archive tasks through the API', () => {
  let dir: string;
  let dataDir: string;
  let bucketDir: string;
  let server: ServerProcess | undefined;
  let starting: Promise<ServerProcess> | undefined;
  let client: ImmClient;

  const cli = async (...args: string[]) => {
    const r = await runCli(['--data-dir', dataDir, 'oss', ...args]);
    expect(r.code, r.stderr).toBe(0);
  };

  async function runTask(action: string, taskType: string, params: Record<string, unknown>) {
    const { TaskId } = await client.call(action, { ProjectName: PROJECT, ...params } as never);
    let task: Record<string, any> = {};
    const deadline = Date.now() + 100_000;
    while (Date.now() < deadline) {
      task = await client.call('GetTask', { ProjectName: PROJECT, TaskId, TaskType: taskType });
      if (task.Status !== 'Running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return task;
  }

  /** Every object file of the bucket, relative to it (the fs backend stores `<bucket>/<key>`). */
  async function objects(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string) => {
      for (const e of await readdir(path.join(bucketDir, rel), { withFileTypes: true })) {
        if (e.name.startsWith('.openimm-tmp')) continue;
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(child);
        else out.push(child);
      }
    };
    await walk('');
    return out.sort();
  }

  async function digest(root: string, files: string[]): Promise<string> {
    const h = createHash('sha256');
    for (const f of files) h.update(f).update(await readFile(path.join(root, f)));
    return h.digest('hex');
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-archive-e2e-'));
    dataDir = path.join(dir, 'data');
    // the server starts while the files are made
    starting = startServerProcess({
      dataDir,
      env: { OPENIMM_ACCESS_KEY_ID: '', OPENIMM_ACCESS_KEY_SECRET: '' },
    });
    starting.catch(() => {});
    // 1,000 files in 20 folders, some incompressible
    const tree: Record<string, string | Buffer> = {};
    for (let i = 0; i < 1000; i++) {
      tree[`d${i % 20}/f${i}.${i % 3 === 0 ? 'bin' : 'txt'}`] =
        i % 3 === 0 ? createHash('sha512').update(String(i)).digest() : `file ${i}\n`.repeat(1 + (i % 50));
    }
    // everything goes up in one `oss cp -r`: local/src → oss://acc/src/, local/in → oss://acc/in/
    const local = path.join(dir, 'local');
    await writeTree(path.join(local, 'src'), tree);
    const inDir = path.join(local, 'in');
    const manifest = Array.from({ length: 20 }, (_, i) => ({ URI: `oss://acc/src/d${i}/` }));
    await writeTree(inDir, { 'manifest.json': JSON.stringify(manifest) });
    const small = path.join(dir, 'small');
    await writeTree(small, { 'a.txt': 'alpha', 'docs/b.txt': 'beta', 'docs/c.bin': Buffer.alloc(70_000, 3) });
    await sevenZip(path.join(inDir, 'real.7z'), small);
    await sevenZip(path.join(inDir, 'locked.zip'), small, ['-tzip', '-pOpenSesame', '-mem=AES256']);
    await copyFile(path.join(FIXTURES, 'rar5-psw.rar'), path.join(inDir, 'real.rar'));
    const hostile = path.join(dir, 'hostile');
    await mkdir(hostile);
    await makeHostileZips(hostile, { bomb: true });
    await copyFile(path.join(hostile, 'traversal.zip'), path.join(inDir, 'slip.zip'));
    await copyFile(path.join(hostile, 'bomb-10g.zip'), path.join(inDir, 'bomb.zip'));
    server = await starting;
    const out = server.output();
    client = makeImmClient('acs3', server.endpoint, {
      accessKeyId: /AccessKeyId:\s+(\S+)/.exec(out)![1]!,
      accessKeySecret: /AccessKeySecret:\s+(\S+)/.exec(out)![1]!,
    });
    await client.call('CreateProject', { ProjectName: PROJECT });
    await cli('cp', '-r', '-q', local, 'oss://acc/');
    bucketDir = path.join(dataDir, 'oss', 'acc');
    expect((await stat(path.join(bucketDir, 'in', 'bomb.zip'))).isFile()).toBe(true);
  });
  afterAll(async () => {
    // a setup that failed before the server was awaited still stops it
    await (server ?? (await starting?.catch(() => undefined)))?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('compresses 1,000 files listed in a SourceManifestURI and uncompresses them byte-identical', async () => {
    const packed = await runTask('CreateFileCompressionTask', 'FileCompression', {
      SourceManifestURI: 'oss://acc/in/manifest.json',
      TargetURI: 'oss://acc/zips/all.zip',
    });
    expect(packed).toMatchObject({ Status: 'Succeeded', Progress: 100 });
    const unpacked = await runTask('CreateFileUncompressionTask', 'FileUncompression', {
      SourceURI: 'oss://acc/zips/all.zip',
      TargetURI: 'oss://acc/back/',
    });
    expect(unpacked).toMatchObject({ Status: 'Succeeded' });
    const all = await objects();
    const src = all.filter((f) => f.startsWith('src/')).map((f) => f.slice(4));
    const back = all.filter((f) => f.startsWith('back/src/')).map((f) => f.slice(9));
    expect(src).toHaveLength(1000);
    expect(back).toEqual(src);
    expect(await digest(path.join(bucketDir, 'back', 'src'), back)).toBe(
      await digest(path.join(dir, 'local', 'src'), src),
    );
  });

  it('uncompresses a real .7z and an encrypted RAR 5, and only the SelectedFiles when given', async () => {
    expect(
      await runTask('CreateFileUncompressionTask', 'FileUncompression', {
        SourceURI: 'oss://acc/in/real.7z',
        TargetURI: 'oss://acc/7z/',
      }),
    ).toMatchObject({ Status: 'Succeeded' });
    expect(
      await runTask('CreateFileUncompressionTask', 'FileUncompression', {
        SourceURI: 'oss://acc/in/real.rar',
        TargetURI: 'oss://acc/rar/',
        Password: 'password',
      }),
    ).toMatchObject({ Status: 'Succeeded' });
    expect(
      await runTask('CreateFileUncompressionTask', 'FileUncompression', {
        SourceURI: 'oss://acc/in/real.7z',
        TargetURI: 'oss://acc/picked/',
        SelectedFiles: ['docs/b.txt'],
      }),
    ).toMatchObject({ Status: 'Succeeded' });
    const all = await objects();
    expect(all.filter((f) => f.startsWith('7z/'))).toEqual(['7z/a.txt', '7z/docs/b.txt', '7z/docs/c.bin']);
    expect((await readFile(path.join(bucketDir, '7z/docs/c.bin'))).equals(Buffer.alloc(70_000, 3))).toBe(
      true,
    );
    expect(all.filter((f) => f.startsWith('rar/'))).toEqual(['rar/stest1.txt', 'rar/stest2.txt']);
    expect((await stat(path.join(bucketDir, 'rar/stest1.txt'))).size).toBe(2048);
    expect(all.filter((f) => f.startsWith('picked/'))).toEqual(['picked/docs/b.txt']);
  });

  it('fails a zip-slip archive and a 10 GB bomb with their Codes, writing nothing', async () => {
    const before = await objects();
    const slip = await runTask('CreateFileUncompressionTask', 'FileUncompression', {
      SourceURI: 'oss://acc/in/slip.zip',
      TargetURI: 'oss://acc/slip/',
    });
    expect(slip).toMatchObject({ Status: 'Failed', Code: 'InvalidArgument' });
    const bomb = await runTask('CreateFileUncompressionTask', 'FileUncompression', {
      SourceURI: 'oss://acc/in/bomb.zip',
      TargetURI: 'oss://acc/bomb/',
    });
    expect(bomb).toMatchObject({ Status: 'Failed', Code: 'LimitExceededError' });
    expect(await objects()).toEqual(before);
    await expect(stat(path.join(dataDir, 'oss', 'evil.txt'))).rejects.toThrow();
  });

  it("lists a password-protected zip's entries into the ExtendedMessageURI file", async () => {
    const task = await runTask('CreateArchiveFileInspectionTask', 'ArchiveFileInspection', {
      SourceURI: 'oss://acc/in/locked.zip',
      Notification: { ExtendedMessageURI: 'oss://acc/reports/locked.json' },
    });
    expect(task).toMatchObject({ Status: 'Succeeded' });
    const report = JSON.parse(await readFile(path.join(bucketDir, 'reports/locked.json'), 'utf8'));
    expect(report.SourceURI).toBe('oss://acc/in/locked.zip');
    const files = report.Files as Array<{ Path: string; Size: number; IsDir: boolean }>;
    expect(files.filter((f) => !f.IsDir).map((f) => [f.Path, f.Size])).toEqual(
      expect.arrayContaining([
        ['a.txt', 5],
        ['docs/b.txt', 4],
        ['docs/c.bin', 70_000],
      ]),
    );
  });
});
