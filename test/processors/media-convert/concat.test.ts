import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAudio, makeVideo, probe, regionColor } from '../../engines/ffmpeg/media-fixtures.ts';
import { convert, type Harness, makeHarness } from './harness.ts';

let h: Harness;
const RED = 'oss://in-bucket/cat/red.mp4';
const BLUE = 'oss://in-bucket/cat/blue-silent.mp4';
const MUSIC = 'oss://in-bucket/cat/music.mp3';
const H264 = { TranscodeVideo: { Codec: 'h264', CRF: 30 } };
const AAC = { TranscodeAudio: { Codec: 'aac' } };

beforeAll(async () => {
  h = await makeHarness();
  await h.storage.registry.ensureBucket('out-bucket');
  await h.upload(
    RED,
    await makeVideo(path.join(h.dir, 'red.mp4'), { seconds: 2, color: 'red', width: 320, height: 240 }),
  );
  await h.upload(
    BLUE,
    await makeVideo(path.join(h.dir, 'blue.mp4'), {
      seconds: 1.5,
      color: 'blue',
      width: 160,
      height: 160,
      audio: false,
    }),
  );
  await h.upload(MUSIC, await makeAudio(path.join(h.dir, 'music.mp3'), 1));
});
afterAll(() => h.cleanup());

describe('concatenation', () => {
  it('joins two sources in order at the first one’s size, with a text watermark over both', async () => {
    const out = await convert(h, {
      Sources: [{ URI: RED }, { URI: BLUE }],
      Targets: [
        {
          URI: 'oss://out-bucket/cat/joined.mp4',
          Container: 'mp4',
          Video: {
            ...H264,
            FilterVideo: {
              Watermarks: [
                {
                  Type: 'text',
                  Content: 'OPENIMM',
                  FontSize: 60,
                  FontColor: '#FFFFFF',
                  ReferPos: 'bottomright',
                  Dx: 4,
                  Dy: 4,
                },
              ],
            },
          },
          Audio: AAC,
        },
      ],
    });
    expect(out.content!.Sources).toEqual([
      { URI: RED, SubtitleSources: null },
      { URI: BLUE, SubtitleSources: null },
    ]);
    const file = await h.download('oss://out-bucket/cat/joined.mp4');
    const p = await probe(file);
    expect(p.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    expect(p.streams[0]).toMatchObject({ width: 320, height: 240 });
    expect(p.duration).toBeGreaterThan(3.3);
    expect(p.duration).toBeLessThan(3.7);
    // Red first, then blue (letterboxed into 320x240); the white text sits bottom-right in both parts.
    const early = await regionColor(file, { x: 0, y: 0, w: 60, h: 60 }, 0.5);
    const late = await regionColor(file, { x: 120, y: 100, w: 60, h: 40 }, 3);
    expect(early[0]).toBeGreaterThan(150);
    expect(late[2]).toBeGreaterThan(150);
    for (const at of [0.5, 3]) {
      const mark = await regionColor(file, { x: 100, y: 180, w: 216, h: 56 }, at);
      expect(Math.min(...mark)).toBeGreaterThan(60);
    }
  });

  it('trims each source with StartTime and Duration before joining', async () => {
    await convert(h, {
      Sources: [
        { URI: RED, StartTime: 0.5, Duration: 1 },
        { URI: BLUE, Duration: 0.5 },
      ],
      Targets: [{ URI: 'oss://out-bucket/cat/trimmed.mp4', Container: 'mp4', Video: H264, Audio: AAC }],
    });
    const p = await probe(await h.download('oss://out-bucket/cat/trimmed.mp4'));
    expect(p.duration).toBeGreaterThan(1.4);
    expect(p.duration).toBeLessThan(1.7);
  });

  it('adds an attached audio source looped to the length, mixed into one track or kept apart', async () => {
    await convert(h, {
      Sources: [{ URI: RED }, { URI: MUSIC, Attached: true, AlignMode: 'loop' }],
      Targets: [
        {
          URI: 'oss://out-bucket/cat/mixed.mp4',
          Container: 'mp4',
          Video: H264,
          Audio: { ...AAC, FilterAudio: { Mixing: true } },
        },
        { URI: 'oss://out-bucket/cat/tracks.mkv', Container: 'mkv', Video: H264, Audio: AAC },
      ],
    });
    const mixed = await probe(await h.download('oss://out-bucket/cat/mixed.mp4'));
    expect(mixed.streams.map((s) => s.codec_type)).toEqual(['video', 'audio']);
    expect(mixed.duration).toBeGreaterThan(1.9);
    const tracks = await probe(await h.download('oss://out-bucket/cat/tracks.mkv'));
    expect(tracks.streams.map((s) => s.codec_type)).toEqual(['video', 'audio', 'audio']);
    expect(tracks.duration).toBeGreaterThan(1.9);
    expect(tracks.duration).toBeLessThan(2.3);
  });
});
