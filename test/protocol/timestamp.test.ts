import { describe, expect, it } from 'vitest';
import { ImmError } from '../../src/protocol/errors.ts';
import { assertFresh, parseSignedTime } from '../../src/protocol/timestamp.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImmError) return err.code;
    throw err;
  }
  return 'none';
}

describe('signed request time', () => {
  it('parses the SDK format (UTC, no fraction) and tolerates milliseconds', () => {
    expect(parseSignedTime('2024-02-29T23:59:58Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 58));
    expect(parseSignedTime('2024-02-29T23:59:58.250Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 58, 250));
  });

  it.each([
    undefined,
    '',
    '2024-02-29 23:59:58Z',
    '2024-02-29T23:59:58+08:00',
    'Thu, 29 Feb 2024 23:59:58 GMT',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '1706745600',
  ])('refuses %s as InvalidTimeStamp.Format', (value) => {
    expect(code(() => parseSignedTime(value))).toBe('InvalidTimeStamp.Format');
  });

  it('accepts up to the allowed skew and refuses beyond it as InvalidTimeStamp.Expired', () => {
    const t = Date.UTC(2024, 0, 1);
    const skew = 15 * 60 * 1000;
    expect(code(() => assertFresh(t, t + skew, skew))).toBe('none');
    expect(code(() => assertFresh(t, t - skew, skew))).toBe('none');
    expect(code(() => assertFresh(t, t + skew + 1, skew))).toBe('InvalidTimeStamp.Expired');
    expect(code(() => assertFresh(t, t - skew - 1, skew))).toBe('InvalidTimeStamp.Expired');
  });
});
