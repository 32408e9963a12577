import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../../src/engines/image/limiter.ts';

describe('createLimiter', () => {
  it('never runs more than its size at once, and runs everything', async () => {
    const limiter = createLimiter(2);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        limiter.run(async () => {
          peak = Math.max(peak, ++running);
          await sleep(5);
          running--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(limiter.active).toBe(0);
  });

  it('drops a waiting call when its signal aborts, and frees the slot after a failure', async () => {
    const limiter = createLimiter(1);
    const controller = new AbortController();
    const first = limiter.run(() => sleep(20).then(() => 'first'));
    const waiting = limiter.run(async () => 'never', controller.signal);
    expect(limiter.waiting).toBe(1);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(limiter.waiting).toBe(0);
    await expect(first).resolves.toBe('first');
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'after')).resolves.toBe('after');
  });
});
