import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVideo, regionColor } from '../../engines/ffmpeg/media-fixtures.ts';
import { convert, type Harness, makeHarness } from './harness.ts';

const run = promisify(execFile);
let h: Harness;
const BLUE = 'oss://in-bucket/f/blue.mp4';
const NOISE = 'oss://in-bucket/f/noise.mp4';
const COVER = 'oss://in-bucket/f/with-cover.mp4';
const MARK = 'oss://in-bucket/f/mark.png';
const AAC = { TranscodeAudio: { Codec: 'aac' } };

beforeAll(async () => {
  h = await makeHarness();
  await h.storage.registry.ensureBucket('out-bucket');
  const blue = await makeVideo(path.join(h.dir, 'blue.mp4'), { color: 'blue', seconds: 1 });
  await h.upload(BLUE, blue);
  const mark = path.join(h.dir, 'mark.png');
  await run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=0x00ff00:s=20x20',
    '-frames:v',
    '1',
    mark,
  ]);
  await h.upload(MARK, mark);
  const noise = path.join(h.dir, 'noise.mp4');
  await run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=gray:s=320x240:d=1,noise=alls=100:allf=t',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-qp',
    '0',
    noise,
  ]);
  await h.upload(NOISE, noise);
  const cover = path.join(h.dir, 'with-cover.mp4');
  await run('ffmpeg', [
    '-v',
    'error',
    '-i',
    blue,
    '-i',
    mark,
    '-map',
    '0',
    '-map',
    '1',
    '-c',
    'copy',
    '-disposition:v:1',
    'attached_pic',
    cover,
  ]);
  await h.upload(COVER, cover);
});
afterAll(() => h.cleanup());

/** Mean absolute difference of horizontally adjacent luma pixels in a region: detail left in it. */
async function detail(file: string, r: { x: number; y: number; w: number; h: number }): Promise<number> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      '0.5',
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      `crop=${r.w}:${r.h}:${r.x}:${r.y}`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-',
    ],
    {
      encoding: 'buffer',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const px = stdout as unknown as Buffer;
  let sum = 0;
  for (let y = 0; y < r.h; y++)
    for (let x = 1; x < r.w; x++) sum += Math.abs(px[y * r.w + x]! - px[y * r.w + x - 1]!);
  return sum / (r.h * (r.w - 1));
}

describe('video filters', () => {
  it('overlays a picture watermark at its corner, scaled as asked', async () => {
    await convert(h, {
      Sources: [{ URI: BLUE }],
      Targets: [
        {
          URI: 'oss://out-bucket/f/marked.mp4',
          Container: 'mp4',
          Video: {
            TranscodeVideo: { Codec: 'h264' },
            FilterVideo: {
              Watermarks: [{ Type: 'file', URI: MARK, ReferPos: 'topright', Dx: 10, Dy: 10, Width: 40 }],
            },
          },
          Audio: AAC,
        },
      ],
    });
    const file = await h.download('oss://out-bucket/f/marked.mp4');
    const [r, g, b] = await regionColor(file, { x: 274, y: 14, w: 32, h: 32 });
    expect(g).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
    expect(r).toBeLessThan(60);
    expect((await regionColor(file, { x: 0, y: 100, w: 60, h: 60 }))[2]).toBeGreaterThan(200);
  });

  it('hides a delogo box under a mosaic and leaves the rest alone', async () => {
    await convert(h, {
      Sources: [{ URI: NOISE }],
      Targets: [
        {
          URI: 'oss://out-bucket/f/delogo.mp4',
          Container: 'mp4',
          Video: {
            TranscodeVideo: { Codec: 'h264', CRF: 0 },
            FilterVideo: { Delogos: [{ ReferPos: 'bottomleft', Dx: 0, Dy: 0, Width: 0.5, Height: 0.5 }] },
          },
        },
      ],
    });
    const file = await h.download('oss://out-bucket/f/delogo.mp4');
    const hidden = await detail(file, { x: 0, y: 120, w: 160, h: 120 });
    const kept = await detail(file, { x: 160, y: 0, w: 160, h: 120 });
    expect(kept).toBeGreaterThan(20);
    expect(hidden).toBeLessThan(kept / 4);
  });

  it('keeps attached pictures on request and drops them by default', async () => {
    await convert(h, {
      Sources: [{ URI: COVER }],
      Targets: [
        { URI: 'oss://out-bucket/f/cover.mp4', Container: 'mp4', AttachedPicture: { Stream: [-1] } },
        { URI: 'oss://out-bucket/f/plain.mp4', Container: 'mp4' },
      ],
    });
    const list = async (uri: string) => {
      const { stdout } = await run('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_name:stream_disposition=attached_pic',
        '-of',
        'csv=p=0',
        await h.download(uri),
      ]);
      return stdout.trim().split('\n');
    };
    expect(await list('oss://out-bucket/f/cover.mp4')).toEqual(['h264,0', 'aac,0', 'png,1']);
    expect(await list('oss://out-bucket/f/plain.mp4')).toEqual(['h264,0', 'aac,0']);
  });
});
