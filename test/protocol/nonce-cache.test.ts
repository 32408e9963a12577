import { describe, expect, it } from 'vitest';
import { ImmError } from '../../src/protocol/errors.ts';
import { MemoryNonceStore, nonceWindowForSkew } from '../../src/protocol/nonce-cache.ts';

describe('MemoryNonceStore', () => {
  it('accepts a nonce once within the window', async () => {
    const store = new MemoryNonceStore(1000);
    expect(await store.remember('a', 0)).toBe(true);
    expect(await store.remember('a', 999)).toBe(false);
    expect(await store.remember('b', 999)).toBe(true);
  });

  it('forgets nonces after the window, so memory stays bounded', async () => {
    const store = new MemoryNonceStore(1000);
    for (let i = 0; i < 100; i++) await store.remember(`n${i}`, i);
    expect(store.size).toBe(100);
    expect(await store.remember('late', 1050)).toBe(true);
    // n0..n50 expired at 1000..1050; the rest are still live.
    expect(store.size).toBe(50);
    expect(await store.remember('n0', 1050)).toBe(true);
    expect(await store.remember('n99', 1050)).toBe(false);
  });

  it('refuses new requests instead of forgetting live nonces when full', async () => {
    const store = new MemoryNonceStore(1000, 3);
    for (const n of ['a', 'b', 'c']) expect(await store.remember(n, 0)).toBe(true);
    const err = await store.remember('d', 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImmError);
    expect((err as ImmError).code).toBe('ServiceUnavailable');
    expect(await store.remember('a', 10)).toBe(false);
    expect(await store.remember('d', 1000)).toBe(true);
  });
});

describe('nonceWindowForSkew', () => {
  it('covers a request dated at the far edge of the skew for its whole acceptance period', () => {
    expect(nonceWindowForSkew(15 * 60 * 1000)).toBe(30 * 60 * 1000);
  });
});
