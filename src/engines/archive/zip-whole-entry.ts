/**
 * Small zip entries read whole: the local header and the data come from the range reader's cached blocks
 * (neighbouring entries share them) and are inflated in one go by an inflate thread (`inflate-threads.ts`),
 * into reused memory bounded by the declared size. A stream per entry (yauzl's read stream, an inflate
 * stream, their pipes) costs more main-thread work than inflating a few dozen KiB; for archives of many
 * small files that plumbing, not zlib, was most of the CPU. Sizes and CRC are checked by the caller, as for
 * streams.
 */
import type yauzl from 'yauzl';
import { inflateThreads } from './inflate-threads.ts';
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

/** A whole entry's bytes, with their CRC-32 when already computed; `release` once they are written. */
export interface WholeEntry {
  data: Buffer;
  crc?: number;
  release?: () => void;
}

/**
 * The entry's expanded bytes. Inflating stops one byte past the declared size, so an entry that lies
 * about its size yields a buffer the caller's size check refuses, never an unbounded one.
 */
export async function readWholeEntry(reader: RangeReader, entry: yauzl.Entry): Promise<WholeEntry> {
  const start = await entryDataStart(reader, entry);
  const data = await reader.bytes(start, start + entry.compressedSize);
  if (entry.compressionMethod === 0) return { data };
  return inflateThreads().inflate(data, entry.uncompressedSize + 1);
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
