import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../../src/engines/archive/entry.ts';
import { createEntryVerifier } from '../../../src/engines/archive/entry-verifier.ts';
import { ExpansionGuard } from '../../../src/engines/archive/limits.ts';

const limits = { maxEntries: 5, maxTotalBytes: 1000, maxRatio: 10, ratioGraceBytes: 100 };
const entry = (data: Buffer, over: Partial<ArchiveEntry> = {}): ArchiveEntry => ({
  index: 0,
  name: 'e.bin',
  kind: 'file',
  size: data.length,
  compressedSize: 1,
  mtime: null,
  encrypted: false,
  crc32: crc32(data),
  ...over,
});
const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

describe('ExpansionGuard', () => {
  it('refuses counts, declared totals and ratios past the limits', () => {
    const guard = new ExpansionGuard(limits, 500);
    expect(() => guard.checkCount(6)).toThrow(/6 entries/);
    expect(() => guard.checkDeclared([entry(Buffer.alloc(600)), entry(Buffer.alloc(600))])).toThrow(
      /limit of expanded data/,
    );
    const small = new ExpansionGuard(limits, 20);
    expect(() => small.checkDeclared([entry(Buffer.alloc(300))])).toThrow(/10 times its own size/);
    // under the grace amount the ratio is not applied
    expect(() => small.checkDeclared([entry(Buffer.alloc(90))])).not.toThrow();
  });

  it('counts bytes as they stream, whatever the headers said', async () => {
    const guard = new ExpansionGuard(limits, 1000);
    const data = Buffer.alloc(800, 1);
    await pipeline(Readable.from([data]), createEntryVerifier(entry(data), guard), sink());
    expect(guard.expandedBytes).toBe(800);
    const more = Buffer.alloc(300, 2);
    await expect(
      pipeline(Readable.from([more]), createEntryVerifier(entry(more), guard), sink()),
    ).rejects.toThrow(/limit of expanded data/);
  });
});

describe('entry verifier', () => {
  const guard = () => new ExpansionGuard({ ...limits, maxTotalBytes: 1e9 }, 1e9);
  it('passes data whose size and CRC match', async () => {
    const data = Buffer.from('hello world');
    const seen: number[] = [];
    await pipeline(
      Readable.from([data]),
      createEntryVerifier(entry(data), guard(), (n) => seen.push(n)),
      sink(),
    );
    expect(seen).toEqual([11]);
  });
  it('errors on a CRC mismatch, and on data longer or shorter than declared', async () => {
    const data = Buffer.from('hello world');
    await expect(
      pipeline(Readable.from([data]), createEntryVerifier(entry(data, { crc32: 1234 }), guard()), sink()),
    ).rejects.toThrow(/CRC-32/);
    await expect(
      pipeline(Readable.from([data]), createEntryVerifier(entry(data, { size: 5 }), guard()), sink()),
    ).rejects.toThrow(/more data/);
    await expect(
      pipeline(Readable.from([data]), createEntryVerifier(entry(data, { size: 50 }), guard()), sink()),
    ).rejects.toThrow(/shorter/);
  });
  it('does not check a zero CRC of non-empty data (WinZip AES entries store 0)', async () => {
    const data = Buffer.from('encrypted entry');
    await pipeline(Readable.from([data]), createEntryVerifier(entry(data, { crc32: 0 }), guard()), sink());
  });
});
