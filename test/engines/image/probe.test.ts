import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ImageError } from '../../../src/engines/image/errors.ts';
import { probeImage } from '../../../src/engines/image/probe.ts';
import { readImageBytes } from '../../../src/engines/image/read-bytes.ts';
import * as f from './fixtures.ts';

const LIMIT = 268_402_689;

async function probe(data: Buffer, maxPixels = LIMIT) {
  const bytes = await readImageBytes(Readable.from([data]), {
    label: 'src',
    maxBytes: 50e6,
    maxSvgBytes: 1e6,
  });
  return probeImage(bytes, { label: 'src', maxPixels, svgDensity: 72 });
}

async function failure(p: Promise<unknown>): Promise<ImageError> {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(ImageError);
  return err as ImageError;
}

describe('probeImage', () => {
  it('reads size, orientation and alpha of every format from headers', async () => {
    expect(await probe(await f.jpeg(30, 20, { orientation: 6 }))).toMatchObject({
      format: 'jpeg',
      width: 30,
      height: 20,
      orientation: 6,
      jpeg: { embeddable: true },
    });
    expect(await probe(await f.alphaPng(30, 20))).toMatchObject({ format: 'png', width: 30, hasAlpha: true });
    expect(await probe(await f.png16(30, 20))).toMatchObject({ format: 'png', width: 30, height: 20 });
    expect(await probe(await f.tiff(30, 20))).toMatchObject({ format: 'tiff', width: 30, height: 20 });
    expect(await probe(await f.webp(30, 20))).toMatchObject({ format: 'webp', width: 30, height: 20 });
    expect(await probe(f.svg(30, 20))).toMatchObject({ format: 'svg', width: 30, height: 20 });
    expect(await probe(f.bmp(30, 20))).toMatchObject({ format: 'bmp', width: 30, height: 20 });
    expect(await probe(await f.jp2(30, 20))).toMatchObject({ format: 'jp2', width: 30, height: 20 });
    expect(await probe(await f.jpeg(1, 1))).toMatchObject({ width: 1, height: 1 });
  });

  it('rasterises a large SVG at a lower density rather than over the pixel limit', async () => {
    const bytes = await readImageBytes(Readable.from([f.svg(4000, 2000)]), {
      label: 'big.svg',
      maxBytes: 1e6,
      maxSvgBytes: 1e6,
    });
    const info = await probeImage(bytes, { label: 'big.svg', maxPixels: 16_000_000, svgDensity: 144 });
    expect(info.density).toBeLessThan(144);
    expect(info.width * info.height).toBeLessThanOrEqual(16_000_000);
    const small = await probeImage(
      await readImageBytes(Readable.from([f.svg(40, 20)]), {
        label: 's.svg',
        maxBytes: 1e6,
        maxSvgBytes: 1e6,
      }),
      { label: 's.svg', maxPixels: 16_000_000, svgDensity: 144 },
    );
    expect([small.width, small.height, small.density]).toEqual([80, 40, 144]);
  });

  it('reports one frame of an animation', async () => {
    expect(await probe(await f.animated('gif', 20, 10))).toMatchObject({
      format: 'gif',
      width: 20,
      height: 10,
    });
    expect(await probe(await f.animated('webp', 20, 10))).toMatchObject({
      format: 'webp',
      width: 20,
      height: 10,
    });
  });

  it('refuses a 20000×20000 pixel bomb from its header, in milliseconds', async () => {
    const bomb = await f.pngBomb();
    const started = performance.now();
    const err = await failure(probe(bomb));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(err.kind).toBe('limit');
    expect(err.message).toMatch(/20000x20000 pixels/);
  });

  it('applies the pixel limit to formats sharp cannot read, before decoding them', async () => {
    const err = await failure(probe(f.bmp(100, 100), 5000));
    expect(err.kind).toBe('limit');
    const huge = f.bmp(2, 2);
    huge.writeInt32LE(60_000, 18);
    huge.writeInt32LE(60_000, 22);
    expect((await failure(probe(huge))).kind).toBe('limit');
  });

  it('refuses files that are not images and truncated images', async () => {
    expect((await failure(probe(Buffer.from('PK\x03\x04 this is a zip')))).kind).toBe('unsupported');
    expect((await failure(probe(Buffer.alloc(0)))).kind).toBe('unsupported');
    expect((await failure(probe(f.truncate(await f.jpeg(400, 300), 0.7)))).kind).toBe('corrupt');
  });

  it('refuses sources over the byte limit while reading', async () => {
    const big = Buffer.alloc(2_000_000, 0xff);
    big.set([0xff, 0xd8, 0xff]);
    const chunks = Array.from({ length: 20 }, (_, i) => big.subarray(i * 100_000, (i + 1) * 100_000));
    const err = await failure(
      readImageBytes(Readable.from(chunks), { label: 'big', maxBytes: 500_000, maxSvgBytes: 1e6 }),
    );
    expect(err.kind).toBe('limit');
  });
});
