/**
 * The checks every extracted byte passes through, whatever the engine: counted against the expansion
 * limits as it flows, and at the end compared with the declared size and CRC-32. A mismatch errors the
 * stream, which aborts the atomic object write: a damaged entry never becomes a visible object.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { ArchiveEntry } from './entry.ts';
import { ArchiveErrors } from './errors.ts';
import type { ExpansionGuard } from './limits.ts';

// WinZip AES (AE-2) entries store 0 instead of the CRC: a zero CRC of non-empty data proves nothing.
const checksCrc = (entry: ArchiveEntry) =>
  entry.crc32 !== undefined && !(entry.crc32 === 0 && entry.size > 0);

/**
 * The same checks on an entry read whole: its bytes are counted, then compared with the header (`crc`: their
 * CRC-32 when the engine computed it while inflating them).
 */
export function verifyEntryBytes(
  entry: ArchiveEntry,
  data: Buffer,
  guard: ExpansionGuard,
  onBytes?: (n: number) => void,
  crc?: number,
): void {
  verifyEntryOutput(entry, data.length, () => crc ?? crc32(data), guard, onBytes);
}

/**
 * The same checks on what an engine reports of an entry it wrote elsewhere (`EntryFile`): `size` bytes
 * (at most one more than declared: it stops there) with the CRC-32 `crc()`.
 */
export function verifyEntryOutput(
  entry: ArchiveEntry,
  size: number,
  crc: () => number,
  guard: ExpansionGuard,
  onBytes?: (n: number) => void,
): void {
  if (size > entry.size) {
    throw ArchiveErrors.corrupt('the entry holds more data than its header declares.', entry.name);
  }
  guard.add(size);
  if (size !== entry.size) {
    throw ArchiveErrors.corrupt('the entry is shorter than its header declares.', entry.name);
  }
  if (checksCrc(entry) && crc() >>> 0 !== entry.crc32! >>> 0) {
    throw ArchiveErrors.corrupt('the CRC-32 of the entry does not match.', entry.name);
  }
  onBytes?.(size);
}

export function createEntryVerifier(
  entry: ArchiveEntry,
  guard: ExpansionGuard,
  onBytes?: (n: number) => void,
): Transform {
  let count = 0;
  let crc = 0;
  const checkCrc = checksCrc(entry);
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      count += chunk.length;
      if (count > entry.size) {
        cb(ArchiveErrors.corrupt('the entry holds more data than its header declares.', entry.name));
        return;
      }
      try {
        guard.add(chunk.length);
      } catch (err) {
        cb(err as Error);
        return;
      }
      if (checkCrc) crc = crc32(chunk, crc);
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      if (count !== entry.size) {
        cb(ArchiveErrors.corrupt('the entry is shorter than its header declares.', entry.name));
        return;
      }
      if (checkCrc && crc >>> 0 !== entry.crc32! >>> 0) {
        cb(ArchiveErrors.corrupt('the CRC-32 of the entry does not match.', entry.name));
        return;
      }
      cb();
    },
  });
}
