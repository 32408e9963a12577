import { describe, expect, it } from 'vitest';
import { parseColor } from '../../../src/engines/image/color.ts';

describe('parseColor', () => {
  it('parses hex forms and keywords', () => {
    expect(parseColor('#FF8000')).toEqual({ r: 255, g: 128, b: 0, alpha: 1 });
    expect(parseColor('ff8000')).toEqual({ r: 255, g: 128, b: 0, alpha: 1 });
    expect(parseColor('#f80')).toEqual({ r: 255, g: 136, b: 0, alpha: 1 });
    expect(parseColor('#00000080')?.alpha).toBeCloseTo(128 / 255);
    expect(parseColor('red')).toEqual({ r: 255, g: 0, b: 0, alpha: 1 });
    expect(parseColor(' White ')).toEqual({ r: 255, g: 255, b: 255, alpha: 1 });
    expect(parseColor('alpha')?.alpha).toBe(0);
    expect(parseColor('transparent')?.alpha).toBe(0);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '#12345', '#GGGGGG', 'reddish', 'rgb(1,2,3)'])
      expect(parseColor(bad), bad).toBeNull();
  });
});
