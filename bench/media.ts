/**
 * MediaConvert benchmark (`npm run bench:media`): each case through openimm's HTTP API (openapi-core client,
 * the in-process server with its worker) beside the equivalent hand-written ffmpeg command, in the same run,
 * cases interleaved. Source: a 60 s 1080p30 H.264/AAC clip made with lavfi. Cases: 720p H.264 veryfast + AAC;
 * the same as a 3-variant HLS TargetGroups; 20 snapshots; a `-c copy` remux. Prints wall times, the
 * API/raw ratio and the peak RSS of the ffmpeg processes (and of this Node process, which serves the API).
 * Beside the wall times: how long the API's own ffmpeg ran (so the rest is fetch, probe, upload and the task
 * round trip) and the CPU seconds of the children (ffmpeg, and ffprobe for the API) on both sides, which a
 * busy machine disturbs far less than wall time. Rounds alternate which side runs first, so a change of load
 * during a round weighs on both.
 *
 * Settings: OPENIMM_BENCH_SECONDS (source length, default 60), OPENIMM_BENCH_ROUNDS (default 1; the median
 * is reported), OPENIMM_BENCH_DIR (scratch, default the OS temp dir), OPENIMM_BENCH_KEEP (a folder where the
 * source is made once and kept), OPENIMM_BENCH_CASES (e.g. `1,4`: run only those cases).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ImmParams } from '../test/helpers/imm-clients.ts';
import { type MediaApp, startMediaApp, waitMediaTask } from '../test/processors/media-convert/media-app.ts';

const SECONDS = Number(process.env.OPENIMM_BENCH_SECONDS ?? 60);
const ROUNDS = Number(process.env.OPENIMM_BENCH_ROUNDS ?? 1);
const BUCKET = 'bench';

interface Case {
  name: string;
  /** Goal as a ratio to raw ffmpeg, or absolute seconds for the API run. */
  goal: { ratio?: number; seconds?: number };
  api(out: string): ImmParams;
  raw(src: string, out: string): string[];
}

const VIDEO_720 = { Codec: 'h264', Resolution: '1280x720' };
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '150', '-bf', '3', '-refs', '2'];

const CASES: Case[] = [
  {
    name: '720p H.264 veryfast + AAC',
    goal: { ratio: 1.05 },
    api: (out) => ({
      Targets: [
        {
          URI: `${out}/720p.mp4`,
          Container: 'mp4',
          Video: { TranscodeVideo: VIDEO_720 },
          Audio: { TranscodeAudio: { Codec: 'aac' } },
        },
      ],
    }),
    raw: (src, out) => [
      '-i',
      src,
      '-vf',
      'scale=1280:720',
      ...X264,
      '-c:a',
      'aac',
      '-movflags',
      '+faststart',
      `${out}/720p.mp4`,
    ],
  },
  {
    name: '3-variant HLS group',
    goal: { ratio: 1.05 },
    api: (out) => ({
      TargetGroups: [
        {
          URI: `${out}/hls/master.m3u8`,
          Targets: ['1280x720', '854x480', '640x360'].map((r) => ({
            URI: `${out}/hls/{resolution}/index.m3u8`,
            Container: 'ts',
            Segment: { Format: 'hls', Duration: 4 },
            Video: { TranscodeVideo: { Codec: 'h264', Resolution: r } },
            Audio: { TranscodeAudio: { Codec: 'aac' } },
          })),
        },
      ],
    }),
    raw: (src, out) => {
      const args = [
        '-i',
        src,
        '-filter_complex',
        '[0:v]split=3[a][b][c];[a]scale=1280:720[v0];[b]scale=854:480[v1];[c]scale=640:360[v2]',
      ];
      for (const [i, r] of ['1280x720', '854x480', '640x360'].entries()) {
        args.push(
          '-map',
          `[v${i}]`,
          '-map',
          '0:a',
          ...X264,
          '-force_key_frames',
          'expr:gte(t,n_forced*4)',
          '-c:a',
          'aac',
        );
        args.push(
          '-f',
          'hls',
          '-hls_time',
          '4',
          '-hls_playlist_type',
          'vod',
          '-hls_segment_filename',
          `${out}/${r}-%d.ts`,
          `${out}/${r}.m3u8`,
        );
      }
      return args;
    },
  },
  {
    name: '20 snapshots',
    goal: { ratio: 1.05 },
    api: (out) => ({
      Targets: [
        {
          Image: {
            Snapshots: [
              { URI: `${out}/snaps/{index}.jpg`, Format: 'jpg', Interval: SECONDS / 20, Number: 20 },
            ],
          },
        },
      ],
    }),
    raw: (src, out) => [
      '-i',
      src,
      '-vf',
      `fps=1/${SECONDS / 20}`,
      '-frames:v',
      '20',
      '-q:v',
      '2',
      `${out}/snap-%d.jpg`,
    ],
  },
  {
    name: 'copy remux mp4 → mkv',
    goal: { seconds: 1.5 },
    api: (out) => ({ Targets: [{ URI: `${out}/remux.mkv`, Container: 'mkv' }] }),
    raw: (src, out) => ['-i', src, '-c', 'copy', `${out}/remux.mkv`],
  },
];

interface Watched<T> {
  value: T;
  /** Peak VmHWM of the ffmpeg children, and peak RSS of this process (KiB). */
  ffmpegKiB: number;
  nodeKiB: number;
  /** Seconds the ffmpeg children ran, from their start to their exit (±50 ms), summed. */
  ffmpegSec: number;
  /** CPU seconds (user + system) of the children reaped meanwhile: ffmpeg, and ffprobe for the API. */
  childCpuSec: number;
}

/** USER_HZ: /proc's clock ticks per second. */
const TICK = 100;

/**
 * Runs `fn` while watching the ffmpeg processes this process starts: peak VmHWM, when they started and
 * ended, the CPU its children used, and this process's RSS. Only this process's children are read,
 * synchronously: a scan of all of /proc through the libuv thread pool would slow the server's own file
 * copies, which run in this process too.
 */
async function watched<T>(fn: () => Promise<T>): Promise<Watched<T>> {
  let ffmpegKiB = 0;
  let nodeKiB = 0;
  const spans = new Map<string, { start: number; seen: number }>();
  const cpu0 = childCpuTicks();
  const sample = () => {
    nodeKiB = Math.max(nodeKiB, Math.round(process.memoryUsage().rss / 1024));
    const children = readOr(`/proc/${process.pid}/task/${process.pid}/children`).split(' ').filter(Boolean);
    for (const pid of children) {
      const status = readOr(`/proc/${pid}/status`);
      if (!/^Name:\s+ffmpeg$/m.test(status)) continue;
      ffmpegKiB = Math.max(ffmpegKiB, Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      // Field 22 of stat: the start, in ticks since boot; /proc/uptime is now, in seconds since boot.
      const startTicks = Number(statFields(readOr(`/proc/${pid}/stat`))[19]);
      const uptimeMs = Number(readOr('/proc/uptime').split(' ')[0]) * 1000;
      const now = performance.now();
      const span = spans.get(pid);
      if (span) span.seen = now;
      else if (Number.isFinite(startTicks) && uptimeMs > 0)
        spans.set(pid, { start: now - (uptimeMs - (startTicks * 1000) / TICK), seen: now });
    }
  };
  const timer = setInterval(sample, 50);
  try {
    const value = await fn();
    const ffmpegSec = [...spans.values()].reduce((sum, x) => sum + (x.seen - x.start) / 1000, 0);
    return { value, ffmpegKiB, nodeKiB, ffmpegSec, childCpuSec: (childCpuTicks() - cpu0) / TICK };
  } finally {
    clearInterval(timer);
  }
}

/** The fields of a /proc/<pid>/stat line after the command name (field 3, the state, is index 0). */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** cutime + cstime of this process: CPU of the children it has waited for. */
function childCpuTicks(): number {
  const f = statFields(readOr(`/proc/${process.pid}/stat`));
  return Number(f[13]) + Number(f[14]);
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function ffmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`))));
  });
}

async function makeSource(dir: string): Promise<string> {
  const file = path.join(dir, `source-${SECONDS}s-1080p30.mp4`);
  if (existsSync(file)) return file;
  console.log(`making a ${SECONDS} s 1080p30 source…`);
  await ffmpeg([
    ...['-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${SECONDS}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`],
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-ac',
      '2',
      '-b:a',
      '128k',
      '-shortest',
      file,
    ],
  ]);
  return file;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0]!;
  const base = process.env.OPENIMM_BENCH_DIR ?? os.tmpdir();
  const work = await mkdtemp(path.join(base, 'openimm-bench-'));
  const keep = process.env.OPENIMM_BENCH_KEEP;
  if (keep) await mkdir(keep, { recursive: true });
  const src = await makeSource(keep ?? work);
  const dataDir = path.join(work, 'data');
  await mkdir(path.join(dataDir, 'oss', BUCKET, 'in'), { recursive: true });
  await copyFile(src, path.join(dataDir, 'oss', BUCKET, 'in', 'source.mp4'));
  let server: MediaApp | undefined;
  try {
    server = await startMediaApp(dataDir);
    await server.client.call('CreateProject', { ProjectName: 'bench' });
    const rows: string[][] = [];
    const only = process.env.OPENIMM_BENCH_CASES?.split(',').map(Number);
    for (const [i, c] of CASES.entries()) {
      if (only && !only.includes(i + 1)) continue;
      const api: Watched<number>[] = [];
      const raw: Watched<number>[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const rawOut = await mkdtemp(path.join(work, 'raw-'));
        await mkdir(path.join(rawOut, 'hls'), { recursive: true });
        const runRaw = async () => {
          raw.push(
            await watched(async () => {
              const t = performance.now();
              await ffmpeg(c.raw(src, rawOut));
              return (performance.now() - t) / 1000;
            }),
          );
        };
        const out = `oss://${BUCKET}/out/${c.name.replace(/\W+/g, '-')}-${round}`;
        const runApi = async () => {
          api.push(
            await watched(async () => {
              const t = performance.now();
              const created = await server!.client.call('CreateMediaConvertTask', {
                ProjectName: 'bench',
                Sources: [{ URI: `oss://${BUCKET}/in/source.mp4` }],
                ...c.api(out),
              });
              const task = await waitMediaTask(server!.client, 'bench', created.TaskId);
              if (task.Status !== 'Succeeded') throw new Error(`${c.name}: ${task.Code} ${task.Message}`);
              return (performance.now() - t) / 1000;
            }),
          );
        };
        // Alternate which side goes first: a change of load during a round then weighs on both.
        if (round % 2 === 0) {
          await runRaw();
          await runApi();
        } else {
          await runApi();
          await runRaw();
        }
        await rm(rawOut, { recursive: true, force: true });
      }
      const m = (xs: Watched<number>[], f: (w: Watched<number>) => number) => median(xs.map(f));
      const peak = (xs: Watched<number>[], f: (w: Watched<number>) => number) => Math.max(...xs.map(f));
      const rawS = m(raw, (w) => w.value);
      const apiS = m(api, (w) => w.value);
      const ratio = apiS / rawS;
      const goal = c.goal.ratio ? `≤ ${c.goal.ratio}×` : `< ${c.goal.seconds} s`;
      const met = c.goal.ratio ? ratio <= c.goal.ratio : apiS < c.goal.seconds!;
      rows.push([
        c.name,
        rawS.toFixed(2),
        apiS.toFixed(2),
        `${ratio.toFixed(3)}×`,
        goal,
        met ? 'yes' : 'NO',
        m(api, (w) => w.ffmpegSec).toFixed(2),
        m(api, (w) => w.value - w.ffmpegSec).toFixed(2),
        `${m(raw, (w) => w.childCpuSec).toFixed(1)} / ${m(api, (w) => w.childCpuSec).toFixed(1)}`,
        mib(peak(raw, (w) => w.ffmpegKiB)),
        mib(peak(api, (w) => w.ffmpegKiB)),
        mib(peak(api, (w) => w.nodeKiB)),
      ]);
      const each = (xs: Watched<number>[]) => xs.map((w) => w.value.toFixed(2)).join(' ');
      console.log(`${c.name}: raw ${each(raw)} s, api ${each(api)} s`);
    }
    printTable(
      [
        'case',
        'raw s',
        'api s',
        'api/raw',
        'goal',
        'met',
        'api: ffmpeg s',
        'api: rest s',
        'child CPU s raw / api',
        'raw ffmpeg RSS',
        'api ffmpeg RSS',
        'node RSS',
      ],
      rows,
    );
    console.log(
      `source ${SECONDS} s 1080p30, ${ROUNDS} round(s) (medians), ${os.availableParallelism()} cores, ` +
        `load ${loadBefore.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)}`,
    );
  } finally {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

const mib = (kib: number) => `${Math.round(kib / 1024)} MiB`;

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

await main();
