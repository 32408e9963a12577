/**
 * Splices images into one: each image is decoded, oriented, turned and scaled into its tile (at most
 * `maxParallelImages` at once), then all tiles are composited onto the background in one libvips
 * pass whose encoded output streams to the caller. Measured: in-process sharp is 2.5–3× faster than
 * running the `vips` command for the same steps.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { type Rgba, WHITE } from './color.ts';
import { type DecodeOptions, openImage } from './decode.ts';
import { fromDecodeError, ImageError } from './errors.ts';
import { placedSize, placementFor } from './orientation.ts';
import type { ImageInfo } from './probe.ts';
import { getImageRuntime } from './runtime.ts';
import {
  checkSpliceLimits,
  layoutSplice,
  SPLICE_LIMITS,
  type SpliceLayout,
  type SpliceLayoutOptions,
  type Tile,
} from './splice-layout.ts';

export type SpliceFormat = 'jpg' | 'png' | 'webp';

export interface SpliceInput {
  info: ImageInfo;
  /** Clockwise turn requested for this image (0, 90, 180, 270). */
  rotate: number;
}

export interface SpliceOutputOptions {
  background: Rgba;
  format: SpliceFormat;
  /** 0–100 (jpg, webp). */
  quality: number;
}

/** WebP cannot store an edge longer than this. */
const WEBP_MAX_EDGE = 16_383;

/** The layout from header sizes, with the spec's limits (and the format's own) checked. */
export function planSplice(
  inputs: SpliceInput[],
  opts: SpliceLayoutOptions,
  format: SpliceFormat,
): SpliceLayout {
  const sizes = inputs.map(({ info, rotate }) =>
    placedSize(info.width, info.height, placementFor(info.orientation, rotate)),
  );
  const layout = layoutSplice(sizes, opts);
  checkSpliceLimits(layout, format === 'webp' ? { ...SPLICE_LIMITS, maxEdge: WEBP_MAX_EDGE } : SPLICE_LIMITS);
  return layout;
}

/** Tiles go through `.v` files (libvips' raw format): arrayjoin reads them without decoding. */
async function renderTile(
  input: SpliceInput,
  tile: Tile,
  out: { flattenOn?: Rgba; alpha: boolean },
  opts: DecodeOptions,
): Promise<string> {
  const opened = await openImage(input.info, opts);
  const file = path.join(opts.tmpDir, `tile-${randomUUID()}.v`);
  try {
    const p = placementFor(input.info.orientation, input.rotate);
    // sharp mirrors before it turns, which is the order the placement is defined in.
    let pipeline = opened.pipeline
      .flop(p.flip)
      .rotate(p.rotate)
      .resize(tile.width, tile.height, { fit: 'fill' })
      .toColourspace('srgb');
    if (out.flattenOn) pipeline = pipeline.flatten({ background: out.flattenOn });
    pipeline = out.alpha ? pipeline.ensureAlpha() : pipeline.removeAlpha();
    await pipeline.toFile(file);
    return file;
  } catch (err) {
    await rm(file, { force: true });
    throw fromDecodeError(err, input.info.label);
  } finally {
    await opened.release();
  }
}

/** JPEG has no alpha: a transparent background becomes white, a translucent one is blended on white. */
function opaque(c: Rgba): Rgba {
  if (c.alpha >= 1) return c;
  const mix = (v: number) => Math.round(v * c.alpha + 255 * (1 - c.alpha));
  return c.alpha === 0 ? WHITE : { r: mix(c.r), g: mix(c.g), b: mix(c.b), alpha: 1 };
}

export interface SpliceResult {
  /** The encoded output; reading it runs the join and the encoder. */
  stream: Sharp;
  /** Removes the tile files; call once the stream has been consumed (or abandoned). */
  release(): Promise<void>;
}

/**
 * Decodes the inputs into their tiles, then joins them (the background shows only in padding and
 * margin; JPEG output flattens transparent pixels onto it). Decode failures reject here; the returned
 * stream can still fail while encoding.
 */
export async function renderSplice(
  inputs: SpliceInput[],
  layout: SpliceLayout,
  out: SpliceOutputOptions,
  decode: DecodeOptions,
  onTile?: (done: number) => void,
): Promise<SpliceResult> {
  const { limiter } = getImageRuntime();
  const jpeg = out.format === 'jpg';
  const background = jpeg ? opaque(out.background) : out.background;
  const alpha = !jpeg && (background.alpha < 1 || inputs.some((i) => i.info.hasAlpha));
  const tileOut = { flattenOn: jpeg ? background : undefined, alpha };
  const files: string[] = [];
  const release = () => Promise.all(files.map((f) => rm(f, { force: true }))).then(() => undefined);
  let done = 0;
  const settled = await Promise.allSettled(
    inputs.map((input, i) =>
      limiter.run(async () => {
        const file = await renderTile(input, layout.tiles[i]!, tileOut, decode);
        files.push(file);
        onTile?.(++done);
        return file;
      }, decode.signal),
    ),
  );
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    await release();
    throw failed.reason;
  }
  const ordered = settled.map((r) => (r as PromiseFulfilledResult<string>).value);
  const { margin, padding } = layout;
  const joined = sharp(ordered, {
    join: { across: layout.direction === 'vertical' ? 1 : ordered.length, shim: padding, background },
    limitInputPixels: false,
  }).extend({ top: margin, bottom: margin, left: margin, right: margin, background });
  return { stream: encode(joined, out), release };
}

function encode(image: Sharp, out: SpliceOutputOptions): Sharp {
  const quality = Math.min(100, Math.max(1, out.quality));
  switch (out.format) {
    case 'jpg':
      return image.jpeg({ quality });
    case 'webp':
      return image.webp({ quality });
    case 'png':
      return image.png({ compressionLevel: 6 });
    default:
      throw new ImageError('unsupported', `The output format ${String(out.format)} is not supported.`);
  }
}
