import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/notify/backoff.ts';
import { parseNotifyConfig } from '../../src/notify/config.ts';

describe('backoffDelay', () => {
  const retry = parseNotifyConfig({}).retry;

  it('doubles from 1 s, capped at 1 h, with half of each delay random', () => {
    expect(backoffDelay(1, retry, () => 0)).toBe(500);
    expect(backoffDelay(1, retry, () => 1)).toBe(1000);
    expect(backoffDelay(4, retry, () => 1)).toBe(8000);
    expect(backoffDelay(4, retry, () => 0)).toBe(4000);
    expect(backoffDelay(30, retry, () => 1)).toBe(3_600_000);
    expect(backoffDelay(1000, retry, () => 0.5)).toBe(2_700_000);
  });

  it('spreads a burst of failures instead of retrying in lockstep', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, retry)));
    expect(delays.size).toBeGreaterThan(40);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(8000);
  });

  it('spans about a day with the default 36 tries', () => {
    let total = 0;
    for (let attempt = 1; attempt < retry.maxAttempts; attempt++)
      total += backoffDelay(attempt, retry, () => 1);
    expect(total / 3_600_000).toBeGreaterThan(24);
    expect(total / 3_600_000).toBeLessThan(27);
  });
});
