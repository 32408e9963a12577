import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImmError } from '../../../src/protocol/errors.ts';
import { makeVideo } from '../../engines/ffmpeg/media-fixtures.ts';
import { type Harness, makeHarness, validate } from './harness.ts';

let h: Harness;
const SRC = 'oss://in-bucket/v/a.mp4';
const target = (uri: string) => [
  { URI: uri, Container: 'mp4', Video: { TranscodeVideo: { Codec: 'h264' } } },
];

beforeAll(async () => {
  h = await makeHarness();
  await h.storage.registry.ensureBucket('out-bucket');
  await h.upload(SRC, await makeVideo(path.join(h.dir, 'a.mp4'), { seconds: 1 }));
});
afterAll(() => h.cleanup());

async function createError(params: Record<string, unknown>): Promise<ImmError> {
  const err = await validate(h, params).catch((e) => e);
  expect(err).toBeInstanceOf(ImmError);
  return err;
}

describe('create-time checks', () => {
  it('accepts a request whose inputs exist and whose outputs are writable', async () => {
    await expect(
      validate(h, { Sources: [{ URI: SRC }], Targets: target('oss://out-bucket/{barename}.{autoext}') }),
    ).resolves.toBeUndefined();
  });

  it('refuses a missing source, naming it', async () => {
    const err = await createError({
      Sources: [{ URI: 'oss://in-bucket/v/missing.mp4' }],
      Targets: target('oss://out-bucket/x.mp4'),
    });
    expect([err.code, err.message]).toEqual([
      'InvalidArgument',
      'File does not exist. oss://in-bucket/v/missing.mp4',
    ]);
  });

  it('refuses buckets that do not exist and URIs that are not OSS URIs', async () => {
    expect(
      (await createError({ Sources: [{ URI: SRC }], Targets: target('oss://no-such-bucket/x.mp4') })).message,
    ).toContain('no-such-bucket');
    expect(
      (
        await createError({
          Sources: [{ URI: 'http://in-bucket.oss-cn-hangzhou.aliyuncs.com/a.mp4' }],
          Targets: target('oss://out-bucket/x.mp4'),
        })
      ).message,
    ).toContain('Sources[0].URI');
  });

  it('refuses template variables the operation does not offer and tags the request lacks', async () => {
    const unknown = await createError({
      Sources: [{ URI: SRC }],
      Targets: target('oss://out-bucket/{index}.mp4'),
    });
    expect(unknown.message).toContain('Targets[0].URI');
    expect(unknown.message).toContain('{index}');
    const tag = await createError({
      Sources: [{ URI: SRC }],
      Targets: target('oss://out-bucket/{tags.team}/x.mp4'),
    });
    expect(tag.message).toContain('tags.team');
  });

  it('refuses a codec this server’s ffmpeg cannot encode', async () => {
    const err = await createError({
      Sources: [{ URI: SRC }],
      Targets: [
        { URI: 'oss://out-bucket/x.mov', Container: 'mov', Audio: { TranscodeAudio: { Codec: 'amr' } } },
      ],
    });
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain(
      'Targets[0].Audio.TranscodeAudio.Codec amr is not supported by this server',
    );
  });

  it('checks watermark and subtitle inputs too', async () => {
    const err = await createError({
      Sources: [{ URI: SRC, Subtitles: [{ URI: 'oss://in-bucket/v/none.srt' }] }],
      Targets: target('oss://out-bucket/x.mp4'),
    });
    expect(err.message).toBe('File does not exist. oss://in-bucket/v/none.srt');
  });
});
