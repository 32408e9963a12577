/**
 * Reads one source image into memory (memory follows the largest image, not the document), deciding
 * its format from the first bytes so that a file that is not an image is refused after one chunk.
 */
import type { Readable } from 'node:stream';
import { ImageError } from './errors.ts';
import { type ImageFormat, SNIFF_BYTES, sniffImageFormat } from './sniff.ts';

export interface ImageBytes {
  format: ImageFormat;
  data: Buffer;
}

export async function readImageBytes(
  stream: Readable,
  opts: { label: string; maxBytes: number; maxSvgBytes: number; signal?: AbortSignal },
): Promise<ImageBytes> {
  const chunks: Buffer[] = [];
  let total = 0;
  let format: ImageFormat | null = null;
  let limit = opts.maxBytes;
  const onAbort = () => stream.destroy(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (!format && total >= SNIFF_BYTES) {
        format = identify(Buffer.concat(chunks), opts.label);
        if (format === 'svg') limit = Math.min(limit, opts.maxSvgBytes);
      }
      if (total > limit) {
        throw new ImageError('limit', `The image ${opts.label} is larger than ${limit} bytes.`);
      }
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
  if (opts.signal?.aborted) throw opts.signal.reason;
  const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  format ??= identify(data, opts.label);
  if (format === 'svg' && total > opts.maxSvgBytes) {
    throw new ImageError('limit', `The SVG image ${opts.label} is larger than ${opts.maxSvgBytes} bytes.`);
  }
  return { format, data };
}

function identify(head: Buffer, label: string): ImageFormat {
  const format = sniffImageFormat(head);
  if (!format) {
    throw new ImageError(
      'unsupported',
      `The file ${label} is not an image in a supported format (JPEG, PNG, TIFF, WebP, GIF, BMP, JPEG 2000, SVG, HEIF/AVIF).`,
    );
  }
  return format;
}
