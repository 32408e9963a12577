/**
 * Image benchmark (`npm run bench:images`): ImageToPDF beside `img2pdf` (100 JPEGs of 3000×2000, and 300
 * pages for memory), ImageSplicing beside the `vips` command (10 PNGs of 2000×1500 joined vertically at
 * width 1000, JPEG quality 80), all in the same run, cases interleaved, median wall time over rounds,
 * peak RSS of each case's own process.
 *
 * Through the API when the processors are registered: a fresh `openimm serve` process per case, tasks
 * created and polled with openapi-core, the server's peak RSS read from /proc. Otherwise (or with
 * OPENIMM_BENCH_MODE=direct) each case runs the processor in its own child process. The 300-page case
 * always runs the processor directly: the API allows 100 Sources per task.
 *
 * Settings: OPENIMM_BENCH_ROUNDS (default 3), OPENIMM_BENCH_DIR (default /dev/shm when present, so the
 * disk's write-back does not swamp what is measured), OPENIMM_BENCH_MODE (api | direct),
 * OPENIMM_BENCH_KEEP (a folder: fixtures are made there once and kept for the next run),
 * OPENIMM_BENCH_DATABASE_URL (the server uses this PostgreSQL database instead of PGlite).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { imageSplicingProcessor } from '../src/processors/image-splicing/index.ts';
import { imageToPdfProcessor } from '../src/processors/image-to-pdf/index.ts';
import { allowAllPolicy } from '../src/storage/policy.ts';
import { createStorageRegistry } from '../src/storage/registry.ts';
import { createScopedStorage } from '../src/storage/scoped.ts';
import {
  type ImmCallError,
  type ImmClient,
  type ImmParams,
  makeImmClient,
} from '../test/helpers/imm-clients.ts';
import { makeRunContext } from '../test/helpers/run-context.ts';
import { OPENIMM_BIN, REPO_ROOT } from '../test/helpers/server-process.ts';
import { peakRssMiB, procStatusMiB } from './proc-stats.ts';

const BUCKET = 'bench';
/** PostgreSQL for the server instead of the embedded PGlite (whose wasm work shares the event loop). */
const DATABASE_URL = process.env.OPENIMM_BENCH_DATABASE_URL;
const KEYS = { accessKeyId: 'LTAIbenchimages0001', accessKeySecret: 'benchimagessecret0000000000001' };
const CASES = [
  'img2pdf-100',
  'pdf-100',
  'pdf-100-direct',
  'img2pdf-300',
  'pdf-300',
  'vips-splice',
  'splice',
  'splice-direct',
] as const;
type Case = (typeof CASES)[number];
type Mode = 'api' | 'direct';
interface Result {
  seconds: number;
  peakRssMiB: number;
}

const pdfSources = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    URI: `oss://${BUCKET}/in/p${String(i % 100).padStart(3, '0')}.jpg`,
  }));
const spliceSources = () => Array.from({ length: 10 }, (_, i) => ({ URI: `oss://${BUCKET}/in/s${i}.png` }));
const SPLICE_PARAMS = { Direction: 'vertical', Align: '1000', ImageFormat: 'jpg', Quality: '80' };
const objectPath = (dir: string, uri: string) => path.join(dir, 'data', 'oss', uri.slice('oss://'.length));

/** Photo-like content: a smooth gradient with grain, so codecs do real work. */
function photo(width: number, height: number, seed: number) {
  const tint = { r: (seed * 53) % 256, g: (seed * 97) % 256, b: (seed * 151) % 256 };
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs>
    <linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="rgb(${tint.r},${tint.g},${tint.b})"/>
    <stop offset="1" stop-color="rgb(${255 - tint.r},${tint.b},${tint.g})"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 3}" cy="${height / 2}" r="${height / 4}" fill="white" opacity="0.4"/></svg>`;
  const noise = { type: 'gaussian' as const, mean: 128, sigma: 12 };
  const grain = sharp({ create: { width, height, channels: 3, background: 'gray', noise } })
    .png()
    .toBuffer();
  return grain.then((g) => sharp(Buffer.from(svg)).composite([{ input: g, blend: 'soft-light' }]));
}

async function makeFixtures(dir: string): Promise<void> {
  const inDir = path.join(dir, 'data', 'oss', BUCKET, 'in');
  await mkdir(inDir, { recursive: true });
  // Ten distinct photos, each stored under ten names: 100 source objects.
  for (let i = 0; i < 10; i++) {
    const bytes = await (await photo(3000, 2000, i)).jpeg({ quality: 88 }).toBuffer();
    for (let k = 0; k < 10; k++)
      await writeFile(path.join(inDir, `p${String(k * 10 + i).padStart(3, '0')}.jpg`), bytes);
  }
  for (let i = 0; i < 10; i++)
    await (await photo(2000, 1500, i + 20)).png().toFile(path.join(inDir, `s${i}.png`));
}

/** A command measured by Python's rusage of its children (their peak RSS, KiB). */
function measureCommand(script: string): Promise<Result> {
  const py = `import resource,subprocess,sys,time
t=time.perf_counter(); subprocess.run(['bash','-c',sys.argv[1]],check=True)
print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)`;
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', py, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`baseline exited with ${code}: ${script.slice(0, 200)}`));
      const [seconds, kib] = out.trim().split(/\s+/).map(Number);
      resolve({ seconds: seconds!, peakRssMiB: kib! / 1024 });
    });
  });
}

function img2pdfScript(dir: string, pages: number): string {
  const files = pdfSources(pages).map((s) => objectPath(dir, s.URI));
  return `img2pdf ${files.join(' ')} -o ${path.join(dir, 'img2pdf.pdf')}`;
}

/**
 * The vips command as a shell user runs it: one thumbnail per image, then one join into the JPEG.
 * Thumbnails go through uncompressed TIFF: Debian's vips 8.14 crashes joining `.v` files.
 */
function vipsSpliceScript(dir: string): string {
  const work = path.join(dir, 'vips');
  const thumbs = spliceSources().map(
    (s, i) => `vips thumbnail ${objectPath(dir, s.URI)} ${work}/t${i}.tif 1000`,
  );
  const list = spliceSources()
    .map((_, i) => `${work}/t${i}.tif`)
    .join(' ');
  return `mkdir -p ${work} && ${thumbs.join(' && ')} && vips arrayjoin "${list}" ${work}/out.jpg[Q=80] --across 1`;
}

/** In a child process: run one processor on the fixtures, report wall time and this process's peak RSS. */
async function runDirect(name: Case, dir: string): Promise<void> {
  const registry = createStorageRegistry({}, { dataDir: path.join(dir, 'data'), region: 'cn-hangzhou' });
  const storage = createScopedStorage(registry, {
    accountId: '1',
    serviceRole: 'AliyunIMMDefaultRole',
    region: 'cn-hangzhou',
    policy: allowAllPolicy,
  });
  const ctx = makeRunContext(storage, { tmpDir: path.join(dir, 'tmp') });
  await mkdir(ctx.tmpDir, { recursive: true });
  const started = process.hrtime.bigint();
  if (name === 'splice') {
    const params = imageSplicingProcessor.params.parse({
      Sources: spliceSources(),
      TargetURI: `oss://${BUCKET}/out/splice.jpg`,
      ...SPLICE_PARAMS,
    });
    await imageSplicingProcessor.run(params, ctx);
  } else {
    // Built by hand: 300 Sources are over the API's limit of 100, the point is memory per page.
    const pages = name === 'pdf-300' ? 300 : 100;
    await imageToPdfProcessor.run(
      { Sources: pdfSources(pages), TargetURI: `oss://${BUCKET}/out/${name}.pdf` },
      ctx,
    );
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ seconds, peakRssMiB: peakRssMiB() })}\n`);
}

function measureDirect(name: Case, dir: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, ['--import', 'tsx', self, '--case', name, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
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

/** `openimm serve` on a free port; resolves once it listens. The caller kills it, started or not. */
function startServer(dataDir: string): { child: ChildProcess; endpoint: Promise<string> } {
  const child = spawn(process.execPath, [OPENIMM_BIN, 'serve', '--data-dir', dataDir, '--port', '0'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      OPENIMM_LOG_LEVEL: 'info',
      OPENIMM_ACCESS_KEY_ID: KEYS.accessKeyId,
      OPENIMM_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
      ...(DATABASE_URL ? { OPENIMM_DATABASE_URL: DATABASE_URL } : {}),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const url =
        /"msg":"openimm started".*?"url":"http:\/\/([^"]+)"|"url":"http:\/\/([^"]+)".*?"msg":"openimm started"/.exec(
          out,
        );
      if (url) resolve((url[1] ?? url[2])!);
    });
    child.on('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    setTimeout(() => reject(new Error('the server did not start within 180 s')), 180_000).unref();
  });
  return { child, endpoint };
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Whether this build's server registers the image actions (a missing Sources is its answer if so). */
async function serverHasImageTasks(dir: string): Promise<boolean> {
  const server = startServer(path.join(dir, 'data'));
  try {
    const client = makeImmClient('acs3', await server.endpoint, KEYS);
    await client.call('CreateProject', { ProjectName: 'bench' }).catch(() => {});
    const err = await client.call('CreateImageToPDFTask', { ProjectName: 'bench' }).then(
      () => null,
      (e: ImmCallError) => e,
    );
    return !err?.code?.startsWith('InvalidAction');
  } finally {
    await stopServer(server.child);
  }
}

/**
 * Runs one task to its end: created, then awaited with the WaitTask extension (no polling load). A
 * wait that times out on the client side (a busy machine) is simply asked again.
 */
async function runApiTask(client: ImmClient, action: string, type: string, params: Record<string, unknown>) {
  const { TaskId } = await client.call(action, { ProjectName: 'bench', ...(params as ImmParams) });
  let task: Record<string, any> = { Status: 'Running' };
  while (task.Status === 'Running') {
    task = await client
      .call('WaitTask', { ProjectName: 'bench', TaskId, TaskType: type, Timeout: 2 })
      .catch((err: ImmCallError) => {
        if (err.statusCode) throw err;
        return { Status: 'Running' };
      });
  }
  if (task.Status !== 'Succeeded') throw new Error(`${type}: ${task.Code} ${task.Message}`);
}

/**
 * A fresh server per case, so its peak RSS is this case's; one small task first, as a running server has
 * done before (module loading, JIT, first database writes), then the measured task through openapi-core.
 */
async function measureApi(name: Case, dir: string): Promise<Result & { idleRssMiB: number }> {
  const server = startServer(path.join(dir, 'data'));
  try {
    const client = makeImmClient('acs3', await server.endpoint, KEYS);
    await client.call('CreateProject', { ProjectName: 'bench' }).catch(() => {});
    const pid = server.child.pid!;
    const splice = name === 'splice';
    const action = splice ? 'CreateImageSplicingTask' : 'CreateImageToPDFTask';
    const type = splice ? 'ImageSplicing' : 'ImageToPDF';
    const params = (sources: Array<{ URI: string }>, target: string) =>
      splice
        ? { Sources: sources, TargetURI: target, ...SPLICE_PARAMS }
        : { Sources: sources, TargetURI: target };
    const all = splice ? spliceSources() : pdfSources(100);
    await runApiTask(client, action, type, params(all.slice(0, 1), `oss://${BUCKET}/out/warm-up`));
    const idleRssMiB = procStatusMiB(pid, 'VmRSS');
    const started = process.hrtime.bigint();
    await runApiTask(client, action, type, params(all, `oss://${BUCKET}/out/api.${splice ? 'jpg' : 'pdf'}`));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, peakRssMiB: procStatusMiB(pid, 'VmHWM'), idleRssMiB };
  } finally {
    await stopServer(server.child);
  }
}

async function measure(name: Case, dir: string, mode: Mode): Promise<Result & { idleRssMiB?: number }> {
  switch (name) {
    case 'img2pdf-100':
      return measureCommand(img2pdfScript(dir, 100));
    case 'img2pdf-300':
      return measureCommand(img2pdfScript(dir, 300));
    case 'vips-splice':
      return measureCommand(vipsSpliceScript(dir));
    case 'pdf-300':
      return measureDirect(name, dir);
    case 'pdf-100-direct':
      return measureDirect('pdf-100', dir);
    case 'splice-direct':
      return measureDirect('splice', dir);
    default:
      return mode === 'api' ? measureApi(name, dir) : measureDirect(name, dir);
  }
}

/** The outputs really are what was asked for (checked once, after the last round). */
async function checkOutputs(dir: string, mode: Mode): Promise<string[]> {
  const out = path.join(dir, 'data', 'oss', BUCKET, 'out');
  const pdf = path.join(out, mode === 'api' ? 'api.pdf' : 'pdf-100.pdf');
  const pages = /^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1];
  const big = /^Pages:\s+(\d+)/m.exec(
    execFileSync('pdfinfo', [path.join(out, 'pdf-300.pdf')], { encoding: 'utf8' }),
  )![1];
  const splice = await sharp(path.join(out, mode === 'api' ? 'api.jpg' : 'splice.jpg')).metadata();
  const baseline = await sharp(path.join(dir, 'vips', 'out.jpg')).metadata();
  return [
    `ImageToPDF: ${pages} and ${big} pages; PDF ${(await readFile(pdf)).length >> 20} MiB`,
    `ImageSplicing: ${splice.width}×${splice.height} (vips command: ${baseline.width}×${baseline.height})`,
  ];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const rounds = Number(process.env.OPENIMM_BENCH_ROUNDS ?? 3);
  let mode: Mode = process.env.OPENIMM_BENCH_MODE === 'direct' ? 'direct' : 'api';
  const parent = process.env.OPENIMM_BENCH_DIR ?? (existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
  const keep = process.env.OPENIMM_BENCH_KEEP;
  const dir = keep ?? (await mkdtemp(path.join(parent, 'openimm-bench-')));
  try {
    if (!keep || !existsSync(objectPath(dir, spliceSources()[9]!.URI))) {
      process.stderr.write('making fixtures…\n');
      await makeFixtures(dir);
    }
    if (mode === 'api' && !(await serverHasImageTasks(dir))) {
      process.stderr.write('the server does not offer the image tasks: running the processors directly\n');
      mode = 'direct';
    }
    const results = new Map<Case, Array<Result & { idleRssMiB?: number }>>(CASES.map((c) => [c, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const name of CASES) {
        if (mode === 'direct' && name.endsWith('-direct')) continue; // the plain case is direct already
        const r = await measure(name, dir, mode);
        results.get(name)!.push(r);
        process.stderr.write(
          `round ${round} ${name}: ${r.seconds.toFixed(2)} s, ${r.peakRssMiB.toFixed(0)} MiB\n`,
        );
      }
    }
    report(results, mode, rounds, await checkOutputs(dir, mode));
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

function report(
  all: Map<Case, Array<Result & { idleRssMiB?: number }>>,
  mode: Mode,
  rounds: number,
  checks: string[],
) {
  const get = (c: Case) => {
    const rs = all.get(c)!;
    const idle = rs.map((r) => r.idleRssMiB).filter((v): v is number => v !== undefined);
    const peak = Math.max(...rs.map((r) => r.peakRssMiB));
    return {
      seconds: median(rs.map((r) => r.seconds)),
      peak,
      idle: idle.length ? Math.max(...idle) : undefined,
    };
  };
  const how =
    mode === 'api' ? `API, fresh server per case, ${DATABASE_URL ? 'PostgreSQL' : 'PGlite'}` : 'direct';
  console.log(`\nimage benchmark (${how}), median of ${rounds} rounds, ${os.cpus().length} cores`);
  console.log(
    'job                              openimm   baseline          ratio   goal   peak RSS openimm / baseline',
  );
  const rows: Array<[string, Case, Case, number, number]> = [
    ['ImageToPDF 100 × 3000×2000', 'pdf-100', 'img2pdf-100', 1.0, Number.POSITIVE_INFINITY],
    ['  same, processor run directly', 'pdf-100-direct', 'img2pdf-100', 1.0, Number.POSITIVE_INFINITY],
    ['ImageToPDF 300 pages (direct)', 'pdf-300', 'img2pdf-300', 1.0, 256],
    ['ImageSplicing 10 × 2000×1500', 'splice', 'vips-splice', 0.5, Number.POSITIVE_INFINITY],
    ['  same, processor run directly', 'splice-direct', 'vips-splice', 0.5, Number.POSITIVE_INFINITY],
  ];
  for (const [label, ours, base, goal, rssGoal] of rows) {
    if (all.get(ours)!.length === 0) continue;
    const o = get(ours);
    const b = get(base);
    const ratio = o.seconds / b.seconds;
    const verdict = ratio <= goal && o.peak < rssGoal ? 'ok' : 'over goal';
    const idle = o.idle !== undefined ? ` (server idle ${o.idle.toFixed(0)})` : '';
    const name = base.startsWith('img2pdf') ? 'img2pdf' : 'vips';
    console.log(
      `${label.padEnd(32)}${o.seconds.toFixed(2).padStart(6)} s  ${name.padEnd(8)}${b.seconds.toFixed(2).padStart(6)} s` +
        `  ${ratio.toFixed(2).padStart(5)}×  ≤ ${goal.toFixed(1)}×  ${o.peak.toFixed(0)} / ${b.peak.toFixed(0)} MiB${idle}  ${verdict}`,
    );
  }
  console.log(
    'goals: ImageToPDF ≤ 1.0× img2pdf, peak RSS < 256 MiB at 300 pages; ImageSplicing ≤ 0.5× the vips command',
  );
  for (const line of checks) console.log(`check: ${line}`);
}

const caseFlag = process.argv.indexOf('--case');
if (caseFlag >= 0) {
  const [name, dir] = process.argv.slice(caseFlag + 1);
  await runDirect(name as Case, dir!);
} else {
  await main();
}
