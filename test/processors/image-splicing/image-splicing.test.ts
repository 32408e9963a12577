import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageSplicingProcessor } from '../../../src/processors/image-splicing/index.ts';
import { parseParams } from '../../../src/processors/params.ts';
import { TaskError } from '../../../src/processors/task-error.ts';
import { ImmError } from '../../../src/protocol/errors.ts';
import * as f from '../../engines/image/fixtures.ts';
import { makeCreateContext, makeRunContext } from '../../helpers/run-context.ts';
import { makeTestStorage, type TestStorage } from '../../helpers/storage.ts';

let storage: TestStorage;
const B = 'oss://splice';

beforeAll(async () => {
  storage = await makeTestStorage();
  await storage.put(`${B}/in/a.jpg`, await f.jpeg(200, 100)); // red | blue
  await storage.put(`${B}/in/b.png`, await f.alphaPng(100, 100)); // red | transparent
  await storage.put(`${B}/in/c.jpg`, await f.jpeg(100, 200, { orientation: 6 })); // shown 200 wide, 100 high
  await storage.put(`${B}/in/d.bmp`, f.bmp(50, 50, f.GREEN, f.GREEN));
  await storage.put(`${B}/in/e.webp`, await f.webp(80, 40));
});
afterAll(() => storage.cleanup());

async function splice(raw: Record<string, unknown>) {
  const params = parseParams(imageSplicingProcessor.params, raw);
  const ctx = makeRunContext(storage.scoped, { taskType: 'ImageSplicing' });
  try {
    const outcome = await imageSplicingProcessor.run(params, ctx);
    const uri = outcome.content!.TargetURI as string;
    const bytes = await storage.get(uri);
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels),
    ];
    return { outcome, bytes, info, at, progress: ctx.progressValues };
  } finally {
    await ctx.cleanup();
  }
}

const sources = (...names: string[]) => JSON.stringify(names.map((n) => ({ URI: `${B}/in/${n}` })));

describe('ImageSplicing', () => {
  it('joins horizontally with padding, margin and a background colour, to WebP', async () => {
    const r = await splice({
      Sources: sources('a.jpg', 'c.jpg', 'd.bmp', 'e.webp', 'a.jpg'),
      TargetURI: `${B}/out/h.webp`,
      Direction: 'horizontal',
      Align: '100',
      Padding: '10',
      Margin: '6',
      BackgroundColor: '#00FF00',
      ImageFormat: 'webp',
      Quality: '95',
    });
    expect((await sharp(r.bytes).metadata()).format).toBe('webp');
    // widths at height 100: 200, 200 (oriented), 100, 200, 200; 4 paddings; 2 margins.
    expect([r.info.width, r.info.height]).toEqual([200 + 200 + 100 + 200 + 200 + 40 + 12, 112]);
    expect(f.near(r.at(2, 50) as f.Rgb, f.GREEN)).toBe(true); // margin
    expect(f.near(r.at(211, 50) as f.Rgb, f.GREEN)).toBe(true); // padding after the first image
    expect(f.near(r.at(10, 50) as f.Rgb, f.RED)).toBe(true); // first image, left half
    expect(f.near(r.at(190, 50) as f.Rgb, f.BLUE)).toBe(true); // first image, right half
    // The EXIF-rotated image: red on top once oriented.
    expect(f.near(r.at(316, 20) as f.Rgb, f.RED)).toBe(true);
    expect(f.near(r.at(316, 90) as f.Rgb, f.BLUE)).toBe(true);
    expect(r.outcome.content).toEqual({
      Sources: JSON.parse(sources('a.jpg', 'c.jpg', 'd.bmp', 'e.webp', 'a.jpg')).map((s: object) => ({
        ...s,
        Rotate: 0,
      })),
      TargetURI: `${B}/out/h.webp`,
    });
    expect(r.progress.at(-1)).toBe(99);
  });

  it('joins vertically at the first image’s width by default, JPEG at the given quality', async () => {
    const r = await splice({
      Sources: JSON.stringify([{ URI: `${B}/in/a.jpg` }, { URI: `${B}/in/a.jpg`, Rotate: 90 }]),
      TargetURI: `${B}/out/v.jpg`,
      BackgroundColor: 'red',
    });
    expect((await sharp(r.bytes).metadata()).format).toBe('jpeg');
    // 200×100, then the same turned to 100×200 scaled to width 200 → 200×400.
    expect([r.info.width, r.info.height]).toEqual([200, 500]);
    // Turned 90° clockwise: the red left half is on top.
    expect(f.near(r.at(100, 120) as f.Rgb, f.RED)).toBe(true);
    expect(f.near(r.at(100, 480) as f.Rgb, f.BLUE)).toBe(true);
  });

  it('stretch changes only the aligned edge', async () => {
    const r = await splice({
      Sources: sources('a.jpg', 'd.bmp'),
      TargetURI: `${B}/out/s.png`,
      ScaleType: 'stretch',
      Align: '300',
      ImageFormat: 'png',
    });
    expect([r.info.width, r.info.height]).toEqual([300, 150]);
  });

  it('keeps transparency in PNG and flattens it onto the background in JPEG', async () => {
    const png = await splice({
      Sources: sources('b.png', 'b.png'),
      TargetURI: `${B}/out/t.png`,
      ImageFormat: 'png',
      Padding: '4',
      BackgroundColor: 'alpha',
    });
    expect(png.info.channels).toBe(4);
    expect(png.at(20, 50)).toEqual([255, 0, 0, 255]);
    expect(png.at(80, 50)[3]).toBe(0); // transparent half of the image
    expect(png.at(50, 102)[3]).toBe(0); // transparent padding
    const jpg = await splice({
      Sources: sources('b.png'),
      TargetURI: `${B}/out/t.jpg`,
      BackgroundColor: '#0000FF',
    });
    expect(jpg.info.channels).toBe(3);
    expect(f.near(jpg.at(80, 50) as f.Rgb, f.BLUE)).toBe(true);
  });

  it('refuses outputs over the spec limits before decoding anything', async () => {
    await storage.put(`${B}/in/bomb.png`, await f.pngBomb());
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ Sources: sources('a.jpg'), Margin: '20000' }, 'LimitExceededError', /32876/],
      [{ Sources: sources('a.jpg', 'bomb.png') }, 'LimitExceededError', /20000x20000/],
      [
        {
          Sources: sources('a.jpg', 'a.jpg', 'a.jpg'),
          Align: '4096',
          ImageFormat: 'webp',
          Direction: 'horizontal',
        },
        'LimitExceededError',
        /16383/,
      ],
    ];
    for (const [raw, code, message] of cases) {
      const started = performance.now();
      const err = await splice({ TargetURI: `${B}/out/limit.jpg`, ...raw }).then(
        () => null,
        (e) => e,
      );
      expect(err).toBeInstanceOf(TaskError);
      expect(performance.now() - started).toBeLessThan(1000);
      expect([(err as TaskError).code, (err as TaskError).message]).toEqual([
        code,
        expect.stringMatching(message),
      ]);
    }
    expect(await storage.exists(`${B}/out/limit.jpg`)).toBe(false);
  });

  it('validates parameters with IMM codes', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ TargetURI: `${B}/o.jpg` }, 'MissingSources'],
      [{ Sources: sources(...Array(11).fill('a.jpg')), TargetURI: `${B}/o.jpg` }, 'InvalidArgument'],
      [{ Sources: sources('a.jpg'), TargetURI: `${B}/o.jpg`, Direction: 'diagonal' }, 'InvalidArgument'],
      [{ Sources: sources('a.jpg'), TargetURI: `${B}/o.jpg`, Align: '5000' }, 'InvalidArgument'],
      [{ Sources: sources('a.jpg'), TargetURI: `${B}/o.jpg`, BackgroundColor: 'plaid' }, 'InvalidArgument'],
      [
        { Sources: JSON.stringify([{ URI: `${B}/in/a.jpg`, Rotate: 45 }]), TargetURI: `${B}/o.jpg` },
        'InvalidArgument',
      ],
      [{ Sources: '[{"URI":', TargetURI: `${B}/o.jpg` }, 'InvalidJSON'],
    ];
    for (const [raw, code] of bad) {
      let err: unknown;
      try {
        parseParams(imageSplicingProcessor.params, raw);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(raw)).toBeInstanceOf(ImmError);
      expect((err as ImmError).code, JSON.stringify(raw)).toBe(code);
    }
    const p = parseParams(imageSplicingProcessor.params, {
      Sources: sources('a.jpg'),
      TargetURI: `${B}/o.jpg`,
    });
    expect(p).toMatchObject({
      Direction: 'vertical',
      ScaleType: 'fit',
      ImageFormat: 'jpg',
      Quality: 80,
      Padding: 0,
    });
  });

  it('checks sources and target at create time', async () => {
    const ctx = makeCreateContext(storage.scoped);
    const validate = (raw: Record<string, unknown>) =>
      imageSplicingProcessor.validate(parseParams(imageSplicingProcessor.params, raw), ctx);
    await expect(
      validate({ Sources: sources('a.jpg'), TargetURI: 'oss://{bucket}/{dirname}/x.jpg' }),
    ).resolves.toBeUndefined();
    await expect(validate({ Sources: sources('nope.jpg'), TargetURI: `${B}/o.jpg` })).rejects.toThrow(
      /File does not exist\. oss:\/\/splice\/in\/nope\.jpg/,
    );
    await expect(
      validate({ Sources: sources('a.jpg'), TargetURI: 'oss://no-such-bucket/o.jpg' }),
    ).rejects.toThrow(/no-such-bucket/);
    await expect(validate({ Sources: sources('a.jpg'), TargetURI: `${B}/{nosuchvar}.jpg` })).rejects.toThrow(
      /Unknown template variable/,
    );
    await expect(validate({ Sources: sources('a.jpg'), TargetURI: `${B}/dir/` })).rejects.toThrow(/object/);
  });
});
