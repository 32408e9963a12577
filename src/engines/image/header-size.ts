/**
 * Image size from the headers of the formats sharp's bundled libvips cannot read (BMP, JPEG 2000),
 * so their pixel count is checked before the second path spends any time decoding them.
 */
import { ImageError } from './errors.ts';
import type { ImageFormat } from './sniff.ts';

export interface HeaderSize {
  width: number;
  height: number;
}

export function readHeaderSize(format: ImageFormat, buf: Buffer, label: string): HeaderSize {
  const size =
    format === 'bmp'
      ? bmpSize(buf)
      : format === 'jp2'
        ? jp2Size(buf)
        : format === 'j2k'
          ? j2kSize(buf, 0)
          : null;
  if (!size || size.width <= 0 || size.height <= 0) {
    throw new ImageError('corrupt', `The image ${label} has an unreadable header.`);
  }
  return size;
}

function bmpSize(buf: Buffer): HeaderSize | null {
  if (buf.length < 26) return null;
  const dibSize = buf.readUInt32LE(14);
  // OS/2 BITMAPCOREHEADER stores 16-bit sizes; every later header stores signed 32-bit ones
  // (a negative height means top-down rows).
  if (dibSize === 12) return { width: buf.readUInt16LE(18), height: buf.readUInt16LE(20) };
  if (dibSize < 40 || buf.length < 26) return null;
  return { width: Math.abs(buf.readInt32LE(18)), height: Math.abs(buf.readInt32LE(22)) };
}

/** JP2 boxes: the `jp2h` super-box holds `ihdr` (height, width); or a raw codestream box `jp2c`. */
function jp2Size(buf: Buffer): HeaderSize | null {
  let pos = 0;
  while (pos + 8 <= buf.length) {
    let length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    let header = 8;
    if (length === 1) {
      if (pos + 16 > buf.length) return null;
      length = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (length === 0) length = buf.length - pos;
    if (length < header) return null;
    if (type === 'jp2h') {
      pos += header; // descend into the super-box
      continue;
    }
    if (type === 'ihdr') {
      if (pos + 16 > buf.length) return null;
      return { height: buf.readUInt32BE(pos + 8), width: buf.readUInt32BE(pos + 12) };
    }
    if (type === 'jp2c') return j2kSize(buf, pos + header);
    pos += length;
  }
  return null;
}

/** The codestream's SIZ segment: image extent minus its offset on the reference grid. */
function j2kSize(buf: Buffer, at: number): HeaderSize | null {
  if (at + 24 > buf.length || buf[at] !== 0xff || buf[at + 1] !== 0x4f || buf[at + 3] !== 0x51) return null;
  const xsiz = buf.readUInt32BE(at + 8);
  const ysiz = buf.readUInt32BE(at + 12);
  const xo = buf.readUInt32BE(at + 16);
  const yo = buf.readUInt32BE(at + 20);
  if (xsiz <= xo || ysiz <= yo) return null;
  return { width: xsiz - xo, height: ysiz - yo };
}
