import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerOssCommands } from '../../../src/cli/oss-commands.ts';
import { createStorageRegistry } from '../../../src/storage/registry.ts';
import { S3RVER_KEY, type S3rverProcess, startS3rver } from './s3rver-process.ts';

let server: S3rverProcess;
let dataDir: string;

beforeAll(async () => {
  server = await startS3rver();
  await server.createBucket('remote-real');
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
});
afterAll(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs `openimm oss ...` in-process against fs and s3 buckets; returns what it printed. */
async function oss(...args: string[]): Promise<{ out: Buffer; err: string; code: number }> {
  const out: Buffer[] = [];
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(Buffer.from(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += chunk.toString();
    return true;
  });
  const program = new Command().exitOverride();
  registerOssCommands(program, async () =>
    createStorageRegistry(
      {
        buckets: {
          'on-s3': {
            backend: 's3',
            endpoint: server.endpoint,
            bucket: 'remote-real',
            forcePathStyle: true,
            accessKeyId: S3RVER_KEY,
            secretAccessKey: S3RVER_KEY,
          },
        },
      },
      { dataDir, region: 'cn-hangzhou' },
    ),
  );
  try {
    await program.parseAsync(['oss', ...args], { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  const code = (process.exitCode as number | undefined) ?? 0;
  process.exitCode = undefined;
  return { out: Buffer.concat(out), err, code };
}

describe('openimm oss', () => {
  it('copies local → fs bucket → s3 bucket → local, byte for byte', async () => {
    const local = path.join(dataDir, 'local-src.bin');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(local, data);
    expect((await oss('cp', local, 'oss://on-fs/in/a.bin')).out.toString()).toBe('oss://on-fs/in/a.bin\n');
    expect((await oss('cp', 'oss://on-fs/in/a.bin', 'oss://on-s3/copied/')).out.toString()).toBe(
      'oss://on-s3/copied/a.bin\n',
    );
    const back = path.join(dataDir, 'back');
    await mkdir(back);
    expect((await oss('cp', 'oss://on-s3/copied/a.bin', back)).out.toString()).toBe(
      `${path.join(back, 'a.bin')}\n`,
    );
    expect((await readFile(path.join(back, 'a.bin'))).equals(data)).toBe(true);
    expect((await oss('cat', 'oss://on-s3/copied/a.bin')).out.equals(data)).toBe(true);
    // fs bucket → local and fs bucket → fs bucket take the kernel-copy path.
    await oss('cp', 'oss://on-fs/in/a.bin', path.join(back, 'from-fs.bin'));
    expect((await readFile(path.join(back, 'from-fs.bin'))).equals(data)).toBe(true);
    expect((await oss('cp', 'oss://on-fs/in/a.bin', 'oss://other-fs/x/')).out.toString()).toBe(
      'oss://other-fs/x/a.bin\n',
    );
    expect((await oss('cat', 'oss://other-fs/x/a.bin')).out.equals(data)).toBe(true);
  });

  it('lists buckets, folders and objects', async () => {
    await oss('cp', '-q', path.join(dataDir, 'local-src.bin'), 'oss://on-fs/tree/x/1.bin');
    await oss('cp', '-q', path.join(dataDir, 'local-src.bin'), 'oss://on-fs/tree/top.bin');
    const buckets = (await oss('ls')).out.toString();
    expect(buckets).toMatch(/s3\s+cn-hangzhou\s+oss:\/\/on-s3\//);
    expect(buckets).toMatch(/fs\s+cn-hangzhou\s+oss:\/\/on-fs\//);
    const shallow = (await oss('ls', 'oss://on-fs/tree/')).out.toString().split('\n').filter(Boolean);
    expect(shallow).toHaveLength(2);
    expect(shallow[0]).toMatch(/^\s+3145745\s+\d{4}-\d\d-\d\dT.*Z\s+oss:\/\/on-fs\/tree\/top\.bin$/);
    expect(shallow[1]).toMatch(/^\s+DIR\s+oss:\/\/on-fs\/tree\/x\/$/);
    const deep = (await oss('ls', '-r', 'oss://on-fs/tree/')).out.toString();
    expect(deep).toContain('oss://on-fs/tree/x/1.bin');
  });

  it('copies trees both ways and removes them', async () => {
    const folder = path.join(dataDir, 'tree-src');
    await mkdir(path.join(folder, 'sub'), { recursive: true });
    await writeFile(path.join(folder, 'a.txt'), 'a');
    await writeFile(path.join(folder, 'sub', 'b.txt'), 'b');
    const up = await oss('cp', '-r', folder, 'oss://on-s3/tree');
    expect(up.out.toString().trim().split('\n')).toEqual([
      'oss://on-s3/tree/a.txt',
      'oss://on-s3/tree/sub/b.txt',
    ]);
    const down = path.join(dataDir, 'tree-back');
    await oss('cp', '-r', 'oss://on-s3/tree/', down);
    expect(await readFile(path.join(down, 'sub', 'b.txt'), 'utf8')).toBe('b');
    const removed = await oss('rm', '-r', 'oss://on-s3/tree/');
    expect(removed.out.toString()).toContain('removed oss://on-s3/tree/sub/b.txt');
    expect((await oss('ls', '-r', 'oss://on-s3/tree/')).out.toString()).toBe('');
  });

  it('removes one object and reports what is missing', async () => {
    await oss('cp', '-q', path.join(dataDir, 'local-src.bin'), 'oss://on-fs/gone.bin');
    expect((await oss('rm', 'oss://on-fs/gone.bin')).code).toBe(0);
    const again = await oss('rm', 'oss://on-fs/gone.bin');
    expect(again.code).toBe(1);
    expect(again.err).toContain('File does not exist. oss://on-fs/gone.bin');
    const missing = await oss('cp', 'oss://on-fs/nope.bin', path.join(dataDir, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('File does not exist. oss://on-fs/nope.bin');
    const badUri = await oss('cat', 'oss://bucket.oss-cn-hangzhou.aliyuncs.com/x');
    expect(badUri.code).toBe(1);
    expect(badUri.err).toContain('not an endpoint');
    const noBucket = await oss('ls', 'oss://no-such-bucket/');
    expect(noBucket.err).toContain('The bucket no-such-bucket does not exist.');
  });

  it('prints a progress line for large copies only', async () => {
    const big = path.join(dataDir, 'big.bin');
    await writeFile(big, Buffer.alloc(20 * 1024 * 1024, 7));
    // Local → S3 streams through this process (local → fs is a kernel copy, done in one step).
    const large = await oss('cp', big, 'oss://on-s3/big.bin');
    const lines = large.err.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/big\.bin: 20\.0\/20\.0 MiB 100% [\d.]+ MiB\/s/);
    const small = await oss('cp', path.join(dataDir, 'local-src.bin'), 'oss://on-s3/small.bin');
    expect(small.err).toBe('');
  });
});
