/**
 * Archive benchmark (`npx tsx bench/archive.ts [--gib 2] [--keep]`): packs and unpacks a mixed data set
 * (thousands of small files, a few large ones; text-like and random) with openimm's FileCompression and
 * FileUncompression processors over the fs storage backend, beside `zip -r`/`unzip` and `7zz a -tzip`/
 * `7zz x` on the same files in the same run, and prints wall-time ratios against the faster CLI and
 * openimm's peak RSS. The processors are called directly (each in its own child process, so its peak RSS
 * is its own), not through the HTTP API: the work measured is the same.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { DEFAULT_STORE_EXTENSIONS, defaultArchiveConfig } from '../src/engines/archive/config.ts';
import { makeFileCompressionProcessor } from '../src/processors/file-compression/index.ts';
import { makeFileUncompressionProcessor } from '../src/processors/file-uncompression/index.ts';
import { parseParams } from '../src/processors/params.ts';
import { defaultProcessorLimits, type RunContext } from '../src/processors/types.ts';
import { allowAllPolicy } from '../src/storage/policy.ts';
import { createStorageRegistry } from '../src/storage/registry.ts';
import { createScopedStorage } from '../src/storage/scoped.ts';
import { peakRssMiB } from './proc-stats.ts';

const BUCKET = 'bench';
const WORDS =
  'the of and to in is it that for on with as was at by this from or be are an which not have'.split(' ');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Text that deflates about 3:1, made quickly. */
function textLike(size: number): Buffer {
  // an integer size: past a fractional end the loop below would never finish
  size = Math.floor(size);
  const out = Buffer.alloc(size);
  let pos = 0;
  let seed = size;
  while (pos < size) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const word = WORDS[seed % WORDS.length]!;
    pos += out.write(seed % 11 === 0 ? `${word} ${seed % 9973}\n` : `${word} `, pos);
  }
  return out;
}

async function makeDataset(srcDir: string, totalBytes: number): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const large = Math.floor((totalBytes * 0.6) / 4);
  for (let i = 0; i < 4; i++) {
    const file = path.join(srcDir, 'large', `big-${i}.${i % 2 === 0 ? 'log' : 'bin'}`);
    await mkdir(path.dirname(file), { recursive: true });
    const { createWriteStream } = await import('node:fs');
    const ws = createWriteStream(file);
    for (let done = 0; done < large; done += 8 * 1024 * 1024) {
      const n = Math.min(8 * 1024 * 1024, large - done);
      const chunk =
        i % 2 === 0
          ? textLike(n)
          : i === 1
            ? randomBytes(n)
            : Buffer.concat([textLike(Math.floor(n / 2)), randomBytes(n - Math.floor(n / 2))]);
      if (!ws.write(chunk)) await new Promise<void>((r) => ws.once('drain', () => r()));
    }
    await new Promise<void>((r) => ws.end(r));
    files++;
    bytes += large;
  }
  let remaining = totalBytes - bytes;
  while (remaining > 0) {
    const size = Math.min(remaining, 4096 + ((files * 48_271) % (192 * 1024)));
    const ext = ['txt', 'json', 'csv', 'jpg', 'html', 'bin'][files % 6]!;
    const data = ext === 'jpg' || ext === 'bin' ? randomBytes(size) : textLike(size);
    const file = path.join(srcDir, `d${files % 40}`, `s${files % 7}`, `f${files}.${ext}`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    files++;
    bytes += size;
    remaining -= size;
  }
  return { files, bytes };
}

function timeCommand(cmd: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(performance.now() - start) : reject(new Error(`${cmd} exited ${code}`)),
    );
  });
}

interface ChildResult {
  wallMs: number;
  maxRssMiB: number;
}

function runChild(phase: string, dataDir: string): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', self, '--child', phase, '--data', dataDir],
      // fsync-bound object writes and inflate share libuv's pool: give it room, as a deployment would
      {
        env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' },
        maxBuffer: 1024 * 1024,
      },
      (err, stdout) =>
        err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult),
    );
  });
}

/** The child side: one processor run against the fs storage of `dataDir`. */
async function child(phase: string, dataDir: string): Promise<void> {
  const registry = createStorageRegistry({}, { dataDir, region: 'cn-hangzhou' });
  const storage = createScopedStorage(registry, {
    accountId: '1',
    serviceRole: 'AliyunIMMDefaultRole',
    region: 'cn-hangzhou',
    policy: allowAllPolicy,
  });
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-bench-'));
  const ctx: RunContext = {
    accountId: '1',
    projectName: 'bench',
    serviceRole: 'AliyunIMMDefaultRole',
    region: 'cn-hangzhou',
    taskId: `bench-${phase}`,
    taskType: phase,
    createdAt: new Date(),
    tags: {},
    storage,
    progress: () => {},
    signal: new AbortController().signal,
    tmpDir,
    log: pino({ level: 'silent' }),
    limits: { ...defaultProcessorLimits },
  };
  const start = performance.now();
  if (phase === 'compress') {
    const proc = makeFileCompressionProcessor(defaultArchiveConfig);
    await proc.run(
      parseParams(proc.params, {
        TargetURI: `oss://${BUCKET}/out/openimm.zip`,
        Sources: [{ URI: `oss://${BUCKET}/src/` }],
      }),
      ctx,
    );
  } else {
    const proc = makeFileUncompressionProcessor(defaultArchiveConfig);
    await proc.run(
      parseParams(proc.params, {
        SourceURI: `oss://${BUCKET}/out/openimm.zip`,
        TargetURI: `oss://${BUCKET}/x/`,
      }),
      ctx,
    );
  }
  const wallMs = performance.now() - start;
  await rm(tmpDir, { recursive: true, force: true });
  await registry.close();
  console.log(JSON.stringify({ wallMs, maxRssMiB: peakRssMiB() }));
}

async function treeDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (rel: string) => {
    for (const name of (await readdir(path.join(dir, rel))).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      if ((await stat(path.join(dir, child))).isDirectory()) await walk(child);
      else {
        hash.update(child);
        for await (const chunk of createReadStream(path.join(dir, child))) hash.update(chunk as Buffer);
      }
    }
  };
  await walk('');
  return hash.digest('hex');
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const gib = Number(arg('gib', '2'));
  const root = await mkdtemp(path.join(os.tmpdir(), 'openimm-bench-'));
  const dataDir = path.join(root, 'data');
  const bucketDir = path.join(dataDir, 'oss', BUCKET);
  const srcDir = path.join(bucketDir, 'src');
  await mkdir(path.join(bucketDir, 'out'), { recursive: true });
  console.log(`data set: ${gib} GiB under ${root}`);
  const set = await makeDataset(srcDir, Math.floor(gib * 1024 ** 3));
  console.log(`  ${set.files} files, ${(set.bytes / 1024 ** 2).toFixed(0)} MiB`);
  await treeDigest(srcDir); // warms the page cache for every contender alike

  const storeList = DEFAULT_STORE_EXTENSIONS.map((e) => `.${e}`).join(':');
  const zipMs = await timeCommand(
    'zip',
    ['-r', '-q', '-6', '-n', storeList, path.join(root, 'cli.zip'), 'src'],
    bucketDir,
  );
  const sevenMs = await timeCommand(
    '7zz',
    ['a', '-bd', '-tzip', '-mx=5', path.join(root, 'cli7.zip'), 'src'],
    bucketDir,
  );
  const ours = await runChild('compress', dataDir);
  const sizes = await Promise.all(
    ['cli.zip', 'cli7.zip'].map((f) => stat(path.join(root, f)).then((s) => s.size)),
  );
  const ourSize = (await stat(path.join(bucketDir, 'out', 'openimm.zip'))).size;

  const unzipMs = await timeCommand(
    'unzip',
    ['-q', path.join(bucketDir, 'out', 'openimm.zip'), '-d', path.join(root, 'unzip')],
    root,
  );
  const sevenXMs = await timeCommand(
    '7zz',
    ['x', '-bd', '-y', path.join(bucketDir, 'out', 'openimm.zip'), `-o${path.join(root, '7zx')}`],
    root,
  );
  const oursX = await runChild('uncompress', dataDir);

  // the archive keeps the objects' key paths (`src/...`), so the extracted tree is under x/src
  const [want, got] = await Promise.all([treeDigest(srcDir), treeDigest(path.join(bucketDir, 'x', 'src'))]);
  const fasterPack = Math.min(zipMs, sevenMs);
  const fasterUnpack = Math.min(unzipMs, sevenXMs);
  console.log('');
  console.log('| step | wall | ratio to the faster CLI | archive / peak RSS |');
  console.log('|---|---|---|---|');
  console.log(
    `| zip -r -6 (store list as openimm) | ${fmt(zipMs)} | | ${(sizes[0]! / 1024 ** 2).toFixed(0)} MiB |`,
  );
  console.log(`| 7zz a -tzip -mx=5 | ${fmt(sevenMs)} | | ${(sizes[1]! / 1024 ** 2).toFixed(0)} MiB |`);
  console.log(
    `| openimm FileCompression | ${fmt(ours.wallMs)} | ${(ours.wallMs / fasterPack).toFixed(2)}× | ${(ourSize / 1024 ** 2).toFixed(0)} MiB, RSS ${ours.maxRssMiB.toFixed(0)} MiB |`,
  );
  console.log(`| unzip | ${fmt(unzipMs)} | | |`);
  console.log(`| 7zz x | ${fmt(sevenXMs)} | | |`);
  console.log(
    `| openimm FileUncompression | ${fmt(oursX.wallMs)} | ${(oursX.wallMs / fasterUnpack).toFixed(2)}× | RSS ${oursX.maxRssMiB.toFixed(0)} MiB |`,
  );
  console.log(
    `\nround trip byte-identical: ${want === got}; load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  if (!process.argv.includes('--keep')) await rm(root, { recursive: true, force: true });
  if (want !== got) process.exitCode = 1;
}

if (process.argv.includes('--child')) await child(arg('child', ''), arg('data', ''));
else if (process.argv.includes('--phase')) console.log(await runChild(arg('phase', ''), arg('data', '')));
else await main();
