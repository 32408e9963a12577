/**
 * Settings of the image engine (sharp in-process, Debian's `vips` command as the second path).
 * The integrator nests this under the `image` key of the server config; env `OPENIMM_IMAGE_<SETTING>`.
 */
import { z } from 'zod';

export const imageConfigSchema = z.object({
  /**
   * libvips worker threads per sharp operation; 0 keeps sharp's default (1 on glibc Linux, to limit
   * memory fragmentation; the CPU count elsewhere). Parallelism comes mainly from `maxParallelImages`.
   */
  threads: z.number().int().min(0).max(64).default(0),
  /** Images decoded at once in this process, across all tasks (memory follows the pixels in flight). */
  maxParallelImages: z.number().int().min(1).max(64).default(2),
  /**
   * libvips operation cache in MiB; 0 turns it off. A server sees each input once, so the cache only
   * holds memory; keep it off unless a workload repeats inputs.
   */
  cacheMemoryMb: z.number().int().min(0).max(4096).default(0),
  /**
   * Largest decoded input in pixels (width × height, from the header, before any pixel is decoded).
   * The task's `imageMaxPixels` limit applies too; the smaller wins. Default: sharp's 16383².
   */
  maxInputPixels: z.number().int().min(1).default(268_402_689),
  /** Largest source object in bytes (read into memory one image at a time). */
  maxInputBytes: z
    .number()
    .int()
    .min(1)
    .default(200 * 1024 * 1024),
  /** Largest SVG source in bytes (parsed as text before rendering). */
  maxSvgBytes: z
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  /** DPI at which SVG sources are rasterised for ImageToPDF (the page keeps the SVG's own size). */
  svgDensity: z.number().int().min(72).max(600).default(144),
  /**
   * Largest ImageSplicing canvas in bytes of pixels (width × height × 3, or 4 with alpha), held in
   * memory while tiles are placed. The default fits the spec's largest aligned splice without margin
   * (4096 × 32876 RGBA).
   */
  spliceMaxCanvasBytes: z
    .number()
    .int()
    .min(1)
    .default(640 * 1024 * 1024),
  /** The `vips` command used for BMP and JPEG 2000 (the bundled libvips of sharp cannot read them). */
  vipsCommand: z.string().min(1).default('vips'),
  /** Kill a `vips` conversion that runs longer than this. */
  vipsTimeoutMs: z.number().int().min(1000).default(120_000),
});

export type ImageConfig = z.infer<typeof imageConfigSchema>;

export const defaultImageConfig: ImageConfig = imageConfigSchema.parse({});
