/**
 * Test images made on the fly with sharp, the `vips` command and a few lines of byte writing: every
 * EXIF orientation, alpha, CMYK, 16-bit, TIFF, WebP, SVG, BMP, JPEG 2000, animation, a pixel bomb.
 * Images are split in two colours (left/right or top/bottom) so orientation mistakes show in pixels.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import sharp from 'sharp';

const run = promisify(execFile);

export type Rgb = [number, number, number];
export const RED: Rgb = [255, 0, 0];
export const BLUE: Rgb = [0, 0, 255];
export const GREEN: Rgb = [0, 255, 0];

/** Raw RGB pixels: left half `left`, right half `right`. */
export function splitRaw(width: number, height: number, left: Rgb, right: Rgb): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = x < width / 2 ? left : right;
      buf.set(c, (y * width + x) * 3);
    }
  }
  return buf;
}

export function splitImage(width: number, height: number, left: Rgb = RED, right: Rgb = BLUE) {
  return sharp(splitRaw(width, height, left, right), { raw: { width, height, channels: 3 } });
}

export function jpeg(
  width: number,
  height: number,
  opts: { orientation?: number; progressive?: boolean } = {},
) {
  let img = splitImage(width, height).jpeg({ quality: 90, progressive: opts.progressive });
  if (opts.orientation) img = img.withMetadata({ orientation: opts.orientation });
  return img.toBuffer();
}

export function cmykJpeg(width: number, height: number) {
  return splitImage(width, height).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer();
}

export function greyJpeg(width: number, height: number) {
  return splitImage(width, height).toColourspace('b-w').jpeg().toBuffer();
}

/** Left half opaque red, right half fully transparent. */
export function alphaPng(width: number, height: number) {
  const buf = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    if (x < width / 2) buf.set([255, 0, 0, 255], i * 4);
  }
  return sharp(buf, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

export function png16(width: number, height: number) {
  return splitImage(width, height).toColourspace('rgb16').png().toBuffer();
}

export function tiff(width: number, height: number) {
  return splitImage(width, height).tiff().toBuffer();
}

export function webp(width: number, height: number) {
  return splitImage(width, height).webp({ lossless: true }).toBuffer();
}

export function avif(width: number, height: number) {
  return splitImage(width, height).avif({ lossless: true }).toBuffer();
}

export function svg(width: number, height: number, extra = ''): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect width="${width / 2}" height="${height}" fill="#ff0000"/>` +
      `<rect x="${width / 2}" width="${width / 2}" height="${height}" fill="#0000ff"/>${extra}</svg>`,
  );
}

/** Two frames: red, then green. Only the first may be used. */
export async function animated(format: 'gif' | 'webp', width: number, height: number) {
  const frame = (c: Rgb) =>
    sharp({ create: { width, height, channels: 3, background: { r: c[0], g: c[1], b: c[2] } } })
      .png()
      .toBuffer();
  const frames = [await frame(RED), await frame(GREEN)];
  const img = sharp(frames, { join: { animated: true } });
  return format === 'gif' ? img.gif().toBuffer() : img.webp({ lossless: true }).toBuffer();
}

/** A 24-bit bottom-up BMP written byte by byte (no encoder involved). */
export function bmp(width: number, height: number, left: Rgb = RED, right: Rgb = BLUE): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const size = 54 + rowBytes * height;
  const buf = Buffer.alloc(size);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(size, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(rowBytes * height, 34);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = x < width / 2 ? left : right;
      buf.set([b, g, r], row + x * 3);
    }
  }
  return buf;
}

/** JPEG 2000 (JP2 boxes, or a raw `.j2k` codestream) written by the `vips` command. */
export async function jp2(width: number, height: number, kind: 'jp2' | 'j2k' = 'jp2'): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  try {
    const src = path.join(dir, 'in.png');
    const out = path.join(dir, `out.${kind}`);
    await splitImage(width, height).png().toFile(src);
    await run('vips', ['jp2ksave', src, out, '--lossless']);
    const file = await readFile(out);
    return kind === 'jp2' ? file : codestreamOf(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The contiguous codestream box (`jp2c`) of a JP2 file: what a bare `.j2k` file holds. */
function codestreamOf(jp2File: Buffer): Buffer {
  let pos = 0;
  while (pos + 8 <= jp2File.length) {
    const length = jp2File.readUInt32BE(pos);
    if (jp2File.toString('latin1', pos + 4, pos + 8) === 'jp2c') {
      return jp2File.subarray(pos + 8, length ? pos + length : jp2File.length);
    }
    pos += length;
  }
  throw new Error('no codestream box');
}

/**
 * A real PNG pixel bomb: 20000×20000 RGB (1.2 GB of pixels) in about 1.2 MB. Deflate output for a
 * block of zeros after a sync flush is byte-aligned and identical every time, so the stream is one
 * compressed block repeated, which takes milliseconds instead of compressing 1.2 GB.
 */
export async function pngBomb(width = 20_000, height = 20_000): Promise<Buffer> {
  const rowBytes = width * 3 + 1;
  const rowsPerBlock = 16;
  const block = Buffer.alloc(rowBytes * rowsPerBlock);
  const d = zlib.createDeflate({ level: 9 });
  const out: Buffer[] = [];
  d.on('data', (c: Buffer) => out.push(c));
  const flushed = () =>
    new Promise<Buffer>((resolve) => {
      d.write(block);
      d.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(out.splice(0))));
    });
  const first = await flushed();
  const repeat = await flushed();
  d.destroy();
  const total = rowBytes * height;
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((total % 65521) * 65536 + 1) >>> 0);
  const parts = [first];
  for (let i = 1; i < height / rowsPerBlock; i++) parts.push(repeat);
  parts.push(Buffer.from([3, 0]), adler); // final empty block, then the checksum
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.concat(parts)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** The first `fraction` of a file: a truncated download. */
export function truncate(buf: Buffer, fraction = 0.6): Buffer {
  return buf.subarray(0, Math.floor(buf.length * fraction));
}

export async function tempDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeTemp(dir: string, name: string, data: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, data);
  return file;
}

/** The RGB of one pixel of an encoded image. */
export async function pixelAt(image: Buffer | string, x: number, y: number): Promise<Rgb> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

/** True when two colours are within `tolerance` on every channel (lossy codecs shift a little). */
export function near(a: Rgb, b: Rgb, tolerance = 40): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
