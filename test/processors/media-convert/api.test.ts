/**
 * CreateMediaConvertTask as a new user calls it: openapi-core against openimm's HTTP API, sources in an fs
 * bucket, tasks awaited with WaitTask, outputs checked with ffprobe, a long transcode cancelled.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageSize, makeVideo, makeVideoWithSubtitles, probe } from '../../engines/ffmpeg/media-fixtures.ts';
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
    expect(p.streams.map((s) => [s.codec_name, s.width])).toEqual([
      ['h264', 1280],
      ['aac', undefined],
    ]);
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
    expect((await probe(objectPath('out/joined.mp4'))).duration).toBeCloseTo(3, 0);
    expect(await imageSize(objectPath('out/sprite.jpg'))).toEqual({
      width: 2 * 2 + 5 * 64 + 4 * 2,
      height: 2 * 2 + 5 * 36 + 4 * 2,
    });
    expect((await probe(objectPath('out/anim.gif'))).streams[0]!.codec_name).toBe('gif');
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_programs',
      '-of',
      'json',
      objectPath('out/hls/master.m3u8'),
    ]);
    expect(JSON.parse(stdout).programs).toHaveLength(2);
    expect(await readdir(objectPath('out/hls'))).toEqual(['320x180', '640x360', 'master.m3u8']);
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
    expect(await readdir(objectPath('out/snaps'))).toEqual(['1.jpg', '2.jpg', '3.jpg']);
    const subs = await convert({
      Sources: [{ URI: `oss://${BUCKET}/in/subs.mkv` }],
      Targets: [
        { Subtitle: { ExtractSubtitle: { URI: `oss://${BUCKET}/out/subs/track`, Format: 'webvtt' } } },
      ],
    });
    expect(subs.Status).toBe('Succeeded');
    expect(await readFile(objectPath('out/subs/track_0.vtt'), 'utf8')).toContain('Hello openimm');
  });

  it('fails a corrupt source with InvalidArgument', async () => {
    const task = await convert({
      Sources: [{ URI: `oss://${BUCKET}/bad/corrupt.mp4` }],
      Targets: [{ URI: `oss://${BUCKET}/out/corrupt.mp4`, Container: 'mp4', Video: H264(), Audio: AAC }],
    });
    expect(task).toMatchObject({ Status: 'Failed', Code: 'InvalidArgument' });
    expect(task.Message).toContain('not a media file');
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
      if (t.Progress > 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cancelledAt = Date.now();
    await server.client.call('CancelTask', {
      ProjectName: 'media',
      TaskId: taskId,
      TaskType: 'MediaConvert',
    });
    for (;;) {
      const { stdout } = await run('ps', ['-eo', 'args']);
      if (!stdout.split('\n').some((l) => l.startsWith('ffmpeg') && l.includes(dataDir))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(Date.now() - cancelledAt).toBeLessThan(1000);
    const task = await waitMediaTask(server.client, 'media', taskId);
    expect(task).toMatchObject({ Status: 'Failed', Code: 'TaskCancelled' });
    const written = await readdir(objectPath('out')).catch(() => [] as string[]);
    expect(written).not.toContain('cancelled.mkv');
  });
});
