/**
 * The byte layouts of a zip written by streaming (APPNOTE 6.3.x): local headers announce a data descriptor
 * (bit 3) because the CRC and compressed size are known only after the data; names are UTF-8 (bit 11);
 * Zip64 fields appear only where a size, an offset or the entry count needs them; the Info-ZIP "UT"
 * field carries the exact UTC modification time beside the DOS one.
 */

const ZIP64_LIMIT = 0xffffffff;
const FLAG_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11;
const VERSION_ZIP64 = 45;
const VERSION_DEFAULT = 20;
/** Unix, spec version 4.5. */
const VERSION_MADE_BY = (3 << 8) | VERSION_ZIP64;

export interface CentralRecord {
  name: Buffer;
  method: 0 | 8;
  mtime: Date;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  isDir: boolean;
  /** The local header announced Zip64 (its descriptor has 8-byte sizes). */
  zip64Local: boolean;
  /** CRC and sizes follow the data (bit 3) instead of being in the local header. */
  descriptor: boolean;
}

function dosDateTime(d: Date): { date: number; time: number } {
  const year = d.getUTCFullYear();
  if (year < 1980) return { date: (1 << 5) | 1, time: 0 };
  if (year > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

function unixTimeField(d: Date): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt16LE(0x5455, 0);
  b.writeUInt16LE(5, 2);
  b.writeUInt8(1, 4); // modification time present
  const secs = Math.max(-0x80000000, Math.min(0x7fffffff, Math.floor(d.getTime() / 1000)));
  b.writeInt32LE(secs, 5);
  return b;
}

export function localHeader(r: Omit<CentralRecord, 'offset'>): Buffer {
  const zip64 = r.zip64Local ? Buffer.alloc(20) : Buffer.alloc(0);
  if (r.zip64Local) {
    zip64.writeUInt16LE(0x0001, 0);
    zip64.writeUInt16LE(16, 2); // sizes follow in the data descriptor; zero here
  }
  const extra = Buffer.concat([zip64, unixTimeField(r.mtime)]);
  const h = Buffer.alloc(30);
  const { date, time } = dosDateTime(r.mtime);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(r.zip64Local ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  h.writeUInt16LE(FLAG_UTF8 | (r.descriptor ? FLAG_DESCRIPTOR : 0), 6);
  h.writeUInt16LE(r.method, 8);
  h.writeUInt16LE(time, 10);
  h.writeUInt16LE(date, 12);
  if (!r.descriptor) {
    h.writeUInt32LE(r.crc >>> 0, 14);
    h.writeUInt32LE(r.compressedSize, 18);
    h.writeUInt32LE(r.size, 22);
  } else if (r.zip64Local) {
    // sizes come in the descriptor; 0xffffffff points at the Zip64 extra field
    h.writeUInt32LE(ZIP64_LIMIT, 18);
    h.writeUInt32LE(ZIP64_LIMIT, 22);
  }
  h.writeUInt16LE(r.name.length, 26);
  h.writeUInt16LE(extra.length, 28);
  return Buffer.concat([h, r.name, extra]);
}

export function dataDescriptor(r: CentralRecord): Buffer {
  if (r.zip64Local) {
    const b = Buffer.alloc(24);
    b.writeUInt32LE(0x08074b50, 0);
    b.writeUInt32LE(r.crc >>> 0, 4);
    b.writeBigUInt64LE(BigInt(r.compressedSize), 8);
    b.writeBigUInt64LE(BigInt(r.size), 16);
    return b;
  }
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(r.crc >>> 0, 4);
  b.writeUInt32LE(r.compressedSize, 8);
  b.writeUInt32LE(r.size, 12);
  return b;
}

export function centralHeader(r: CentralRecord): Buffer {
  const big = [r.size, r.compressedSize, r.offset].map((v) => v >= ZIP64_LIMIT);
  const z64Values = [r.size, r.compressedSize, r.offset].filter((_, i) => big[i]);
  let zip64 = Buffer.alloc(0);
  if (z64Values.length > 0) {
    zip64 = Buffer.alloc(4 + 8 * z64Values.length);
    zip64.writeUInt16LE(0x0001, 0);
    zip64.writeUInt16LE(8 * z64Values.length, 2);
    for (const [i, v] of z64Values.entries()) zip64.writeBigUInt64LE(BigInt(v), 4 + 8 * i);
  }
  const extra = Buffer.concat([zip64, unixTimeField(r.mtime)]);
  const needs64 = z64Values.length > 0 || r.zip64Local;
  const h = Buffer.alloc(46);
  const { date, time } = dosDateTime(r.mtime);
  const mode = r.isDir ? 0o40755 : 0o100644;
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(VERSION_MADE_BY, 4);
  h.writeUInt16LE(needs64 ? VERSION_ZIP64 : VERSION_DEFAULT, 6);
  h.writeUInt16LE(FLAG_UTF8 | (r.descriptor ? FLAG_DESCRIPTOR : 0), 8);
  h.writeUInt16LE(r.method, 10);
  h.writeUInt16LE(time, 12);
  h.writeUInt16LE(date, 14);
  h.writeUInt32LE(r.crc >>> 0, 16);
  h.writeUInt32LE(big[1] ? ZIP64_LIMIT : r.compressedSize, 20);
  h.writeUInt32LE(big[0] ? ZIP64_LIMIT : r.size, 24);
  h.writeUInt16LE(r.name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  // comment length, disk number, internal attributes: 0
  h.writeUInt32LE(((mode << 16) | (r.isDir ? 0x10 : 0)) >>> 0, 38);
  h.writeUInt32LE(big[2] ? ZIP64_LIMIT : r.offset, 42);
  return Buffer.concat([h, r.name, extra]);
}

/** End records: Zip64 end record and locator when the counts or offsets need them, then the classic one. */
export function endRecords(entries: number, cdOffset: number, cdSize: number): Buffer {
  const needs64 = entries >= 0xffff || cdOffset >= ZIP64_LIMIT || cdSize >= ZIP64_LIMIT;
  const parts: Buffer[] = [];
  if (needs64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(VERSION_MADE_BY, 12);
    rec.writeUInt16LE(VERSION_ZIP64, 14);
    rec.writeBigUInt64LE(BigInt(entries), 24);
    rec.writeBigUInt64LE(BigInt(entries), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(rec, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Math.min(entries, 0xffff), 8);
  eocd.writeUInt16LE(Math.min(entries, 0xffff), 10);
  eocd.writeUInt32LE(Math.min(cdSize, ZIP64_LIMIT), 12);
  eocd.writeUInt32LE(Math.min(cdOffset, ZIP64_LIMIT), 16);
  parts.push(eocd);
  return Buffer.concat(parts);
}
