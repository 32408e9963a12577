/**
 * Turns a probed source into a PDF page: JPEG bytes as they are (a 12× saving over re-encoding,
 * measured), everything else decoded once and stored losslessly (Flate with PNG predictors, alpha
 * as a soft mask). Orientation never touches pixels: it becomes the page's rotation and a mirror.
 */
import type { PngOptions, Sharp } from 'sharp';
import { type DecodeOptions, openImage } from './decode.ts';
import { fromDecodeError } from './errors.ts';
import { placementFor } from './orientation.ts';
import type { FlateImage, PdfPage } from './pdf-writer.ts';
import { readPngStream } from './png-chunks.ts';
import type { ImageInfo } from './probe.ts';
import { getImageRuntime } from './runtime.ts';
import { loadSharp } from './sharp-setup.ts';

/** zlib level for converted pages: 6 is zlib's own balance of size and time. */
const PNG_OPTIONS: PngOptions = { compressionLevel: 6, adaptiveFiltering: true };

export async function preparePdfPage(info: ImageInfo, rotate: number, opts: DecodeOptions): Promise<PdfPage> {
  const placement = placementFor(info.orientation, rotate);
  if (info.jpeg?.embeddable) {
    const h = info.jpeg;
    return {
      placement,
      scale: 1,
      image: {
        kind: 'dct',
        width: h.width,
        height: h.height,
        components: h.components,
        invertCmyk: h.adobe,
        data: info.data,
        icc: validIcc(h.icc, h.components),
      },
    };
  }
  const image = await getImageRuntime().limiter.run(() => convert(info, opts), opts.signal);
  return { placement, scale: 72 / (info.density ?? 72), image };
}

async function convert(info: ImageInfo, opts: DecodeOptions): Promise<FlateImage> {
  const opened = await openImage(info, opts);
  try {
    const meta = await opened.pipeline.metadata();
    const grey = (meta.channels ?? 3) <= 2;
    const hasAlpha = meta.hasAlpha ?? false;
    const base = opened.pipeline.toColourspace(grey ? 'b-w' : 'srgb');
    if (!hasAlpha) return fromPng(await base.png(PNG_OPTIONS).toBuffer());
    return await withAlpha(base);
  } catch (err) {
    throw fromDecodeError(err, info.label);
  } finally {
    await opened.release();
  }
}

function fromPng(png: Buffer): FlateImage {
  const s = readPngStream(png);
  const components = s.colorType === 0 ? 1 : 3;
  return { kind: 'flate', width: s.width, height: s.height, components, bitDepth: s.bitDepth, data: s.idat };
}

/** Decodes once to raw pixels, then encodes colour and alpha as two PNG streams in parallel. */
async function withAlpha(base: Sharp): Promise<FlateImage> {
  const { data, info } = await base.raw().toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  const sharp = await loadSharp();
  const [colour, alpha] = await Promise.all([
    sharp(data, raw).removeAlpha().png(PNG_OPTIONS).toBuffer(),
    sharp(data, raw)
      .extractChannel((info.channels - 1) as 1 | 3)
      .png(PNG_OPTIONS)
      .toBuffer(),
  ]);
  const image = fromPng(colour);
  const mask = readPngStream(alpha);
  return { ...image, alpha: { data: mask.idat, bitDepth: mask.bitDepth } };
}

/** An ICC profile is used only if its header agrees with the JPEG (a bad one would break viewers). */
function validIcc(icc: Buffer | undefined, components: number): Buffer | undefined {
  if (!icc || icc.length < 128) return undefined;
  if (icc.readUInt32BE(0) !== icc.length || icc.toString('latin1', 36, 40) !== 'acsp') return undefined;
  const space = icc.toString('latin1', 16, 20);
  const expected = components === 1 ? 'GRAY' : components === 3 ? 'RGB ' : 'CMYK';
  return space === expected ? icc : undefined;
}
