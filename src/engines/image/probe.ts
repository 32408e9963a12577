/**
 * Everything known about a source image from its headers alone: size, orientation, alpha, and for
 * JPEGs whether the bytes can be embedded as they are. Limits are checked here, before any decoder
 * touches the pixels, so a pixel bomb is refused in milliseconds.
 */
import type { Metadata } from 'sharp';
import { fromDecodeError, ImageError } from './errors.ts';
import { readHeaderSize } from './header-size.ts';
import { isPdfEmbeddable, type JpegHeader, parseJpegHeader } from './jpeg-header.ts';
import type { ImageBytes } from './read-bytes.ts';
import { loadSharp } from './sharp-setup.ts';
import { formatLabel, type ImageFormat } from './sniff.ts';
import { checkSvg } from './svg-guard.ts';

export interface ImageInfo {
  label: string;
  format: ImageFormat;
  data: Buffer;
  /** Stored size in pixels (before orientation), at `density` for SVG. */
  width: number;
  height: number;
  /** EXIF orientation 1–8. */
  orientation: number;
  hasAlpha: boolean;
  /** Single-channel (grey) source. */
  grey: boolean;
  /** SVG only: the DPI it is rendered at (72 = one pixel per SVG unit). */
  density?: number;
  /** JPEG only: the parsed header; `embeddable` when the bytes can go into a PDF unchanged. */
  jpeg?: JpegHeader & { embeddable: boolean };
}

export interface ProbeOptions {
  label: string;
  maxPixels: number;
  /** Render SVG at this DPI (the pixel limit applies to the rendered size). */
  svgDensity?: number;
}

/** Formats decoded by the `vips` command rather than sharp. */
export const SECOND_PATH_FORMATS: ReadonlySet<ImageFormat> = new Set(['bmp', 'jp2', 'j2k']);

export async function probeImage(bytes: ImageBytes, opts: ProbeOptions): Promise<ImageInfo> {
  const base = { label: opts.label, format: bytes.format, data: bytes.data };
  let info: ImageInfo;
  if (bytes.format === 'jpeg') {
    const jpeg = parseJpegHeader(bytes.data, opts.label);
    const embeddable = isPdfEmbeddable(jpeg);
    info = {
      ...base,
      width: jpeg.width,
      height: jpeg.height,
      orientation: jpeg.orientation,
      hasAlpha: false,
      grey: jpeg.components === 1,
      jpeg: { ...jpeg, embeddable },
    };
  } else if (SECOND_PATH_FORMATS.has(bytes.format)) {
    const size = readHeaderSize(bytes.format, bytes.data, opts.label);
    // Alpha and grey are not known from these headers; the decoded `.v` file tells, later.
    info = { ...base, ...size, orientation: 1, hasAlpha: false, grey: false };
  } else {
    // An SVG is checked as text before any parser sees it: nothing it names may be fetched.
    if (bytes.format === 'svg') await checkSvg(bytes.data, opts.label, opts.maxPixels);
    info = await probeWithSharp(bytes, opts);
  }
  checkPixels(info, opts);
  return info;
}

/** Headers only: sharp's metadata() does not decode pixels (for SVG it parses the document, not renders). */
async function readMetadata(bytes: ImageBytes, label: string, density?: number): Promise<Metadata> {
  const sharp = await loadSharp();
  try {
    return await sharp(bytes.data, { density, limitInputPixels: false }).metadata();
  } catch (err) {
    throw fromDecodeError(err, label);
  }
}

/**
 * The DPI an SVG is rasterised at: the wanted one, lowered for a large canvas so the raster stays
 * within the pixel limit (never below 72, where one SVG unit is one pixel).
 */
async function svgDensity(bytes: ImageBytes, opts: ProbeOptions): Promise<number> {
  const wanted = opts.svgDensity ?? 72;
  if (wanted <= 72) return 72;
  const base = await readMetadata(bytes, opts.label, 72);
  const fits = Math.floor(
    72 * Math.sqrt(opts.maxPixels / Math.max(1, (base.width ?? 1) * (base.height ?? 1))),
  );
  return Math.max(72, Math.min(wanted, fits));
}

async function probeWithSharp(bytes: ImageBytes, opts: ProbeOptions): Promise<ImageInfo> {
  const density = bytes.format === 'svg' ? await svgDensity(bytes, opts) : undefined;
  const meta = await readMetadata(bytes, opts.label, density);
  if (!meta.width || !meta.height) {
    throw new ImageError('corrupt', `The image ${opts.label} has no size in its header.`);
  }
  // Animated and multi-page inputs: only the first frame is used, and metadata's height is per frame.
  const height = meta.pageHeight && meta.pages && meta.pages > 1 ? meta.pageHeight : meta.height;
  return {
    label: opts.label,
    format: bytes.format,
    data: bytes.data,
    width: meta.width,
    height,
    orientation: meta.orientation ?? 1,
    hasAlpha: meta.hasAlpha ?? false,
    grey: meta.channels !== undefined && meta.channels <= 2,
    density,
  };
}

function checkPixels(info: ImageInfo, opts: ProbeOptions): void {
  const pixels = info.width * info.height;
  if (pixels > opts.maxPixels) {
    throw new ImageError(
      'limit',
      `The ${formatLabel(info.format)} image ${opts.label} is ${info.width}x${info.height} pixels, ` +
        `more than the limit of ${opts.maxPixels} pixels.`,
    );
  }
}
