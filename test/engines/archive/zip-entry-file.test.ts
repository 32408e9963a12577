/**
 * Large entries of a zip that is a local file are extracted file to file by an inflate thread
 * (`inflate-file.ts`): their bytes and CRC-32 are exact, damage fails the entry naming it, output past the
 * declared size stops one byte later, and an abort stops the thread's work.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchiveEntry, type EntryData, EntryFile } from '../../../src/engines/archive/entry.ts';
import { ArchiveError } from '../../../src/engines/archive/errors.ts';
import { openZip } from '../../../src/engines/archive/zip-reader.ts';
import { createZipStream } from '../../../src/engines/archive/zip-stream.ts';
import { largeEntryContents, MIB, makeLargeEntryZip, zipEntry } from './large-entry-zip.ts';

const contents = largeEntryContents;

let dir: string;
let zip: Buffer;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-entry-file-'));
  zip = await makeLargeEntryZip();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let fileNo = 0;

/** 256 MiB of zeros: long enough to extract (a second or so) that progress and aborts land mid-entry. */
const ZEROS = 256 * MIB;
let zeros: Promise<Buffer> | undefined;
const zerosZip = () => {
  zeros ??= buffer(createZipStream([zipEntry('zeros.bin', Buffer.alloc(ZEROS), 1)]));
  return zeros;
};
/** `bytes` as a local archive file, opened with its path. */
async function openLocal(bytes: Buffer) {
  const file = path.join(dir, `archive-${++fileNo}.zip`);
  await writeFile(file, bytes);
  return openZip(
    {
      size: bytes.length,
      read: async (start, end) => Readable.from([bytes.subarray(start, end + 1)]),
      localPath: file,
    },
    100,
  );
}

/** Each entry's data as the reader hands it over, extracted to a fresh file when it is an EntryFile. */
async function extract(bytes: Buffer, signal?: AbortSignal) {
  const archive = await openLocal(bytes);
  const got = new Map<
    string,
    { data: EntryData; result?: Promise<{ size: number; crc: number }>; dest?: string }
  >();
  await archive.extract({
    entries: archive.entries,
    concurrency: 4,
    signal: new AbortController().signal,
    sink: async (e: ArchiveEntry, data) => {
      if (!(data instanceof EntryFile)) {
        got.set(e.name, { data: Buffer.isBuffer(data) ? Buffer.from(data) : await buffer(data) });
        return;
      }
      const dest = path.join(dir, `out-${++fileNo}`);
      await writeFile(dest, '');
      const result = data.extractTo(dest, signal);
      result.catch(() => {});
      got.set(e.name, { data, result, dest });
      await result.catch(() => {});
    },
  });
  archive.close();
  return { archive, got };
}

/** The central directory record of `name` in `bytes` (its offset). */
function centralRecord(bytes: Buffer, name: string): number {
  for (let at = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at > 0; ) {
    const nameLength = bytes.readUInt16LE(at + 28);
    if (bytes.toString('utf8', at + 46, at + 46 + nameLength) === name) return at;
    at = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at - 1);
  }
  throw new Error(`no central record for ${name}`);
}

/** Where `name`'s stored data starts (past its local header). */
function dataStart(bytes: Buffer, name: string): number {
  const local = bytes.readUInt32LE(centralRecord(bytes, name) + 42);
  return local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
}

describe('zip: large entries of a local archive extracted file to file', () => {
  it('writes deflated and stored large entries exactly, with their CRC-32; small ones stay in memory', async () => {
    const { archive, got } = await extract(zip);
    for (const [name, data] of contents) {
      const item = got.get(name)!;
      if (name === 'small.txt') {
        expect(item.data).toBeInstanceOf(Buffer);
        expect((item.data as Buffer).equals(data)).toBe(true);
        continue;
      }
      expect(item.data, name).toBeInstanceOf(EntryFile);
      const { size, crc } = await item.result!;
      expect(size).toBe(data.length);
      expect(crc).toBe(archive.entries.find((e) => e.name === name)!.crc32);
      expect(crc).toBe(crc32(data));
      expect((await readFile(item.dest!)).equals(data), name).toBe(true);
      // the same bytes as a stream, for storage without local files
      expect((await buffer(await (item.data as EntryFile).open())).equals(data), name).toBe(true);
    }
  });

  it('fails a damaged deflate stream as a damaged entry, naming it', async () => {
    const bad = Buffer.from(zip);
    // the first block header: final, of the reserved block type 3
    bad[dataStart(bad, 'big.txt')] = 0x07;
    const { got } = await extract(bad);
    const failure = await got.get('big.txt')!.result!.catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ArchiveError);
    expect(String((failure as Error).message)).toMatch(/big\.txt/);
    expect(String((failure as Error).message)).toMatch(/invalid block type/);
  });

  it('stops one byte past the declared size of an entry that holds more', async () => {
    const lying = Buffer.from(zip);
    const declared = 2 * MIB;
    lying.writeUInt32LE(declared, centralRecord(lying, 'big.txt') + 24);
    const { got } = await extract(lying);
    const item = got.get('big.txt')!;
    expect((await item.result!).size).toBe(declared + 1);
    expect((await stat(item.dest!)).size).toBe(declared + 1);
  });

  it('reports every byte it wrote to the progress callback', async () => {
    const archive = await openLocal(await zerosZip());
    const calls: number[] = [];
    await archive.extract({
      entries: archive.entries,
      concurrency: 1,
      signal: new AbortController().signal,
      sink: async (_e, data) => {
        const dest = path.join(dir, `out-${++fileNo}`);
        await writeFile(dest, '');
        await (data as EntryFile).extractTo(dest, undefined, (n) => calls.push(n));
      },
    });
    archive.close();
    expect(calls.reduce((a, b) => a + b, 0)).toBe(ZEROS);
  });

  it('stops when aborted, rejecting with the reason', async () => {
    const zeros = Buffer.alloc(ZEROS);
    const big = await zerosZip();
    const controller = new AbortController();
    const reason = new Error('task cancelled');
    setTimeout(() => controller.abort(reason), 20);
    const { got } = await extract(big, controller.signal);
    const item = got.get('zeros.bin')!;
    await expect(item.result!).rejects.toBe(reason);
    expect((await stat(item.dest!)).size).toBeLessThan(zeros.length);
  });
});
