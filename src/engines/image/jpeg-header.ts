/**
 * Walks a JPEG's marker segments without decoding any pixel: size, components, coding process,
 * the Adobe colour transform, EXIF orientation and the ICC profile. It also checks that the entropy-
 * coded data ends with EOI, so a truncated file is refused instead of being embedded half-drawn.
 */
import { ImageError } from './errors.ts';
import { readExifOrientation } from './exif-orientation.ts';

export interface JpegHeader {
  width: number;
  height: number;
  /** 1 (grey), 3 (YCbCr/RGB) or 4 (CMYK/YCCK). */
  components: number;
  /** Sample precision: 8, or 12 for extended JPEGs. */
  precision: number;
  /** The SOF marker: 0xc0 baseline, 0xc1 extended, 0xc2 progressive, others lossless or arithmetic. */
  sof: number;
  /** An Adobe APP14 segment was present (CMYK data is then stored inverted). */
  adobe: boolean;
  /** EXIF orientation 1–8 (1 when absent). */
  orientation: number;
  /** The embedded ICC profile, reassembled from its APP2 chunks, when complete. */
  icc?: Buffer;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** True when the bytes can go into a PDF as a DCTDecode stream unchanged (8-bit Huffman, not lossless). */
export function isPdfEmbeddable(h: JpegHeader): boolean {
  return h.precision === 8 && (h.sof === 0xc0 || h.sof === 0xc1 || h.sof === 0xc2) && h.components !== 2;
}

export function parseJpegHeader(buf: Buffer, label: string): JpegHeader {
  const corrupt = (why: string) => new ImageError('corrupt', `The JPEG image ${label} is damaged: ${why}.`);
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== SOI) throw corrupt('no start-of-image marker');
  let pos = 2;
  let frame: Pick<JpegHeader, 'width' | 'height' | 'components' | 'precision' | 'sof'> | null = null;
  let adobe = false;
  let orientation = 1;
  const iccChunks: Buffer[] = [];
  let iccCount = 0;
  while (pos < buf.length) {
    if (buf[pos] !== 0xff) throw corrupt('a marker is missing');
    while (buf[pos] === 0xff) pos++; // fill bytes
    const marker = buf[pos++];
    if (marker === undefined) break;
    if (marker === EOI) throw corrupt('the image ends before its data');
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // standalone markers
    if (pos + 2 > buf.length) break;
    const length = buf.readUInt16BE(pos);
    const end = pos + length;
    if (length < 2 || end > buf.length) throw corrupt('a header segment is cut short');
    const body = buf.subarray(pos + 2, end);
    if (marker === SOS) {
      if (!frame) throw corrupt('the scan comes before the frame header');
      if (!hasEndMarker(buf, end)) throw corrupt('the file is truncated (no end-of-image marker)');
      const icc =
        iccCount > 0 && iccChunks.filter(Boolean).length === iccCount ? Buffer.concat(iccChunks) : undefined;
      return { ...frame, adobe, orientation, icc };
    }
    if (isSof(marker)) frame = readFrame(marker, body, corrupt);
    else if (marker === 0xee && body.toString('latin1', 0, 5) === 'Adobe') adobe = true;
    else if (marker === 0xe1 && body.toString('latin1', 0, 6) === 'Exif\0\0') {
      orientation = readExifOrientation(body.subarray(6));
    } else if (marker === 0xe2 && body.toString('latin1', 0, 12) === 'ICC_PROFILE\0' && body.length > 14) {
      // Chunks carry a 1-based sequence number and the total; keep them in order.
      iccChunks[body[12]! - 1] = body.subarray(14);
      iccCount = body[13]!;
    }
    pos = end;
  }
  throw corrupt('the file is truncated (no image data)');
}

function readFrame(
  sof: number,
  body: Buffer,
  corrupt: (why: string) => ImageError,
): Pick<JpegHeader, 'width' | 'height' | 'components' | 'precision' | 'sof'> {
  if (body.length < 6) throw corrupt('the frame header is cut short');
  const precision = body[0]!;
  const height = body.readUInt16BE(1);
  const width = body.readUInt16BE(3);
  const components = body[5]!;
  if (width === 0 || height === 0) throw corrupt('the frame header has no size');
  if (components < 1 || components > 4) throw corrupt('the frame header has an invalid component count');
  return { width, height, components, precision, sof };
}

/**
 * The entropy-coded data cannot contain 0xFF 0xD9 except as the real end marker (0xFF bytes are
 * stuffed), so its presence after the first scan header means the file was not cut off.
 */
function hasEndMarker(buf: Buffer, from: number): boolean {
  // Most files end exactly with EOI; look at the tail first, then search (trailing junk is tolerated).
  const n = buf.length;
  if (n >= 2 && buf[n - 2] === 0xff && buf[n - 1] === EOI) return true;
  const at = buf.lastIndexOf(Buffer.from([0xff, EOI]));
  return at >= from;
}
