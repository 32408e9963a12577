import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateThreads } from '../../../src/engines/archive/inflate-threads.ts';

describe('inflate threads', () => {
  it('inflates into reused memory with the CRC-32, entry after entry', async () => {
    for (const size of [0, 1, 5000, 300 * 1024, 1024 * 1024]) {
      const plain = Buffer.concat([randomBytes(size >> 1), Buffer.alloc(size - (size >> 1), 'a')]);
      const out = await inflateThreads().inflate(deflateRawSync(plain), size + 1);
      expect(out.data.equals(plain)).toBe(true);
      expect(out.crc >>> 0).toBe(crc32(plain) >>> 0);
      out.release();
    }
  });

  it('stops one byte past the allowed size', async () => {
    const out = await inflateThreads().inflate(deflateRawSync(Buffer.alloc(10_000, 'x')), 4001);
    expect(out.data.length).toBe(4001);
    out.release();
  });

  it('fails on damaged or truncated data, and goes on working after', async () => {
    const packed = deflateRawSync(randomBytes(50_000));
    await expect(inflateThreads().inflate(packed.subarray(0, 1000), 50_001)).rejects.toThrow();
    await expect(inflateThreads().inflate(Buffer.from([0xff, 0xff, 0xff, 0xff]), 100)).rejects.toThrow();
    const plain = Buffer.from('after a failure');
    const out = await inflateThreads().inflate(deflateRawSync(plain), plain.length + 1);
    expect(out.data.toString()).toBe('after a failure');
    out.release();
  });

  it('keeps many requests in flight apart', async () => {
    const plains = Array.from({ length: 40 }, (_, i) =>
      Buffer.alloc(1000 + i * 997, String.fromCharCode(65 + (i % 26))),
    );
    const outs = await Promise.all(
      plains.map((p) => inflateThreads().inflate(deflateRawSync(p), p.length + 1)),
    );
    for (const [i, o] of outs.entries()) {
      expect(o.data.equals(plains[i]!)).toBe(true);
      o.release();
    }
  });

  it('reports the progress of a file extraction while the thread is writing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-inflate-'));
    try {
      const size = 128 * 1024 * 1024;
      const packed = deflateRawSync(Buffer.alloc(size));
      const source = path.join(dir, 'packed.bin');
      const dest = path.join(dir, 'out.bin');
      await writeFile(source, packed);
      await writeFile(dest, '');
      const calls: number[] = [];
      const req = { source, start: 0, length: packed.length, deflated: true, dest, maxOutput: size + 1 };
      const out = await inflateThreads().extractFile(req, undefined, (n) => calls.push(n), 1);
      expect(out.size).toBe(size);
      expect(calls.reduce((a, b) => a + b, 0)).toBe(size);
      // reports came before the last one: while the thread was still writing
      expect(calls.length).toBeGreaterThan(1);
      expect((await stat(dest)).size).toBe(size);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
