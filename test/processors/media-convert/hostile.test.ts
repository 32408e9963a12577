import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaConfigSchema } from '../../../src/engines/ffmpeg/config.ts';
import { makeMediaConvertProcessor } from '../../../src/processors/media-convert/index.ts';
import { TaskError } from '../../../src/processors/task-error.ts';
import type { ScopedStorage } from '../../../src/storage/scoped-storage.ts';
import { makeAudio, makeVideo } from '../../engines/ffmpeg/media-fixtures.ts';
import { makeCreateContext, makeRunContext } from '../../helpers/run-context.ts';
import { convert, type Harness, makeHarness, parse } from './harness.ts';

const run = promisify(execFile);
let h: Harness;
const OK = 'oss://in-bucket/bad/ok.mp4';
const LONG = 'oss://in-bucket/bad/long.mp4';
const H264 = { TranscodeVideo: { Codec: 'h264' } };
const AAC = { TranscodeAudio: { Codec: 'aac' } };

beforeAll(async () => {
  h = await makeHarness();
  await h.storage.registry.ensureBucket('out-bucket');
  const ok = await makeVideo(path.join(h.dir, 'ok.mp4'));
  await h.upload(OK, ok);
  const bytes = await fs.readFile(ok);
  await h.storage.put('oss://in-bucket/bad/truncated.mp4', bytes.subarray(0, Math.floor(bytes.length / 2)));
  await h.storage.put('oss://in-bucket/bad/empty.mp4', Buffer.alloc(0));
  await h.storage.put('oss://in-bucket/bad/notes.mp4', 'not a video\n'.repeat(500));
  await h.upload('oss://in-bucket/bad/voice.mp3', await makeAudio(path.join(h.dir, 'voice.mp3')));
  const long = path.join(h.dir, 'long.mp4');
  await run('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=10:duration=120',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    long,
  ]);
  await h.upload(LONG, long);
});
afterAll(() => h.cleanup());

async function failure(params: Record<string, unknown>): Promise<TaskError> {
  const err = await convert(h, params).catch((e) => e);
  expect(err).toBeInstanceOf(TaskError);
  return err;
}

const to = (uri: string) => [{ URI: uri, Container: 'mp4', Video: H264, Audio: AAC }];

describe('hostile media', () => {
  it.each([
    ['truncated', 'oss://in-bucket/bad/truncated.mp4'],
    ['zero-length', 'oss://in-bucket/bad/empty.mp4'],
    ['not media', 'oss://in-bucket/bad/notes.mp4'],
  ])('fails a %s source with InvalidArgument, writing nothing', async (_name, uri) => {
    const err = await failure({ Sources: [{ URI: uri }], Targets: to('oss://out-bucket/bad/x.mp4') });
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('not a media file');
    expect(err.message).not.toContain('/tmp');
    expect(await h.storage.list('oss://out-bucket/bad/')).toEqual([]);
  });

  it('fails a request that selects streams the source does not have', async () => {
    const err = await failure({
      Sources: [{ URI: OK }],
      Targets: [
        { URI: 'oss://out-bucket/bad/y.mp4', Container: 'mp4', Video: { Stream: [3], ...H264 }, Audio: AAC },
      ],
    });
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('Targets[0].Video.Stream [3] selects no video stream');
  });

  it('fails frame capture from an audio-only source', async () => {
    const err = await failure({
      Sources: [{ URI: 'oss://in-bucket/bad/voice.mp3' }],
      Targets: [{ Image: { Snapshots: [{ URI: 'oss://out-bucket/bad/s.jpg', Format: 'jpg' }] } }],
    });
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('no video');
  });

  it('refuses sources over the duration and frame-size limits before decoding', async () => {
    const p = parse({ Sources: [{ URI: OK }], Targets: to('oss://out-bucket/bad/z.mp4') });
    for (const [limits, text] of [
      [{ maxSourceDurationSec: 1 }, 'over the 1 s limit'],
      [{ maxFramePixels: 1000 }, 'over the frame size limit'],
    ] as const) {
      const processor = makeMediaConvertProcessor(mediaConfigSchema.parse(limits));
      const ctx = makeRunContext(h.storage.scoped);
      const err = await processor.run(p, ctx).catch((e) => e);
      await ctx.cleanup();
      expect(err.code).toBe('LimitExceededError');
      expect(err.message).toContain(text);
    }
  });

  it('fails with File does not exist when a source vanished after the create call', async () => {
    await h.storage.put('oss://in-bucket/bad/gone.mp4', await fs.readFile(path.join(h.dir, 'ok.mp4')));
    const p = parse({
      Sources: [{ URI: 'oss://in-bucket/bad/gone.mp4' }],
      Targets: to('oss://out-bucket/bad/g.mp4'),
    });
    const processor = makeMediaConvertProcessor();
    await processor.validate(p, makeCreateContext(h.storage.scoped));
    await h.storage.scoped.delete('oss://in-bucket/bad/gone.mp4');
    const ctx = makeRunContext(h.storage.scoped);
    const err = await processor.run(p, ctx).catch((e) => e);
    await ctx.cleanup();
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toBe('File does not exist. oss://in-bucket/bad/gone.mp4');
  });

  it('times out a run longer than its limit', async () => {
    const processor = makeMediaConvertProcessor(mediaConfigSchema.parse({ minRunTimeoutMs: 1000 }));
    const p = parse({
      Sources: [{ URI: LONG }],
      Targets: [
        {
          URI: 'oss://out-bucket/slow/x.mkv',
          Container: 'mkv',
          Video: { TranscodeVideo: { Codec: 'vp9', CRF: 10 } },
        },
      ],
    });
    const ctx = makeRunContext(h.storage.scoped, {
      limits: { ...makeRunContext(h.storage.scoped).limits, mediaTimeoutFactor: 0.001 },
    });
    const started = Date.now();
    const err = await processor.run(p, ctx).catch((e) => e);
    await ctx.cleanup();
    expect(err.code).toBe('InternalError');
    expect(err.message).toContain('time limit');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await h.storage.list('oss://out-bucket/slow/')).toEqual([]);
  });
});

describe('cancel', () => {
  it('kills ffmpeg within a second and leaves no output', async () => {
    const p = parse({
      Sources: [{ URI: LONG }],
      Targets: [
        {
          URI: 'oss://out-bucket/cancel/x.mkv',
          Container: 'mkv',
          Video: { TranscodeVideo: { Codec: 'vp9', CRF: 10 } },
        },
      ],
    });
    const processor = makeMediaConvertProcessor();
    const ctx = makeRunContext(h.storage.scoped);
    let abortedAt = 0;
    const progress = ctx.progress;
    ctx.progress = (pct) => {
      progress(pct);
      if (pct > 2 && !abortedAt) {
        abortedAt = Date.now();
        ctx.abort();
      }
    };
    const err = await processor.run(p, ctx).catch((e) => e);
    const stoppedIn = Date.now() - abortedAt;
    expect(abortedAt).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(Error);
    expect(stoppedIn).toBeLessThan(1000);
    const { stdout } = await run('ps', ['-eo', 'args']);
    expect(stdout.split('\n').filter((l) => l.startsWith('ffmpeg') && l.includes(ctx.tmpDir))).toEqual([]);
    await ctx.cleanup();
    expect(await h.storage.list('oss://out-bucket/cancel/')).toEqual([]);
  });

  it('deletes what it uploaded when a later upload fails', async () => {
    // A storage that refuses playlists: the segments go up first and must be removed again.
    const failing: ScopedStorage = Object.create(h.storage.scoped);
    const written: string[] = [];
    failing.write = async (uri, body, opts) => {
      if (uri.endsWith('.m3u8')) throw new Error('disk full');
      written.push(uri);
      return h.storage.scoped.write(uri, body, opts);
    };
    const p = parse({
      Sources: [{ URI: OK }],
      Targets: [
        {
          URI: 'oss://out-bucket/partial/v',
          Container: 'ts',
          Segment: { Format: 'hls', Duration: 0.5 },
          Video: H264,
          Audio: AAC,
        },
      ],
    });
    const ctx = makeRunContext(failing);
    const err = await makeMediaConvertProcessor()
      .run(p, ctx)
      .catch((e) => e);
    await ctx.cleanup();
    expect(err.message).toBe('disk full');
    expect(written.filter((u) => u.endsWith('.ts')).length).toBeGreaterThanOrEqual(4);
    expect(await h.storage.list('oss://out-bucket/partial/')).toEqual([]);
  });
});
