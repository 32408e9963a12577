import { describe, expect, it } from 'vitest';
import { readHeaderSize } from '../../../src/engines/image/header-size.ts';
import * as f from './fixtures.ts';

describe('readHeaderSize', () => {
  it('reads BMP sizes, including top-down bitmaps', () => {
    expect(readHeaderSize('bmp', f.bmp(37, 21), 'a.bmp')).toEqual({ width: 37, height: 21 });
    const topDown = f.bmp(10, 7);
    topDown.writeInt32LE(-7, 22);
    expect(readHeaderSize('bmp', topDown, 'b.bmp')).toEqual({ width: 10, height: 7 });
  });

  it('reads JPEG 2000 sizes from JP2 boxes and from a bare codestream', async () => {
    expect(readHeaderSize('jp2', await f.jp2(41, 23), 'a.jp2')).toEqual({ width: 41, height: 23 });
    expect(readHeaderSize('j2k', await f.jp2(41, 23, 'j2k'), 'a.j2k')).toEqual({ width: 41, height: 23 });
  });

  it('refuses unreadable headers', () => {
    expect(() => readHeaderSize('bmp', Buffer.from('BM too short'), 'x.bmp')).toThrow(/unreadable header/);
    expect(() => readHeaderSize('jp2', Buffer.alloc(40), 'x.jp2')).toThrow(/unreadable header/);
  });
});
