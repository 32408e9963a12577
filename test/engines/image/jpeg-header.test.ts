import { describe, expect, it } from 'vitest';
import { ImageError } from '../../../src/engines/image/errors.ts';
import { isPdfEmbeddable, parseJpegHeader } from '../../../src/engines/image/jpeg-header.ts';
import * as f from './fixtures.ts';

describe('parseJpegHeader', () => {
  it('reads size, components and EXIF orientation without decoding', async () => {
    for (let orientation = 1; orientation <= 8; orientation++) {
      const h = parseJpegHeader(await f.jpeg(30, 20, { orientation }), 'x.jpg');
      expect(h).toMatchObject({ width: 30, height: 20, components: 3, precision: 8, orientation });
      expect(isPdfEmbeddable(h)).toBe(true);
    }
  });

  it('recognises progressive, grey and Adobe CMYK JPEGs', async () => {
    expect(parseJpegHeader(await f.jpeg(16, 16, { progressive: true }), 'p').sof).toBe(0xc2);
    expect(parseJpegHeader(await f.greyJpeg(16, 16), 'g').components).toBe(1);
    const cmyk = parseJpegHeader(await f.cmykJpeg(16, 16), 'c');
    expect(cmyk).toMatchObject({ components: 4, adobe: true });
    expect(isPdfEmbeddable(cmyk)).toBe(true);
  });

  it('reassembles the embedded ICC profile', async () => {
    const h = parseJpegHeader(await f.jpeg(16, 16, { orientation: 1 }), 'x');
    expect(h.icc).toBeDefined();
    expect(h.icc!.readUInt32BE(0)).toBe(h.icc!.length);
    expect(h.icc!.toString('latin1', 36, 40)).toBe('acsp');
  });

  it('refuses a truncated file even though its header is intact', async () => {
    const cut = f.truncate(await f.jpeg(400, 300), 0.7);
    expect(() => parseJpegHeader(cut, 'cut.jpg')).toThrow(/truncated/);
    try {
      parseJpegHeader(cut, 'cut.jpg');
    } catch (err) {
      expect(err).toBeInstanceOf(ImageError);
      expect((err as ImageError).kind).toBe('corrupt');
    }
  });

  it('refuses headers cut short and non-JPEG bytes', async () => {
    const jpg = await f.jpeg(64, 64);
    expect(() => parseJpegHeader(jpg.subarray(0, 40), 'short.jpg')).toThrow(ImageError);
    expect(() => parseJpegHeader(Buffer.from('not a jpeg'), 'x')).toThrow(/start-of-image/);
  });
});
