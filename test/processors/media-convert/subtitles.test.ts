import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSrt, makeVideo, makeVideoWithSubtitles, probe } from '../../engines/ffmpeg/media-fixtures.ts';
import { convert, type Harness, makeHarness } from './harness.ts';

const run = promisify(execFile);
let h: Harness;
const MKV = 'oss://in-bucket/subs/movie.mkv';
const PLAIN = 'oss://in-bucket/subs/plain.mp4';
const SRT = 'oss://in-bucket/subs/extra.srt';

beforeAll(async () => {
  h = await makeHarness();
  await h.storage.registry.ensureBucket('out-bucket');
  await h.upload(MKV, await makeVideoWithSubtitles(h.dir));
  await h.upload(PLAIN, await makeVideo(path.join(h.dir, 'plain.mp4')));
  await h.upload(SRT, await makeSrt(path.join(h.dir, 'extra.srt')));
});
afterAll(() => h.cleanup());

describe('subtitles', () => {
  it('extracts every subtitle stream to WebVTT as <prefix>_<streamindex>.vtt, and to srt by template', async () => {
    const out = await convert(h, {
      Sources: [{ URI: MKV }],
      Targets: [
        { Subtitle: { ExtractSubtitle: { URI: 'oss://out-bucket/vtt/movie', Format: 'webvtt' } } },
        {
          Subtitle: {
            Stream: [1],
            ExtractSubtitle: {
              URI: 'oss://out-bucket/srt/{barename}.{streamindex}.{autoext}',
              Format: 'srt',
            },
          },
        },
      ],
    });
    expect(await h.storage.list('oss://out-bucket/vtt/')).toEqual([
      'oss://out-bucket/vtt/movie_0.vtt',
      'oss://out-bucket/vtt/movie_1.vtt',
    ]);
    const eng = (await h.storage.get('oss://out-bucket/vtt/movie_0.vtt')).toString();
    expect(eng).toMatch(/^WEBVTT/);
    expect(eng).toContain('00:00.200 --> 00:01.000');
    expect(eng).toContain('Hello openimm');
    expect((await h.storage.get('oss://out-bucket/vtt/movie_1.vtt')).toString()).toContain('Bonjour openimm');
    const srt = (await h.storage.get('oss://out-bucket/srt/movie.1.srt')).toString();
    expect(srt).toContain('00:00:00,200 --> 00:00:01,000');
    expect(srt).toContain('Bonjour openimm');
    const targets = out.content!.Targets as any[];
    expect(targets[0].Subtitle).toEqual({ Extract: { URI: 'oss://out-bucket/vtt/movie_0.vtt' } });
  });

  it('carries the first subtitle stream into mp4 as mov_text by default, and all of them on request', async () => {
    await convert(h, {
      Sources: [{ URI: MKV }],
      Targets: [
        { URI: 'oss://out-bucket/mux/first.mp4', Container: 'mp4' },
        { URI: 'oss://out-bucket/mux/all.mkv', Container: 'mkv', Subtitle: { Stream: [101] } },
        { URI: 'oss://out-bucket/mux/none.mp4', Container: 'mp4', Subtitle: { DisableSubtitle: true } },
      ],
    });
    const first = await probe(await h.download('oss://out-bucket/mux/first.mp4'));
    expect(first.streams.filter((s) => s.codec_type === 'subtitle').map((s) => s.codec_name)).toEqual([
      'mov_text',
    ]);
    const all = await probe(await h.download('oss://out-bucket/mux/all.mkv'));
    expect(all.streams.filter((s) => s.codec_type === 'subtitle').map((s) => s.tags?.language)).toEqual([
      'eng',
      'fra',
    ]);
    const none = await probe(await h.download('oss://out-bucket/mux/none.mp4'));
    expect(none.streams.some((s) => s.codec_type === 'subtitle')).toBe(false);
  });

  it('adds subtitle files of the Sources with their language, shifted by TimeOffset', async () => {
    const out = await convert(h, {
      Sources: [{ URI: PLAIN, Subtitles: [{ URI: SRT, Language: 'deu', TimeOffset: 0.5 }] }],
      Targets: [
        {
          URI: 'oss://out-bucket/added/movie.mp4',
          Container: 'mp4',
          Subtitle: { ExtractSubtitle: { URI: 'oss://out-bucket/added/sub', Format: 'webvtt' } },
        },
      ],
    });
    expect(out.content!.Sources).toEqual([{ URI: PLAIN, SubtitleSources: [{ URI: SRT }] }]);
    const p = await probe(await h.download('oss://out-bucket/added/movie.mp4'));
    const sub = p.streams.find((s) => s.codec_type === 'subtitle')!;
    expect(sub.codec_name).toBe('mov_text');
    expect(sub.tags?.language).toBe('deu');
    const vtt = (await h.storage.get('oss://out-bucket/added/sub_0.vtt')).toString();
    expect(vtt).toContain('00:00.700 --> 00:01.500');
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_type',
      '-of',
      'csv=p=0',
      await h.download('oss://out-bucket/added/movie.mp4'),
    ]);
    expect(stdout.trim().split('\n')).toEqual(['video', 'audio', 'subtitle']);
  });
});
