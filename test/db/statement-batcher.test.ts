import { describe, expect, it } from 'vitest';
import { createStatementBatcher } from '../../src/db/statement-batcher.ts';

describe('createStatementBatcher', () => {
  it('runs the calls of one event-loop turn together and answers each its own result', async () => {
    const batches: number[][] = [];
    const call = createStatementBatcher(async (items: number[]) => {
      batches.push(items);
      return items.map((i) => i * 10);
    });
    const first = await Promise.all([call(1), call(2), call(3)]);
    const later = await call(4);
    expect(first).toEqual([10, 20, 30]);
    expect(later).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('splits a turn into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const call = createStatementBatcher(
      async (items: number[]) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 2 },
    );
    expect(await Promise.all([1, 2, 3, 4, 5].map(call))).toEqual([1, 2, 3, 4, 5]);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('when a batch fails, runs each item alone so only the bad one fails', async () => {
    const call = createStatementBatcher(async (items: number[]) => {
      if (items.includes(2)) throw new Error(`bad batch ${items.join(',')}`);
      return items;
    });
    const results = await Promise.allSettled([call(1), call(2), call(3)]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: new Error('bad batch 2') });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 3 });
  });
});
