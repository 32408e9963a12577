import { describe, expect, it } from 'vitest';
import type { ImageError } from '../../../src/engines/image/errors.ts';
import { checkSpliceLimits, layoutSplice } from '../../../src/engines/image/splice-layout.ts';

const sizes = [
  { width: 200, height: 100 },
  { width: 100, height: 100 },
  { width: 50, height: 200 },
];

describe('layoutSplice', () => {
  it('vertical fit: every width is the first image’s, heights keep proportions', () => {
    const l = layoutSplice(sizes, { direction: 'vertical', scaleType: 'fit', padding: 5, margin: 10 });
    expect(l.tiles).toEqual([
      { left: 10, top: 10, width: 200, height: 100 },
      { left: 10, top: 115, width: 200, height: 200 },
      { left: 10, top: 320, width: 200, height: 800 },
    ]);
    expect([l.width, l.height]).toEqual([220, 10 + 100 + 5 + 200 + 5 + 800 + 10]);
  });

  it('horizontal with Align: every height is Align, widths keep proportions', () => {
    const l = layoutSplice(sizes, {
      direction: 'horizontal',
      align: 50,
      scaleType: 'fit',
      padding: 0,
      margin: 0,
    });
    expect(l.tiles.map((t) => [t.left, t.width, t.height])).toEqual([
      [0, 100, 50],
      [100, 50, 50],
      [150, 13, 50],
    ]);
    expect([l.width, l.height]).toEqual([163, 50]);
  });

  it('stretch changes only the aligned edge', () => {
    const l = layoutSplice(sizes, {
      direction: 'vertical',
      align: 300,
      scaleType: 'stretch',
      padding: 0,
      margin: 0,
    });
    expect(l.tiles.map((t) => [t.width, t.height])).toEqual([
      [300, 100],
      [300, 100],
      [300, 200],
    ]);
  });
});

describe('checkSpliceLimits', () => {
  it('refuses an edge over 32,876 px and more than a billion pixels', () => {
    const tall = layoutSplice(
      [
        { width: 10, height: 20_000 },
        { width: 10, height: 20_000 },
      ],
      {
        direction: 'vertical',
        scaleType: 'fit',
        padding: 0,
        margin: 0,
      },
    );
    expect(() => checkSpliceLimits(tall)).toThrow(/32876/);
    expect(() => checkSpliceLimits({ ...tall, width: 32_000, height: 32_000 })).toThrow(
      /more than the limit/,
    );
    try {
      checkSpliceLimits(tall);
    } catch (err) {
      expect((err as ImageError).kind).toBe('limit');
    }
    expect(() => checkSpliceLimits({ ...tall, width: 32_876, height: 30_000 })).not.toThrow();
  });
});
