/**
 * Splits a PNG into what a PDF image XObject needs: the IHDR facts and the concatenated IDAT data,
 * which is already a zlib stream with PNG row filters that PDF's FlateDecode undoes with
 * `/Predictor 15`. No pixel is inflated or deflated again.
 */
export interface PngStream {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB (the only ones produced for embedding), 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
  interlaced: boolean;
  /** zlib data of all IDAT chunks, in order. */
  idat: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function readPngStream(png: Buffer): PngStream {
  if (png.length < 33 || !png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG stream');
  let pos = 8;
  let header: Omit<PngStream, 'idat'> | null = null;
  const idat: Buffer[] = [];
  while (pos + 8 <= png.length) {
    const length = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + length);
    if (data.length !== length) throw new Error('PNG chunk cut short');
    if (type === 'IHDR') {
      header = {
        width: data.readUInt32BE(0),
        height: data.readUInt32BE(4),
        bitDepth: data[8]!,
        colorType: data[9]!,
        interlaced: data[12] === 1,
      };
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + length; // length + type + data + CRC
  }
  if (!header || idat.length === 0) throw new Error('PNG stream without header or data');
  return { ...header, idat: idat.length === 1 ? idat[0]! : Buffer.concat(idat) };
}

/** Colour components per pixel for the PNG colour types used in PDFs. */
export function pngComponents(colorType: number): number {
  return colorType === 0 ? 1 : colorType === 2 ? 3 : colorType === 4 ? 2 : colorType === 6 ? 4 : 1;
}
