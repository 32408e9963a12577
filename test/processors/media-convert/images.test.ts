import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageSize, makeVideo, probe } from '../../engines/ffmpeg/media-fixtures.ts';
import { convert, type Harness, makeHarness } from './harness.ts';

let h: Harness;
const SRC = 'oss://in-bucket/img/movie.mp4';

beforeAll(async () => {
  h = await makeHarness();
  await h.storage.registry.ensureBucket('out-bucket');
  // 4 s at 25 fps, a key frame every second.
  await h.upload(SRC, await makeVideo(path.join(h.dir, 'movie.mp4'), { seconds: 4, gop: 25 }));
});
afterAll(() => h.cleanup());

describe('images', () => {
  it('takes snapshots every Interval seconds, named by {index} from 1', async () => {
    const out = await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          Image: {
            Snapshots: [
              {
                URI: 'oss://out-bucket/snaps/{barename}-{index}.{autoext}',
                Format: 'jpg',
                Interval: 1,
                Width: 0.5,
              },
            ],
          },
        },
      ],
    });
    const names = ['1', '2', '3', '4'].map((i) => `oss://out-bucket/snaps/movie-${i}.jpg`);
    expect(await h.storage.list('oss://out-bucket/snaps/')).toEqual(names);
    const target = (out.content!.Targets as any[])[0];
    expect(target.URI).toBe('');
    expect(target.Image.Snapshots).toEqual(names.map((URI) => ({ URI })));
    expect(target.Image.Sprites).toBeNull();
    // Width as a ratio; the height follows the frame's shape.
    expect(await imageSize(await h.download(names[0]!))).toEqual({ width: 160, height: 120 });
  });

  it('takes a single cover as named, and Number frames spread evenly with Mode average', async () => {
    await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          Image: {
            Snapshots: [
              {
                URI: 'oss://out-bucket/cover/cover.png',
                Format: 'png',
                StartTime: 1,
                Number: 1,
                Width: 64,
                Height: 64,
                ScaleType: 'crop',
              },
              { URI: 'oss://out-bucket/avg/shot', Format: 'jpg', Number: 8, Mode: 'average' },
              { URI: 'oss://out-bucket/key/', Format: 'jpg', Mode: 'keyframe' },
            ],
          },
        },
      ],
    });
    expect(await h.storage.list('oss://out-bucket/cover/')).toEqual(['oss://out-bucket/cover/cover.png']);
    expect(await imageSize(await h.download('oss://out-bucket/cover/cover.png'))).toEqual({
      width: 64,
      height: 64,
    });
    expect(await h.storage.list('oss://out-bucket/avg/')).toHaveLength(8);
    expect((await h.storage.list('oss://out-bucket/avg/'))[0]).toBe('oss://out-bucket/avg/shot_1.jpg');
    expect(await h.storage.list('oss://out-bucket/key/')).toEqual(
      [1, 2, 3, 4].map((i) => `oss://out-bucket/key/${i}.jpg`),
    );
  });

  it('lays out sprite sheets of TileWidth × TileHeight cells with margin and padding', async () => {
    const out = await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          Image: {
            Sprites: [
              {
                URI: 'oss://out-bucket/sprite/sheet-{index}.jpg',
                Format: 'jpg',
                Interval: 0.1,
                Number: 30,
                TileWidth: 5,
                TileHeight: 5,
                ScaleWidth: 32,
                ScaleHeight: 24,
                Margin: 2,
                Pad: 1,
              },
            ],
          },
        },
      ],
    });
    // 30 cells on 5x5 sheets: one full sheet and one partial.
    const sheets = ['oss://out-bucket/sprite/sheet-1.jpg', 'oss://out-bucket/sprite/sheet-2.jpg'];
    expect(await h.storage.list('oss://out-bucket/sprite/')).toEqual(sheets);
    expect((out.content!.Targets as any[])[0].Image.Sprites).toEqual(sheets.map((URI) => ({ URI })));
    expect(await imageSize(await h.download(sheets[0]!))).toEqual({
      width: 2 * 2 + 5 * 32 + 4 * 1,
      height: 2 * 2 + 5 * 24 + 4 * 1,
    });
  });

  it('makes GIF and WebP animations of the picked frames', async () => {
    await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          Image: {
            Animations: [
              {
                URI: 'oss://out-bucket/anim/clip.gif',
                Format: 'gif',
                StartTime: 1,
                Number: 10,
                Interval: 0.2,
                FrameRate: 10,
                Width: 80,
              },
              {
                URI: 'oss://out-bucket/anim/clip',
                Format: 'webp',
                Number: 5,
                Interval: 0.5,
                Width: 80,
                Height: 60,
              },
            ],
          },
        },
      ],
    });
    const gif = await probe(await h.download('oss://out-bucket/anim/clip.gif'), true);
    expect(gif.streams[0]).toMatchObject({ codec_name: 'gif', width: 80, height: 60 });
    expect(Number(gif.streams[0]!.nb_read_frames)).toBe(10);
    // Ten frames at 10 fps: played in one second.
    expect(gif.duration).toBeCloseTo(1, 1);
    const webp = await h.storage.get('oss://out-bucket/anim/clip.webp');
    expect(webp.subarray(0, 4).toString()).toBe('RIFF');
    expect(webp.subarray(8, 12).toString()).toBe('WEBP');
    expect(webp.includes(Buffer.from('ANIM'))).toBe(true);
  });

  it('captures images beside a transcode in the same run', async () => {
    const out = await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          URI: 'oss://out-bucket/both/movie.mp4',
          Container: 'mp4',
          Video: { TranscodeVideo: { Codec: 'h264', Resolution: '160x120' } },
          Audio: { TranscodeAudio: { Codec: 'aac' } },
          Image: {
            Snapshots: [{ URI: 'oss://out-bucket/both/snap.jpg', Format: 'jpg', Number: 2, Interval: 2 }],
          },
        },
      ],
    });
    expect(await h.storage.list('oss://out-bucket/both/')).toEqual([
      'oss://out-bucket/both/movie.mp4',
      'oss://out-bucket/both/snap_1.jpg',
      'oss://out-bucket/both/snap_2.jpg',
    ]);
    expect((out.content!.Targets as any[])[0].URI).toBe('oss://out-bucket/both/movie.mp4');
  });
});
