import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMediaPlaylist } from '../../../src/processors/media-convert/hls-master.ts';
import { makeVideoWithSubtitles } from '../../engines/ffmpeg/media-fixtures.ts';
import { convert, type Harness, makeHarness } from './harness.ts';

const run = promisify(execFile);
let h: Harness;
const SRC = 'oss://in-bucket/hls/movie.mkv';
const H264 = (resolution: string) => ({
  TranscodeVideo: { Codec: 'h264', Resolution: resolution, GOPSize: 250 },
});
const AAC = { TranscodeAudio: { Codec: 'aac', Bitrate: 64000 } };

beforeAll(async () => {
  h = await makeHarness();
  await h.storage.registry.ensureBucket('out-bucket');
  await h.upload(SRC, await makeVideoWithSubtitles(h.dir));
});
afterAll(() => h.cleanup());

/** Downloads every object under a prefix into a local folder, keeping relative paths. */
async function mirror(prefix: string): Promise<string> {
  const root = await fs.mkdtemp(path.join(h.dir, 'mirror-'));
  for (const uri of await h.storage.list(prefix)) {
    const file = path.join(root, uri.slice(prefix.length));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, await h.storage.get(uri));
  }
  return root;
}

describe('segmented outputs', () => {
  it('packages HLS with segments of the asked length, numbered from StartNumber, next to the playlist', async () => {
    const out = await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          URI: 'oss://out-bucket/hls/one/movie',
          Container: 'ts',
          Segment: { Format: 'hls', Duration: 0.5, StartNumber: 5 },
          Video: H264('160x120'),
          Audio: AAC,
        },
      ],
    });
    expect((out.content!.Targets as any[])[0].URI).toBe('oss://out-bucket/hls/one/movie.m3u8');
    const text = (await h.storage.get('oss://out-bucket/hls/one/movie.m3u8')).toString();
    const entries = parseMediaPlaylist(text);
    // 2 s in 0.5 s segments (the AAC tail may add a last sliver).
    expect(entries.slice(0, 4).map((e) => e.uri)).toEqual([
      'movie-5.ts',
      'movie-6.ts',
      'movie-7.ts',
      'movie-8.ts',
    ]);
    for (const e of entries.slice(0, 4)) expect(e.duration).toBeCloseTo(0.5, 1);
    expect(entries.reduce((n, e) => n + e.duration, 0)).toBeCloseTo(2, 1);
    expect(text).toContain('#EXT-X-ENDLIST');
    const listed = await h.storage.list('oss://out-bucket/hls/one/');
    expect(listed.sort()).toEqual(
      [
        'oss://out-bucket/hls/one/movie.m3u8',
        ...entries.map((e) => `oss://out-bucket/hls/one/${e.uri}`),
      ].sort(),
    );
  });

  it('keeps pattern characters of the playlist name out of segment names', async () => {
    await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          URI: 'oss://out-bucket/odd/50%off $1',
          Container: 'ts',
          Segment: { Format: 'hls', Duration: 1 },
          Audio: { DisableAudio: true },
        },
      ],
    });
    const listed = await h.storage.list('oss://out-bucket/odd/');
    expect(listed[0]).toBe('oss://out-bucket/odd/50%off $1.m3u8');
    expect(listed.slice(1).every((u) => /\/50_off__1-\d+\.ts$/.test(u))).toBe(true);
    const text = (await h.storage.get('oss://out-bucket/odd/50%off $1.m3u8')).toString();
    expect(parseMediaPlaylist(text)[0]!.uri).toBe('50_off__1-0.ts');
  });

  it('packages DASH (fMP4 segments and an MPD)', async () => {
    await convert(h, {
      Sources: [{ URI: SRC }],
      Targets: [
        {
          URI: 'oss://out-bucket/dash/movie',
          Container: 'mp4',
          Segment: { Format: 'dash', Duration: 1 },
          Video: H264('160x120'),
          Audio: AAC,
        },
      ],
    });
    const mpd = (await h.storage.get('oss://out-bucket/dash/movie.mpd')).toString();
    expect(mpd).toContain('<MPD');
    const listed = await h.storage.list('oss://out-bucket/dash/');
    expect(listed.filter((u) => u.endsWith('.m4s')).length).toBeGreaterThanOrEqual(4);
    const root = await mirror('oss://out-bucket/dash/');
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name',
      '-of',
      'csv=p=0',
      path.join(root, 'movie.mpd'),
    ]);
    expect(new Set(stdout.split('\n').filter(Boolean))).toEqual(new Set(['aac', 'h264']));
  });

  it('writes a TargetGroups master playlist whose variants and subtitles all play', async () => {
    const out = await convert(h, {
      Sources: [{ URI: SRC }],
      TargetGroups: [
        {
          URI: 'oss://out-bucket/abr/master.m3u8',
          Targets: [
            {
              URI: 'oss://out-bucket/abr/{resolution}/index',
              Container: 'ts',
              Segment: { Format: 'hls', Duration: 1 },
              Video: H264('320x240'),
              Audio: AAC,
            },
            {
              URI: 'oss://out-bucket/abr/{resolution}/index',
              Container: 'mp4',
              Segment: { Format: 'hls', Duration: 1 },
              Video: H264('160x120'),
              Audio: AAC,
              Subtitle: { ExtractSubtitle: { URI: 'oss://out-bucket/abr/subs/sub', Format: 'vtt' } },
            },
          ],
        },
      ],
    });
    expect(out.content!.TargetGroups).toEqual([
      {
        URI: 'oss://out-bucket/abr/master.m3u8',
        Targets: [
          { URI: 'oss://out-bucket/abr/320x240/index.m3u8' },
          { URI: 'oss://out-bucket/abr/160x120/index.m3u8' },
        ],
      },
    ]);
    const master = (await h.storage.get('oss://out-bucket/abr/master.m3u8')).toString();
    expect(master).toMatch(
      /#EXT-X-STREAM-INF:BANDWIDTH=\d+,AVERAGE-BANDWIDTH=\d+,RESOLUTION=320x240,CODECS="avc1\.[0-9A-F]{6},mp4a\.40\.2",SUBTITLES="subs"\n320x240\/index\.m3u8/,
    );
    expect(master).toContain('RESOLUTION=160x120');
    expect(master).toContain('160x120/index.m3u8');
    expect(master).toMatch(
      /#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="eng",LANGUAGE="eng",DEFAULT=YES,AUTOSELECT=YES,URI="subs\/sub_0\.m3u8"/,
    );
    expect(master).toContain('LANGUAGE="fra"');
    const root = await mirror('oss://out-bucket/abr/');
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_programs',
      '-of',
      'json',
      path.join(root, 'master.m3u8'),
    ]);
    const programs = JSON.parse(stdout).programs as { streams: { codec_name: string; width?: number }[] }[];
    expect(programs).toHaveLength(2);
    expect(programs.map((p) => p.streams.find((s) => s.width)?.width).sort()).toEqual([160, 320]);
    for (const i of [0, 1]) {
      await run('ffmpeg', [
        '-v',
        'error',
        '-i',
        path.join(root, 'master.m3u8'),
        '-map',
        `0:p:${i}`,
        '-f',
        'null',
        '-',
      ]);
    }
    const vtt = await fs.readFile(path.join(root, 'subs', 'sub_0.vtt'), 'utf8');
    expect(vtt).toContain('Hello openimm');
    const subList = parseMediaPlaylist(await fs.readFile(path.join(root, 'subs', 'sub_0.m3u8'), 'utf8'));
    expect(subList).toEqual([{ uri: 'sub_0.vtt', duration: expect.closeTo(2, 0) }]);
  });
});
