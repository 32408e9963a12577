/** Recognises zip, 7z and RAR by their signatures (extensions lie; the bytes decide). */
import type { ArchiveFormat } from './entry.ts';

/** Bytes needed by `sniffFormat`. */
export const SNIFF_BYTES = 8;

const SEVEN_ZIP = Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]);
const RAR = Buffer.from('Rar!\x1a\x07', 'latin1');

export function sniffFormat(head: Buffer): ArchiveFormat | null {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b) {
    const sig = head.readUInt32LE(0);
    // local file header, empty archive (end of central directory), spanned-archive marker
    if (sig === 0x04034b50 || sig === 0x06054b50 || sig === 0x08074b50 || sig === 0x30304b50) return 'zip';
  }
  if (head.subarray(0, SEVEN_ZIP.length).equals(SEVEN_ZIP)) return '7z';
  if (head.subarray(0, RAR.length).equals(RAR)) return 'rar';
  return null;
}

/** Fallback for archives with a prefix (self-extracting stubs): the object name's extension. */
export function formatFromName(name: string): ArchiveFormat | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.7z')) return '7z';
  if (lower.endsWith('.rar')) return 'rar';
  return null;
}
