import { describe, expect, it } from 'vitest';
import { sniffImageFormat } from '../../../src/engines/image/sniff.ts';
import * as f from './fixtures.ts';

describe('sniffImageFormat', () => {
  it('recognises every input format from its first bytes', async () => {
    const cases: Array<[string, Buffer]> = [
      ['jpeg', await f.jpeg(8, 6)],
      ['png', await f.alphaPng(8, 6)],
      ['webp', await f.webp(8, 6)],
      ['tiff', await f.tiff(8, 6)],
      ['gif', await f.animated('gif', 8, 6)],
      ['bmp', f.bmp(8, 6)],
      ['jp2', await f.jp2(8, 6)],
      ['j2k', await f.jp2(8, 6, 'j2k')],
      ['heif', await f.avif(8, 6)],
      ['svg', f.svg(8, 6)],
      [
        'svg',
        Buffer.from('\ufeff<?xml version="1.0"?>\n<!-- c -->\n<svg xmlns="http://www.w3.org/2000/svg"/>'),
      ],
    ];
    for (const [format, bytes] of cases) expect(sniffImageFormat(bytes), format).toBe(format);
  });

  it('refuses files that are not images, whatever their name', () => {
    expect(sniffImageFormat(Buffer.from('PK\x03\x04 zip archive'))).toBeNull();
    expect(sniffImageFormat(Buffer.from('%PDF-1.7'))).toBeNull();
    expect(sniffImageFormat(Buffer.from('<html><body>svg</body></html>'))).toBeNull();
    expect(sniffImageFormat(Buffer.alloc(0))).toBeNull();
    // An MP4 has an ftyp box too, but not a HEIF brand.
    expect(sniffImageFormat(Buffer.from('\0\0\0\x18ftypisom\0\0\0\0'))).toBeNull();
    expect(sniffImageFormat(Buffer.from('\0\0\0\x18ftypavif\0\0\0\0'))).toBe('heif');
  });
});
