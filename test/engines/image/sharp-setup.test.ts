/** sharp loaded on first use: settings given before it loads still apply, and the start-up report. */
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { configureSharp, detectSharpInChild, loadSharp } from '../../../src/engines/image/sharp-setup.ts';

describe('sharp setup', () => {
  const before = sharp.concurrency();
  afterAll(() => {
    sharp.concurrency(before);
  });

  it('applies the configured settings to the sharp it loads, and later settings at once', async () => {
    configureSharp({ threads: 3, cacheMemoryMb: 0 });
    const loaded = await loadSharp();
    expect(loaded).toBe(sharp);
    expect(sharp.concurrency()).toBe(3);
    expect(sharp.cache()).toMatchObject({ memory: { max: 0 } });
    configureSharp({ threads: 2, cacheMemoryMb: 64 });
    await loadSharp();
    await new Promise((r) => setImmediate(r));
    expect(sharp.concurrency()).toBe(2);
    expect(sharp.cache()).toMatchObject({ memory: { max: 64 } });
  });

  it('reports sharp, its libvips and the formats it reads from a child process', async () => {
    const status = await detectSharpInChild();
    expect(status).toMatchObject({ name: 'sharp', available: true });
    expect(status.version).toBe(`${sharp.versions.sharp} (libvips ${sharp.versions.vips})`);
    expect(status.formats).toEqual(expect.arrayContaining(['jpeg', 'png', 'webp']));
  });
});
