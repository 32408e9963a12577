/**
 * Storage benchmark (`npm run bench:storage`): copies one object through each backend pair via the
 * storage layer (fs→fs, fs→s3, s3→fs) beside a baseline measured in the same run (`cp` for fs→fs, a raw
 * AWS SDK stream copy for the S3 legs), each case in its own process so its peak RSS is its own.
 * Prints wall-time ratios (medians over rounds, cases interleaved) and peak RSS.
 *
 * Settings: OPENIMM_BENCH_SIZE_MIB (default 1024), OPENIMM_BENCH_ROUNDS (default 3), OPENIMM_BENCH_DIR
 * (default /dev/shm when present: on a virtual disk the write-back bursts swamp what is measured here,
 * the layer's own cost; point it at a disk folder to include the disk, fsync and all).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createStorageRegistry } from '../src/storage/registry.ts';
import { copyOne } from '../src/storage/tools/copy.ts';
import { parseEndpoint } from '../src/storage/tools/endpoints.ts';
import { S3RVER_KEY, startS3rver } from '../test/integration/storage/s3rver-process.ts';
import { peakRssMiB } from './proc-stats.ts';

const MIB = 1024 * 1024;
const PART_SIZE = Number(process.env.OPENIMM_BENCH_PART_MIB ?? 8) * MIB;
const QUEUE_SIZE = Number(process.env.OPENIMM_BENCH_QUEUE ?? 3);
const CASES = ['cp', 'cp-sync', 'fs-fs', 'raw-up', 'fs-s3', 'raw-down', 's3-fs'] as const;
type Case = (typeof CASES)[number];

interface Env {
  dir: string;
  endpoint: string;
}

function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function registryFor(env: Env) {
  const s3 = {
    backend: 's3' as const,
    endpoint: env.endpoint,
    bucket: 'bench',
    forcePathStyle: true,
    accessKeyId: S3RVER_KEY,
    secretAccessKey: S3RVER_KEY,
    partSizeMiB: PART_SIZE / MIB,
    queueSize: QUEUE_SIZE,
  };
  return createStorageRegistry(
    {
      buckets: {
        'fs-a': { backend: 'fs', path: path.join(env.dir, 'fs-a') },
        'fs-b': { backend: 'fs', path: path.join(env.dir, 'fs-b') },
        's3-b': s3,
      },
    },
    { dataDir: env.dir, region: 'cn-hangzhou' },
  );
}

/** One measured copy, in this (child) process. */
async function runCase(name: Case, env: Env): Promise<void> {
  const src = path.join(env.dir, 'fs-a', 'src.bin');
  const registry = registryFor(env);
  const started = process.hrtime.bigint();
  switch (name) {
    case 'cp':
      execFileSync('cp', [src, path.join(env.dir, 'cp-out.bin')]);
      break;
    case 'cp-sync':
      // The fs backend fsyncs before its rename (durability); this is cp held to the same rule.
      execFileSync('cp', [src, path.join(env.dir, 'cp-sync-out.bin')]);
      execFileSync('sync', [path.join(env.dir, 'cp-sync-out.bin')]);
      break;
    case 'fs-fs':
      await copyOne(registry, parseEndpoint('oss://fs-a/src.bin'), parseEndpoint('oss://fs-b/out.bin'));
      break;
    case 'fs-s3':
      await copyOne(registry, parseEndpoint('oss://fs-a/src.bin'), parseEndpoint('oss://s3-b/layer.bin'));
      break;
    case 's3-fs':
      await copyOne(registry, parseEndpoint('oss://s3-b/raw.bin'), parseEndpoint('oss://fs-b/from-s3.bin'));
      break;
    case 'raw-up': {
      const client = s3Client(env.endpoint);
      const params = { Bucket: 'bench', Key: 'raw.bin', Body: createReadStream(src) };
      await new Upload({ client, params, partSize: PART_SIZE, queueSize: QUEUE_SIZE }).done();
      client.destroy();
      break;
    }
    case 'raw-down': {
      const client = s3Client(env.endpoint);
      const r = await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'raw.bin' }));
      await pipeline(r.Body as Readable, createWriteStream(path.join(env.dir, 'raw-down.bin')));
      client.destroy();
      break;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await registry.close();
  // The peak of this process, i.e. of this one copy.
  process.stdout.write(`${JSON.stringify({ seconds, peakRssMiB: peakRssMiB() })}\n`);
}

function measure(name: Case, env: Env): Promise<{ seconds: number; peakRssMiB: number }> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, ['--import', 'tsx', self, '--case', name, env.dir, env.endpoint], {
      stdio: ['ignore', 'pipe', 'inherit'],
      // The AWS SDK's notice about future Node versions is noise in a benchmark table.
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`case ${name} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!));
    });
  });
}

async function makeSource(file: string, mib: number): Promise<void> {
  // Random blocks (not zeros), so no layer can shortcut the data; one 1 MiB pattern per 64 MiB keeps it cheap.
  async function* blocks() {
    let block = randomBytes(MIB);
    for (let i = 0; i < mib; i++) {
      if (i % 64 === 0) block = randomBytes(MIB);
      yield block;
    }
  }
  await pipeline(Readable.from(blocks()), createWriteStream(file));
}

type Result = { seconds: number; peakRssMiB: number };

/** Outputs of a case, removed before the next one so every case writes a fresh object. */
async function clearOutputs(env: Env): Promise<void> {
  await rm(path.join(env.dir, 'fs-b'), { recursive: true, force: true });
  await mkdir(path.join(env.dir, 'fs-b'));
  for (const f of await readdir(env.dir))
    if (f.endsWith('-out.bin') || f === 'raw-down.bin') await rm(path.join(env.dir, f));
}

async function main(): Promise<void> {
  const mib = Number(process.env.OPENIMM_BENCH_SIZE_MIB ?? 1024);
  const rounds = Number(process.env.OPENIMM_BENCH_ROUNDS ?? 3);
  const parent = process.env.OPENIMM_BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
  const dir = await mkdtemp(path.join(parent, 'openimm-bench-'));
  const server = await startS3rver(parent);
  try {
    await server.createBucket('bench');
    await mkdir(path.join(dir, 'fs-a'), { recursive: true });
    await mkdir(path.join(dir, 'fs-b'), { recursive: true });
    await makeSource(path.join(dir, 'fs-a', 'src.bin'), mib);
    const env = { dir, endpoint: server.endpoint };
    const results = new Map<Case, Result[]>();
    // OPENIMM_BENCH_CASES=raw-up,fs-s3 runs a subset (each ratio needs both of its cases).
    const only = process.env.OPENIMM_BENCH_CASES?.split(',');
    const cases = CASES.filter((c) => !only || only.includes(c));
    for (let round = 1; round <= rounds; round++) {
      for (const name of cases) {
        execFileSync('sync');
        const r = await measure(name, env);
        results.set(name, [...(results.get(name) ?? []), r]);
        process.stderr.write(
          `round ${round} ${name}: ${r.seconds.toFixed(2)} s, ${r.peakRssMiB.toFixed(0)} MiB\n`,
        );
        // raw.bin (written by raw-up) is the source of the download cases: keep the S3 side.
        await clearOutputs(env);
      }
    }
    report(mib, rounds, parent, summarize(results));
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function summarize(all: Map<Case, Result[]>): Map<Case, Result> {
  const out = new Map<Case, Result>();
  for (const [name, rs] of all) {
    const secs = rs.map((r) => r.seconds).sort((a, b) => a - b);
    out.set(name, {
      seconds: secs[Math.floor(secs.length / 2)],
      peakRssMiB: Math.max(...rs.map((r) => r.peakRssMiB)),
    });
  }
  return out;
}

function report(mib: number, rounds: number, where: string, r: Map<Case, Result>): void {
  const rows: Array<[string, Case, Case]> = [
    ['fs → fs', 'fs-fs', 'cp'],
    ['fs → fs', 'fs-fs', 'cp-sync'],
    ['fs → s3', 'fs-s3', 'raw-up'],
    ['s3 → fs', 's3-fs', 'raw-down'],
  ];
  console.log(
    `\nstorage benchmark: ${mib} MiB object in ${where}, median of ${rounds} rounds, S3 parts ${PART_SIZE / MIB} MiB × ${QUEUE_SIZE}`,
  );
  console.log('copy      storage layer        baseline                  ratio   peak RSS (layer / baseline)');
  for (const [label, layer, base] of rows) {
    const l = r.get(layer);
    const b = r.get(base);
    if (!l || !b) continue;
    const ratio = l.seconds / b.seconds;
    const verdict = ratio <= 1.1 && l.peakRssMiB < 200 ? 'ok' : 'over goal';
    console.log(
      `${label.padEnd(9)} ${l.seconds.toFixed(2).padStart(7)} s ${(mib / l.seconds).toFixed(0).padStart(5)} MiB/s` +
        `  ${base.padEnd(8)} ${b.seconds.toFixed(2).padStart(7)} s  ${ratio.toFixed(2).padStart(5)}×` +
        `   ${l.peakRssMiB.toFixed(0).padStart(4)} / ${b.peakRssMiB.toFixed(0).padStart(4)} MiB  ${verdict}`,
    );
  }
  console.log('goal: ratio ≤ 1.10× the baseline, peak RSS < 200 MiB');
}

const caseFlag = process.argv.indexOf('--case');
if (caseFlag >= 0) {
  const [name, dir, endpoint] = process.argv.slice(caseFlag + 1);
  await runCase(name as Case, { dir, endpoint });
} else {
  await main();
}
