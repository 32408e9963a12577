/**
 * Small zip entries read whole: the local header and the data come from the range reader's cached blocks
 * (neighbouring entries share them) and are inflated in one zlib call on the thread pool, into a buffer
 * bounded by the declared size. A stream per entry (yauzl's read stream, an inflate stream, their pipes)
 * costs more main-thread work than inflating a few dozen KiB; for archives of many small files that
 * plumbing, not zlib, was most of the CPU. Sizes and CRC are checked by the caller, as for streams.
 */
import { inflateRaw } from 'node:zlib';
import type yauzl from 'yauzl';
import type { RangeReader } from './range-reader.ts';

/** Entries up to this size (expanded and stored) are read whole; larger ones are streamed. */
export const WHOLE_ENTRY_BYTES = 1024 * 1024;

const LOCAL_HEADER_SIGNATURE = 0x04034b50;

/** Whether the entry is read whole (store or deflate, not encrypted, small). */
export function readsWhole(entry: yauzl.Entry): boolean {
  return (
    (entry.compressionMethod === 0 || entry.compressionMethod === 8) &&
    !entry.isEncrypted() &&
    entry.uncompressedSize <= WHOLE_ENTRY_BYTES &&
    entry.compressedSize <= WHOLE_ENTRY_BYTES
  );
}

/**
 * The entry's expanded bytes. Inflating stops one byte past the declared size, so an entry that lies
 * about its size yields a buffer the caller's size check refuses, never an unbounded one.
 */
export async function readWholeEntry(reader: RangeReader, entry: yauzl.Entry): Promise<Buffer> {
  const start = await entryDataStart(reader, entry);
  const data = await reader.bytes(start, start + entry.compressedSize);
  if (entry.compressionMethod === 0) return data;
  return inflateBounded(data, entry.uncompressedSize + 1);
}

/**
 * Where the entry's stored data starts: past its local header, whose name and extra field lengths may
 * differ from the central directory's. Checked to lie inside the archive.
 */
export async function entryDataStart(reader: RangeReader, entry: yauzl.Entry): Promise<number> {
  const offset = entry.relativeOffsetOfLocalHeader;
  const header = await reader.bytes(offset, offset + 30);
  if (header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) {
    throw new Error(`invalid local file header signature: 0x${header.readUInt32LE(0).toString(16)}`);
  }
  const start = offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > reader.size) {
    throw new Error(`file data overflows file bounds: ${start} + ${entry.compressedSize} > ${reader.size}`);
  }
  return start;
}

function inflateBounded(data: Buffer, maxOutputLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // One output chunk of the whole entry: one inflate call on the pool, one callback.
    inflateRaw(data, { chunkSize: Math.max(maxOutputLength, 64), maxOutputLength }, (err, out) => {
      if (!err) resolve(out);
      else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        reject(new Error('the entry holds more data than its header declares.'));
      } else reject(err);
    });
  });
}
