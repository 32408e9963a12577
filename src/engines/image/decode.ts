/**
 * Opens a probed image as a sharp pipeline. Formats sharp's bundled libvips cannot read go through
 * the `vips` command first (into an uncompressed `.v` file in the task's scratch folder). Only the
 * first frame of animated or multi-page inputs is used.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sharp, SharpOptions } from 'sharp';
import { ImageError } from './errors.ts';
import { type ImageInfo, SECOND_PATH_FORMATS } from './probe.ts';
import { getImageRuntime } from './runtime.ts';
import { loadSharp } from './sharp-setup.ts';
import { formatLabel } from './sniff.ts';
import { convertWithVipsCli, type VipsCliFormat } from './vips-cli.ts';

export interface DecodeOptions {
  /** Scratch folder for second-path conversions. */
  tmpDir: string;
  maxPixels: number;
  signal?: AbortSignal;
}

export interface OpenedImage {
  pipeline: Sharp;
  /** Removes scratch files; call when the pipeline has finished. */
  release(): Promise<void>;
}

export async function openImage(info: ImageInfo, opts: DecodeOptions): Promise<OpenedImage> {
  const sharp = await loadSharp();
  const common: SharpOptions = {
    limitInputPixels: opts.maxPixels,
    failOn: 'error',
    autoOrient: false,
    pages: 1,
  };
  if (!SECOND_PATH_FORMATS.has(info.format)) {
    return { pipeline: sharp(info.data, { ...common, density: info.density }), release: async () => {} };
  }
  const file = await decodeWithVipsCli(info, opts);
  return { pipeline: sharp(file, common), release: () => rm(file, { force: true }) };
}

async function decodeWithVipsCli(info: ImageInfo, opts: DecodeOptions): Promise<string> {
  const runtime = getImageRuntime();
  const vips = await runtime.vipsCli();
  if (!vips.available || !vips.formats?.includes(info.format)) {
    throw new ImageError(
      'engine-missing',
      `${formatLabel(info.format)} images (${info.label}) need the vips command, which this server lacks ` +
        `(install: ${vips.installHint ?? 'libvips-tools'}).`,
    );
  }
  const id = randomUUID();
  const input = path.join(opts.tmpDir, `${id}.${info.format}`);
  const output = path.join(opts.tmpDir, `${id}.v`);
  await writeFile(input, info.data);
  try {
    await convertWithVipsCli({
      command: runtime.config.vipsCommand,
      format: info.format as VipsCliFormat,
      input,
      output,
      label: info.label,
      timeoutMs: runtime.config.vipsTimeoutMs,
      threads: runtime.config.threads || 1,
      signal: opts.signal,
    });
  } catch (err) {
    await rm(output, { force: true });
    throw err;
  } finally {
    await rm(input, { force: true });
  }
  return output;
}
