/**
 * CreateMediaConvertTask as a new user calls it: openapi-core against openimm's HTTP API, sources in an fs
 * bucket, tasks awaited with WaitTask, outputs checked with ffprobe, a long transcode cancelled.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  imageSize,
  makeVideo,
  makeVideoWithSubtitles,
  probe,
  regionColor,
} from '../../engines/ffmpeg/media-fixtures.ts';
import type { ImmParams } from '../../helpers/imm-clients.ts';
import { type MediaApp, startMediaApp, waitMediaTask } from './media-app.ts';

const run = promisify(execFile);
const BUCKET = 'media-in';
let dir: string;
let dataDir: string;
let server: MediaApp;

const objectPath = (key: string) => path.join(dataDir, 'oss', BUCKET, key);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  dataDir = path.join(dir, 'data');
  server = await startMediaApp(dataDir);
  await mkdir(objectPath('in'), { recursive: true });
  await copyFile(
    await makeVideo(path.join(dir, 'clip.mp4'), { seconds: 2, width: 640, height: 360 }),
    objectPath('in/clip.mp4'),
  );
  await copyFile(
    await makeVideo(path.join(dir, 'red.mp4'), { seconds: 1, color: 'red' }),
    objectPath('in/red.mp4'),
  );
  await copyFile(await makeVideoWithSubtitles(dir), objectPath('in/subs.mkv'));
  const long = path.join(dir, 'long.mp4');
  await run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=160x120:rate=5:duration=30',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '5',
    long,
  ]);
  await copyFile(long, objectPath('in/long.mp4'));
  const bytes = await readFile(path.join(dir, 'clip.mp4'));
  await mkdir(objectPath('bad'), { recursive: true });
  await writeFile(objectPath('bad/corrupt.mp4'), bytes.subarray(0, 3000));
  await server.client.call('CreateProject', { ProjectName: 'media' });
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function create(params: ImmParams): Promise<string> {
  const created = await server.client.call('CreateMediaConvertTask', { ProjectName: 'media', ...params });
  expect(created.TaskId).toMatch(/^MediaConvert-/);
  return created.TaskId;
}

async function convert(params: ImmParams): Promise<Record<string, any>> {
  return waitMediaTask(server.client, 'media', await create(params));
}

const H264 = (extra: object = {}) => ({ TranscodeVideo: { Codec: 'h264', ...extra } });
const AAC = { TranscodeAudio: { Codec: 'aac' } };

/** The pid of an ffmpeg this server runs (the app runs in this process: its ffmpeg reads from dataDir). */
async function serverFfmpegPid(): Promise<number | undefined> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(ffmpeg\s.*)$/.exec(line);
    if (m?.[2]?.includes(dataDir)) return Number(m[1]);
  }
  return undefined;
}

/** Whether a process still runs: gone from /proc, or dead and waiting to be reaped (a zombie), is stopped. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** ffprobe's programs of an HLS master playlist: one per variant it could open and read. */
async function hlsPrograms(
  file: string,
): Promise<{ program_id: number; streams: { codec_name: string; width?: number }[] }[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_programs', '-of', 'json', file]);
  return JSON.parse(stdout).programs;
}

describe('CreateMediaConvertTask through openapi-core', () => {
  it('transcodes an MP4 to 720p H.264/AAC', async () => {
    const task = await convert({
      Sources: [{ URI: `oss://${BUCKET}/in/clip.mp4` }],
      Targets: [
        {
          URI: `oss://${BUCKET}/out/{barename}-720p.{autoext}`,
          Container: 'mp4',
          Video: H264({ Resolution: '1280x720' }),
          Audio: AAC,
        },
      ],
    });
    expect(task).toMatchObject({ Status: 'Succeeded', Code: '', Progress: 100 });
    const p = await probe(objectPath('out/clip-720p.mp4'));
    expect(p.streams.map((s) => [s.codec_name, s.width, s.height])).toEqual([
      ['h264', 1280, 720],
      ['aac', undefined, undefined],
    ]);
    expect(p.duration).toBeCloseTo(2, 0);
  });

  it('concatenates two sources under a text watermark, packages a 2-variant HLS group, and captures images', async () => {
    const task = await convert({
      Sources: [{ URI: `oss://${BUCKET}/in/clip.mp4` }, { URI: `oss://${BUCKET}/in/red.mp4` }],
      Targets: [
        {
          URI: `oss://${BUCKET}/out/joined.mp4`,
          Container: 'mp4',
          Video: {
            ...H264(),
            FilterVideo: { Watermarks: [{ Content: 'openimm', FontSize: 40, FontColor: 'white' }] },
          },
          Audio: AAC,
          Image: {
            Sprites: [
              {
                URI: `oss://${BUCKET}/out/sprite.jpg`,
                Format: 'jpg',
                Interval: 0.1,
                Number: 25,
                TileWidth: 5,
                TileHeight: 5,
                ScaleWidth: 0.1,
                ScaleHeight: 0.1,
              },
            ],
            Animations: [
              { URI: `oss://${BUCKET}/out/anim.gif`, Format: 'gif', Number: 10, Interval: 0.2, Width: 160 },
            ],
          },
        },
      ],
      TargetGroups: [
        {
          URI: `oss://${BUCKET}/out/hls/master.m3u8`,
          Targets: [
            {
              URI: `oss://${BUCKET}/out/hls/{resolution}/v.m3u8`,
              Container: 'ts',
              Segment: { Format: 'hls', Duration: 1 },
              Video: H264({ Resolution: '640x360' }),
              Audio: AAC,
            },
            {
              URI: `oss://${BUCKET}/out/hls/{resolution}/v.m3u8`,
              Container: 'ts',
              Segment: { Format: 'hls', Duration: 1 },
              Video: H264({ Resolution: '320x180' }),
              Audio: AAC,
            },
          ],
        },
      ],
    });
    expect(task).toMatchObject({ Status: 'Succeeded' });
    const joined = objectPath('out/joined.mp4');
    expect((await probe(joined)).duration).toBeCloseTo(3, 0);
    // The white text sits top-left over both parts: the pattern first, then the red clip (letterboxed into
    // 640x360, black bars at the sides); below the text the red part has no white at all.
    for (const at of [0.5, 2.5]) {
      const [, g, b] = await regionColor(joined, { x: 0, y: 4, w: 140, h: 32 }, at);
      expect(Math.min(g, b)).toBeGreaterThan(25);
    }
    const [r, g, b] = await regionColor(joined, { x: 80, y: 200, w: 140, h: 32 }, 2.5);
    expect(r).toBeGreaterThan(150);
    expect(Math.max(g, b)).toBeLessThan(25);
    expect(await imageSize(objectPath('out/sprite.jpg'))).toEqual({
      width: 2 * 2 + 5 * 64 + 4 * 2,
      height: 2 * 2 + 5 * 36 + 4 * 2,
    });
    const gif = (await probe(objectPath('out/anim.gif'), true)).streams[0]!;
    expect([gif.codec_name, gif.width, gif.nb_read_frames]).toEqual(['gif', 160, '10']);
    // The master playlist leads a player to both variants, each with H.264 video at its size and AAC audio.
    const master = objectPath('out/hls/master.m3u8');
    const programs = await hlsPrograms(master);
    expect(
      programs
        .map((prog) => prog.streams.map((s) => `${s.codec_name}${s.width ? `@${s.width}` : ''}`))
        .sort(),
    ).toEqual([
      ['h264@320', 'aac'],
      ['h264@640', 'aac'],
    ]);
    expect((await readdir(objectPath('out/hls'))).sort()).toEqual(['320x180', '640x360', 'master.m3u8']);
    // Every segment of both variants decodes, to the full length, starting from the master playlist.
    for (const prog of programs) {
      const { stdout } = await run('ffmpeg', [
        ...['-v', 'error', '-nostats', '-progress', 'pipe:1', '-i', master],
        ...['-map', `0:p:${prog.program_id}:v`, '-f', 'null', '-'],
      ]);
      const times = [...stdout.matchAll(/out_time_us=(\d+)/g)].map((m) => Number(m[1]) / 1e6);
      expect(stdout.trimEnd().endsWith('progress=end')).toBe(true);
      expect(times.at(-1)).toBeCloseTo(3, 0);
    }
  });

  it('takes snapshots every 10 s named by {index} and extracts subtitles to WebVTT', async () => {
    const snaps = await convert({
      Sources: [{ URI: `oss://${BUCKET}/in/long.mp4` }],
      Targets: [
        {
          Image: {
            Snapshots: [{ URI: `oss://${BUCKET}/out/snaps/{index}.jpg`, Format: 'jpg', Interval: 10 }],
          },
        },
      ],
    });
    expect(snaps.Status).toBe('Succeeded');
    expect((await readdir(objectPath('out/snaps'))).sort()).toEqual(['1.jpg', '2.jpg', '3.jpg']);
    expect(await imageSize(objectPath('out/snaps/2.jpg'))).toEqual({ width: 160, height: 120 });
    const subs = await convert({
      Sources: [{ URI: `oss://${BUCKET}/in/subs.mkv` }],
      Targets: [
        { Subtitle: { ExtractSubtitle: { URI: `oss://${BUCKET}/out/subs/track`, Format: 'webvtt' } } },
      ],
    });
    expect(subs.Status).toBe('Succeeded');
    const vtt = await readFile(objectPath('out/subs/track_0.vtt'), 'utf8');
    expect(vtt.startsWith('WEBVTT')).toBe(true);
    expect(vtt).toContain('Hello openimm');
    expect(vtt).toContain('00:00.200 --> 00:01.000');
  });

  it('fails a corrupt source with InvalidArgument', async () => {
    const task = await convert({
      Sources: [{ URI: `oss://${BUCKET}/bad/corrupt.mp4` }],
      Targets: [{ URI: `oss://${BUCKET}/out/corrupt.mp4`, Container: 'mp4', Video: H264(), Audio: AAC }],
    });
    expect(task).toMatchObject({ Status: 'Failed', Code: 'InvalidArgument' });
    expect(task.Message).toContain('not a media file');
  });

  it('keeps idle connections open for longer than a client waits between calls', async () => {
    // The SDK keeps idle sockets without a time limit of its own; a server closing them after a few seconds
    // made the next call on a busy machine meet a reset connection (ECONNRESET).
    const header = await new Promise<string>((resolve, reject) =>
      http
        .get(`http://${server.endpoint}/health`, (res) => {
          res.resume();
          resolve(String(res.headers['keep-alive'] ?? ''));
        })
        .on('error', reject),
    );
    expect(Number(/timeout=(\d+)/.exec(header)?.[1])).toBeGreaterThanOrEqual(60);
  });

  it('stops ffmpeg within a second of CancelTask', async () => {
    const taskId = await create({
      Sources: [{ URI: `oss://${BUCKET}/in/long.mp4` }],
      Targets: [
        {
          URI: `oss://${BUCKET}/out/cancelled.mkv`,
          Container: 'mkv',
          Video: { TranscodeVideo: { Codec: 'vp9', CRF: 4, Resolution: '1920x1080' } },
        },
      ],
    });
    for (;;) {
      const t = await server.client.call('GetTask', {
        ProjectName: 'media',
        TaskId: taskId,
        TaskType: 'MediaConvert',
      });
      expect(t.Status).toBe('Running');
      if (t.Progress > 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // Progress comes from ffmpeg: it runs. Its exit is watched in /proc (no process spawned per look, which
    // on a busy machine would blur the measurement).
    const pid = await serverFfmpegPid();
    expect(pid).toBeDefined();
    const cancelledAt = performance.now();
    await server.client.call('CancelTask', {
      ProjectName: 'media',
      TaskId: taskId,
      TaskType: 'MediaConvert',
    });
    while (isRunning(pid!)) await new Promise((r) => setTimeout(r, 5));
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    const task = await waitMediaTask(server.client, 'media', taskId);
    expect(task).toMatchObject({ Status: 'Failed', Code: 'TaskCancelled' });
    expect(await serverFfmpegPid()).toBeUndefined();
    const written = await readdir(objectPath('out')).catch(() => [] as string[]);
    expect(written).not.toContain('cancelled.mkv');
  });
});
