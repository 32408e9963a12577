/**
 * Archive benchmark (`npm run bench:archive -- [--gib 2] [--keep] [--mode api|direct] [--rounds 3]`): packs and unpacks
 * a mixed data set (thousands of small files, a few large ones; text-like and random) with openimm's
 * FileCompression and FileUncompression, beside `zip -r`/`unzip` and `7zz a -tzip`/`7zz x` on the same
 * files in the same run, and prints wall-time ratios against the faster CLI, CPU seconds of each side and
 * openimm's peak RSS.
 *
 * `--mode api` (the default): each phase through the HTTP API of a fresh `openimm serve` process over the
 * data set's folder (`archive-api.ts`; OPENIMM_BENCH_DATABASE_URL: its PostgreSQL database instead of the
 * embedded PGlite); the RSS is that server's, its idle RSS before the task beside it. `--mode direct`: the processors called
 * in a child process over the fs storage backend. `--phase compress|uncompress --data <dir>` reruns one
 * phase on a kept data set (`--keep` prints where it is).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
import { databaseName, type Phase, type PhaseResult, runPhaseApi } from './archive-api.ts';
import { childrenCpuTimes, peakRssMiB } from './proc-stats.ts';

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

/**
 * Writes back every dirty page before a timed step: otherwise the writeback of what the previous contender
 * left in the page cache (gigabytes: the CLIs do not fsync) competes with the next one's writes and fsyncs.
 */
function settleDisk(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sync', (err) => (err ? reject(err) : resolve()));
  });
}

/** A CLI's wall time and CPU (of the children reaped meanwhile: only this one runs at a time). */
async function timeCommand(cmd: string, args: string[], cwd: string): Promise<PhaseResult> {
  await settleDisk();
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const cpu0 = childrenCpuTimes();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}`));
      const cpu = childrenCpuTimes();
      resolve({
        wallMs: performance.now() - start,
        userMs: cpu.userMs - cpu0.userMs,
        sysMs: cpu.sysMs - cpu0.sysMs,
        maxRssMiB: 0,
      });
    });
  });
}

/** One openimm phase; an unpacking goes under `target/` of the bucket. */
async function runPhase(phase: Phase, dataDir: string, target = 'x'): Promise<PhaseResult> {
  await settleDisk();
  return arg('mode', 'api') === 'direct'
    ? runChild(phase, dataDir, target)
    : runPhaseApi(phase, dataDir, BUCKET, target);
}

function runChild(phase: string, dataDir: string, target: string): Promise<PhaseResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', self, '--child', phase, '--data', dataDir, '--target', target],
      // fsync-bound object writes and inflate share libuv's pool: give it room, as a deployment would
      {
        env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' },
        maxBuffer: 1024 * 1024,
      },
      (err, stdout) =>
        err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()!) as PhaseResult),
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
  const cpu0 = process.cpuUsage();
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
        TargetURI: `oss://${BUCKET}/${arg('target', 'x')}/`,
      }),
      ctx,
    );
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  await rm(tmpDir, { recursive: true, force: true });
  await registry.close();
  console.log(
    JSON.stringify({ wallMs, userMs: cpu.user / 1000, sysMs: cpu.system / 1000, maxRssMiB: peakRssMiB() }),
  );
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
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const cpu = (r: PhaseResult) => `${fmt(r.userMs)} + ${fmt(r.sysMs)}`;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

function row(step: string, r: PhaseResult, faster?: number, extra = ''): string {
  const ratio = faster === undefined ? '' : `**${(r.wallMs / faster).toFixed(2)}×**`;
  const rss = r.maxRssMiB
    ? `RSS ${r.maxRssMiB.toFixed(0)} MiB${r.idleRssMiB ? ` (idle ${r.idleRssMiB.toFixed(0)})` : ''}`
    : '';
  return `| ${step} | ${fmt(r.wallMs)} | ${ratio} | ${cpu(r)} | ${[extra, rss].filter(Boolean).join(', ')} |`;
}

/** `zip -r` and `7zz a` beside FileCompression; rows of the table. */
async function packPhase(root: string, dataDir: string): Promise<string[]> {
  const bucketDir = path.join(dataDir, 'oss', BUCKET);
  await rm(path.join(root, 'cli.zip'), { force: true });
  await rm(path.join(root, 'cli7.zip'), { force: true });
  const storeList = DEFAULT_STORE_EXTENSIONS.map((e) => `.${e}`).join(':');
  const zip = await timeCommand(
    'zip',
    ['-r', '-q', '-6', '-n', storeList, path.join(root, 'cli.zip'), 'src'],
    bucketDir,
  );
  const seven = await timeCommand(
    '7zz',
    ['a', '-bd', '-tzip', '-mx=5', path.join(root, 'cli7.zip'), 'src'],
    bucketDir,
  );
  const ours = await runPhase('compress', dataDir);
  const size = (f: string) => stat(f).then((s) => mib(s.size));
  const faster = Math.min(zip.wallMs, seven.wallMs);
  return [
    row('`zip -r -6` (store list as openimm)', zip, undefined, await size(path.join(root, 'cli.zip'))),
    row('`7zz a -tzip -mx=5`', seven, undefined, await size(path.join(root, 'cli7.zip'))),
    row('openimm FileCompression', ours, faster, await size(path.join(bucketDir, 'out', 'openimm.zip'))),
  ];
}

/**
 * `unzip` and `7zz x` beside FileUncompression, `--rounds` times (3 by default), each run into a fresh folder
 * and the order turned round every round: one run each swung by more than the gap to the goal with the
 * filesystem's state (whoever ran right after the deletes of earlier outputs paid for them, see
 * docs/archive.md). Earlier outputs are deleted before the first round only, and the disk settles after the
 * deletes; each contender's median wall time is compared. Rows of the table: the medians, each round's
 * figures beside them.
 */
async function unpackPhase(root: string, dataDir: string): Promise<string[]> {
  const zip = path.join(dataDir, 'oss', BUCKET, 'out', 'openimm.zip');
  const rounds = Math.max(1, Number(arg('rounds', '3')));
  const bucketDir = path.join(dataDir, 'oss', BUCKET);
  for (const dir of await readdir(root))
    if (/^(unzip|7zx)(-\d+)?$/.test(dir)) await rm(path.join(root, dir), { recursive: true, force: true });
  for (const dir of await readdir(bucketDir))
    if (/^x(-\d+)?$/.test(dir)) await rm(path.join(bucketDir, dir), { recursive: true, force: true });
  await settleDisk();
  await sleep(SETTLE_AFTER_DELETES_MS);
  const runs: Record<'unzip' | 'seven' | 'ours', PhaseResult[]> = { unzip: [], seven: [], ours: [] };
  for (let r = 1; r <= rounds; r++) {
    // round 1 unpacks into x/ (the round trip is checked there), later rounds into x-<round>/
    const suffix = r === 1 ? '' : `-${r}`;
    const steps = {
      unzip: () => timeCommand('unzip', ['-q', zip, '-d', path.join(root, `unzip${suffix}`)], root),
      seven: () => timeCommand('7zz', ['x', '-bd', '-y', zip, `-o${path.join(root, `7zx${suffix}`)}`], root),
      ours: () => runPhase('uncompress', dataDir, `x${suffix}`),
    };
    const order: Array<keyof typeof steps> =
      r % 2 === 1 ? ['unzip', 'seven', 'ours'] : ['ours', 'seven', 'unzip'];
    for (const who of order) runs[who].push(await steps[who]());
  }
  const unzip = medianRun(runs.unzip);
  const seven = medianRun(runs.seven);
  const ours = medianRun(runs.ours);
  const faster = Math.min(unzip.wallMs, seven.wallMs);
  const each = (list: PhaseResult[]) =>
    rounds > 1 ? `rounds: ${list.map((x) => fmt(x.wallMs)).join(', ')}` : '';
  const oursRounds =
    rounds > 1
      ? `rounds: ${runs.ours.map((x, i) => `${fmt(x.wallMs)} (${(x.wallMs / Math.min(runs.unzip[i]!.wallMs, runs.seven[i]!.wallMs)).toFixed(2)}×)`).join(', ')}`
      : '';
  return [
    row('`unzip`', unzip, undefined, each(runs.unzip)),
    row('`7zz x`', seven, undefined, each(runs.seven)),
    row(
      'openimm FileUncompression',
      ours,
      faster,
      ['durable before Succeeded', oursRounds].filter(Boolean).join('; '),
    ),
  ];
}

/** Deletes of thousands of files cost whoever creates files next on ext4 without a journal. */
const SETTLE_AFTER_DELETES_MS = 10_000;

/** The run of median wall time (its CPU with it), with the highest peak RSS of all runs. */
function medianRun(list: PhaseResult[]): PhaseResult {
  const sorted = [...list].sort((a, b) => a.wallMs - b.wallMs);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { ...median, maxRssMiB: Math.max(...list.map((x) => x.maxRssMiB)) };
}

function printTable(rows: string[], loadBefore: string): void {
  console.log('');
  const mode = arg('mode', 'api') === 'direct' ? 'direct' : `api (server on ${databaseName()})`;
  console.log(`mode ${mode}; load average before: ${loadBefore}, after: ${load()}`);
  console.log('| step | wall | ratio to the faster CLI | CPU user + sys | archive / peak RSS |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

async function main(): Promise<void> {
  const gib = Number(arg('gib', '2'));
  const root = await mkdtemp(path.join(os.tmpdir(), 'openimm-bench-'));
  const dataDir = path.join(root, 'data');
  const bucketDir = path.join(dataDir, 'oss', BUCKET);
  const srcDir = path.join(bucketDir, 'src');
  await mkdir(path.join(bucketDir, 'out'), { recursive: true });
  console.log(`data set: ${gib} GiB under ${root} (rerun a phase with --data ${dataDir})`);
  const set = await makeDataset(srcDir, Math.floor(gib * 1024 ** 3));
  console.log(`  ${set.files} files, ${(set.bytes / 1024 ** 2).toFixed(0)} MiB`);
  await treeDigest(srcDir); // warms the page cache for every contender alike
  const loadBefore = load();
  const rows = [...(await packPhase(root, dataDir)), ...(await unpackPhase(root, dataDir))];
  // the archive keeps the objects' key paths (`src/...`), so the extracted tree is under x/src
  const [want, got] = await Promise.all([treeDigest(srcDir), treeDigest(path.join(bucketDir, 'x', 'src'))]);
  printTable(rows, loadBefore);
  console.log(`\nround trip byte-identical: ${want === got}`);
  if (!process.argv.includes('--keep')) await rm(root, { recursive: true, force: true });
  if (want !== got) process.exitCode = 1;
}

/** `--phase <name> --data <dir>`: one phase again on a kept data set, beside its CLIs. */
async function rerunPhase(phase: string, dataDir: string): Promise<void> {
  if (phase !== 'compress' && phase !== 'uncompress') throw new Error('--phase compress|uncompress');
  const root = path.dirname(dataDir);
  const loadBefore = load();
  const rows = phase === 'compress' ? await packPhase(root, dataDir) : await unpackPhase(root, dataDir);
  printTable(rows, loadBefore);
}

if (process.argv.includes('--child')) await child(arg('child', ''), arg('data', ''));
else if (process.argv.includes('--phase')) await rerunPhase(arg('phase', ''), arg('data', ''));
else await main();
