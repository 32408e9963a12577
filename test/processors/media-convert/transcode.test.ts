import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRotated, makeVideo, probe, streamHash } from '../../engines/ffmpeg/media-fixtures.ts';
import { convert, type Harness, makeHarness } from './harness.ts';

const run = promisify(execFile);
let h: Harness;
const SRC = 'oss://in-bucket/clips/src.mp4';

beforeAll(async () => {
  h = await makeHarness();
  await h.storage.registry.ensureBucket('out-bucket');
  const src = await makeVideo(path.join(h.dir, 'src.mp4'), { seconds: 2 });
  const titled = path.join(h.dir, 'titled.mp4');
  await run('ffmpeg', ['-v', 'error', '-i', src, '-c', 'copy', '-metadata', 'title=Secret title', titled]);
  await h.upload(SRC, titled);
  await h.upload('oss://in-bucket/clips/portrait.mp4', await makeRotated(path.join(h.dir, 'rot.mp4')));
});
afterAll(() => h.cleanup());

describe('transcoding', () => {
  it('makes H.264/AAC at the asked size, names the output from the source, and reports progress', async () => {
    const out = await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          URI: 'oss://out-bucket/{dirname}/{barename}-small',
          Container: 'mp4',
          Video: { TranscodeVideo: { Codec: 'h264', Resolution: '160x120', CRF: 28 } },
          Audio: { TranscodeAudio: { Codec: 'aac', Bitrate: 64000, SampleRate: 22050 } },
        },
      ],
    });
    expect(out.content!.Targets).toEqual([
      {
        URI: 'oss://out-bucket/clips/src-small.mp4',
        Subtitle: { Extract: { URI: '' } },
        Image: { Sprites: null, Snapshots: null, Animations: null },
      },
    ]);
    const p = await probe(await h.download('oss://out-bucket/clips/src-small.mp4'));
    expect(p.streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    expect(p.streams[0]).toMatchObject({ width: 160, height: 120 });
    expect(p.streams[1]!.sample_rate).toBe('22050');
    expect(p.duration).toBeCloseTo(2, 0);
    expect(out.progress.at(-1)).toBeGreaterThanOrEqual(90);
    expect(out.progress).toEqual([...out.progress].sort((a, b) => a - b));
    expect(out.details).toEqual({
      Files: [{ URI: 'oss://out-bucket/clips/src-small.mp4', Size: expect.any(Number) }],
    });
  });

  it('remuxes with copy without touching the streams', async () => {
    await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [{ URI: 'oss://out-bucket/remux/out', Container: 'mkv' }],
    });
    const file = await h.download('oss://out-bucket/remux/out.mkv');
    const src = await h.download(SRC);
    expect((await probe(file)).format).toContain('matroska');
    expect(await streamHash(file, 'v:0')).toBe(await streamHash(src, 'v:0'));
    expect(await streamHash(file, 'a:0')).toBe(await streamHash(src, 'a:0'));
  });

  it('writes VP9/Opus in mkv, drops metadata on request, and keeps it otherwise', async () => {
    await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          URI: 'oss://out-bucket/vp9/out.mkv',
          Container: 'mkv',
          StripMetadata: true,
          Video: { TranscodeVideo: { Codec: 'vp9', Resolution: '160x120', FrameRate: 10 } },
          Audio: { TranscodeAudio: { Codec: 'opus', Bitrate: 32000 } },
        },
        { URI: 'oss://out-bucket/vp9/kept.mp4', Container: 'mp4' },
      ],
    });
    const p = await probe(await h.download('oss://out-bucket/vp9/out.mkv'), true);
    expect(p.streams.map((s) => s.codec_name)).toEqual(['vp9', 'opus']);
    expect(Number(p.streams[0]!.nb_read_frames)).toBeGreaterThanOrEqual(19);
    expect(Number(p.streams[0]!.nb_read_frames)).toBeLessThanOrEqual(21);
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'format_tags=title',
      '-of',
      'default=nw=1',
      await h.download('oss://out-bucket/vp9/out.mkv'),
    ]);
    expect(stdout).not.toContain('Secret title');
    const kept = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'format_tags=title',
      '-of',
      'default=nw=1',
      await h.download('oss://out-bucket/vp9/kept.mp4'),
    ]);
    expect(kept.stdout).toContain('Secret title');
  });

  it('turns a video into an audio-only file, transcoding to the container codec when copy cannot go there', async () => {
    await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [{ URI: 'oss://out-bucket/audio/out', Container: 'mp3' }],
    });
    const p = await probe(await h.download('oss://out-bucket/audio/out.mp3'));
    expect(p.streams.map((s) => s.codec_name)).toEqual(['mp3']);
  });

  it('honours the player rotation and reads Resolution as long×short when asked', async () => {
    await convert(h, {
      Sources: [{ URI: 'oss://in-bucket/clips/portrait.mp4' }],
      Targets: [
        {
          URI: 'oss://out-bucket/rot/out.mp4',
          Container: 'mp4',
          Video: {
            TranscodeVideo: { Codec: 'h264', Resolution: '160x90', AdaptiveResolutionDirection: true },
          },
          Audio: { TranscodeAudio: { Codec: 'aac' } },
        },
      ],
    });
    const v = (await probe(await h.download('oss://out-bucket/rot/out.mp4'))).streams[0]!;
    expect([v.width, v.height]).toEqual([90, 160]);
  });

  it('plays at half speed with Speed 0.5 (video and audio re-timed)', async () => {
    await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          URI: 'oss://out-bucket/slow/out.mp4',
          Container: 'mp4',
          Speed: 0.5,
          Video: { TranscodeVideo: { Codec: 'h264', Resolution: '160x120' } },
          Audio: { TranscodeAudio: { Codec: 'aac' } },
        },
      ],
    });
    const p = await probe(await h.download('oss://out-bucket/slow/out.mp4'));
    expect(p.duration).toBeGreaterThan(3.8);
    expect(p.duration).toBeLessThan(4.3);
  });
});
