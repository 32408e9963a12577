import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createZipStream,
  ZipSizeMismatchError,
  type ZipStreamEntry,
} from '../../../src/engines/archive/zip-stream.ts';
import { python, run, tempDir } from './archive-tools.ts';

let work: string;
beforeAll(async () => {
  work = await tempDir();
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const textLike = (n: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 97 + ((i * 31 + (i >> 9)) % 26);
  return b;
};
const entry = (p: string, data: Buffer, level = 6, chunks = 3): ZipStreamEntry => ({
  path: p,
  size: data.length,
  mtime: new Date('2024-05-06T07:08:10Z'),
  level,
  open: async () => {
    const step = Math.ceil(data.length / chunks) || 1;
    const parts: Buffer[] = [];
    for (let i = 0; i < data.length; i += step) parts.push(data.subarray(i, i + step));
    return Readable.from(parts);
  },
});

async function write(name: string, entries: ZipStreamEntry[], opts = {}) {
  const file = path.join(work, name);
  await pipeline(createZipStream(entries, opts), createWriteStream(file));
  return file;
}

describe('parallel zip stream', () => {
  it('writes one valid deflate stream from chunks deflated apart, readable by unzip, python and 7-Zip', async () => {
    const big = textLike(3 * 1024 * 1024 + 123);
    const file = await write(
      'chunks.zip',
      [
        { path: 'folder/', size: 0, mtime: new Date(), level: 6 },
        entry('folder/big.txt', big, 6, 7),
        entry('small.txt', Buffer.from('tiny')),
        entry('empty.bin', Buffer.alloc(0)),
        entry('名前.txt', Buffer.from('utf-8 name')),
      ],
      { chunkBytes: 256 * 1024 },
    );
    await run('unzip', ['-tq', file]);
    await run('7zz', ['t', file]);
    const out = await python(
      `import zipfile,sys,json,zlib
z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
print(json.dumps([[i.filename,i.file_size,i.compress_size,i.compress_type,i.flag_bits,list(i.date_time)] for i in z.infolist()]))`,
      [file],
    );
    const rows = JSON.parse(out) as Array<[string, number, number, number, number, number[]]>;
    expect(rows.map((r) => r[0])).toEqual([
      'folder/',
      'folder/big.txt',
      'small.txt',
      'empty.bin',
      '名前.txt',
    ]);
    const bigRow = rows[1]!;
    expect(bigRow[1]).toBe(big.length);
    expect(bigRow[2]).toBeLessThan(big.length / 10);
    expect(bigRow[5]).toEqual([2024, 5, 6, 7, 8, 10]);
    for (const r of rows) expect(r[4] & 0x800).toBe(0x800);
    // a small entry that deflate would not shrink is stored
    expect(rows[2]![3]).toBe(0);
  });

  it('keeps every byte and offset when large pieces go out uncopied between coalesced small ones', async () => {
    const random = (n: number) =>
      Buffer.from(Array.from({ length: n }, (_, i) => (i * 7919 + (i >> 3) * 104729) % 251));
    const entries: Array<[string, Buffer, number]> = [
      ['a.txt', textLike(1000), 6],
      ['b.txt', textLike(40_000), 6],
      // one chunk, larger than the coalescing size: compressed and stored
      ['single.txt', textLike(900 * 1024), 6],
      ['single.bin', random(700 * 1024), 6],
      ['c.txt', textLike(3000), 6],
      // several chunks, stored and deflated
      ['stored.jpg', random(2 * 1024 * 1024 + 77), 0],
      ['d.txt', Buffer.from('d'), 6],
      ['big.txt', textLike(2 * 1024 * 1024 + 5), 6],
      ['e.txt', textLike(10), 6],
    ];
    const file = await write(
      'mixed.zip',
      entries.map(([p, data, level]) => entry(p, data, level, 2)),
      { chunkBytes: 1024 * 1024 },
    );
    await run('unzip', ['-tq', file]);
    const out = await python(
      `import zipfile,sys,json,hashlib
z=zipfile.ZipFile(sys.argv[1])
print(json.dumps([[i.filename,hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))`,
      [file],
    );
    const { createHash } = await import('node:crypto');
    expect(JSON.parse(out)).toEqual(
      entries.map(([p, data]) => [p, createHash('sha256').update(data).digest('hex')]),
    );
  });

  it('uses Zip64 records for large entries and for more than 65,535 entries', async () => {
    const data = textLike(300_000);
    const file = await write('zip64-entry.zip', [entry('large.txt', data, 1)], {
      zip64Above: 1000,
      chunkBytes: 64 * 1024,
    });
    await run('unzip', ['-tq', file]);
    const many: ZipStreamEntry[] = Array.from({ length: 65_600 }, (_, i) =>
      entry(`d${i % 10}/f${i}`, Buffer.from(String(i)), 0, 1),
    );
    const manyFile = await write('many.zip', many);
    const count = await python(
      'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(len(z.infolist()), z.read("d9/f65599"))',
      [manyFile],
    );
    expect(count.trim()).toBe("65600 b'65599'");
    const listing = await run('zipinfo', ['-h', manyFile]);
    expect(listing).toContain('65600');
  });

  it('fails when a source is shorter or longer than announced, and on a failing source', async () => {
    const short = { ...entry('a.txt', Buffer.from('abc')), size: 10 };
    await expect(write('short.zip', [short])).rejects.toBeInstanceOf(ZipSizeMismatchError);
    const long = { ...entry('b.txt', textLike(3 * 1024 * 1024)), size: 2 * 1024 * 1024 };
    await expect(write('long.zip', [long])).rejects.toBeInstanceOf(ZipSizeMismatchError);
    const broken: ZipStreamEntry = {
      path: 'c',
      size: 5,
      mtime: new Date(),
      level: 6,
      open: async () => {
        throw new Error('gone');
      },
    };
    await expect(write('broken.zip', [entry('ok', Buffer.from('ok')), broken])).rejects.toThrow('gone');
  });
});
