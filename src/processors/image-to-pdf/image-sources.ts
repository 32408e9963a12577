/**
 * The `Sources` items both image tasks take (`{URI, Rotate}`), their create-time checks and their
 * loading at run time: read from storage, format from the bytes, size from the header, limits checked.
 * Shared by ImageToPDF and ImageSplicing.
 */
import { z } from 'zod';
import { type ImageInfo, probeImage } from '../../engines/image/probe.ts';
import { readImageBytes } from '../../engines/image/read-bytes.ts';
import { getImageRuntime } from '../../engines/image/runtime.ts';
import { Errors } from '../../protocol/errors.ts';
import { AccessDeniedError } from '../../storage/backend.ts';
import { parseOssObjectUri } from '../../storage/oss-uri.ts';
import type { ScopedObjectInfo, ScopedStorage } from '../../storage/scoped-storage.ts';
import { intParam } from '../params.ts';
import type { CreateContext, RunContext } from '../types.ts';

export const ROTATIONS = [0, 90, 180, 270] as const;

export const imageSourceSchema = z.object({
  URI: z.string().min(1),
  Rotate: intParam()
    .refine((v) => (ROTATIONS as readonly number[]).includes(v), 'Valid values: 0, 90, 180, 270.')
    .optional(),
});

export type ImageSourceParam = z.infer<typeof imageSourceSchema>;

/** The echo of `Sources` in the task's notification content (spec 8.3.1). */
export function sourcesContent(sources: ImageSourceParam[]): Array<{ URI: string; Rotate: number }> {
  return sources.map((s) => ({ URI: s.URI, Rotate: s.Rotate ?? 0 }));
}

/** Create time: every source parses, its bucket exists, the role may read it, and it exists. */
export async function validateImageSources(
  sources: ImageSourceParam[],
  ctx: CreateContext,
): Promise<ScopedObjectInfo[]> {
  const infos: ScopedObjectInfo[] = [];
  for (const [i, s] of sources.entries()) {
    const { bucket } = parseOssObjectUri(s.URI, `Sources[${i}].URI`);
    if (!ctx.storage.hasBucket(bucket)) {
      throw Errors.invalidParameter(
        `Sources[${i}].URI`,
        `The bucket ${bucket} does not exist in this region.`,
      );
    }
    if (!ctx.storage.canRead(s.URI)) {
      throw Errors.noPermission(`The service role ${ctx.storage.role} is not allowed to read ${s.URI}.`);
    }
  }
  // HEADs run together: a hundred sources should not cost a hundred round trips in a row.
  const heads = await Promise.all(sources.map((s) => headOrThrow(ctx.storage, s.URI)));
  const maxBytes = getImageRuntime().config.maxInputBytes;
  for (const head of heads) {
    if (head.size > maxBytes) {
      throw Errors.limitExceeded(`The image ${head.uri} is larger than ${maxBytes} bytes.`);
    }
    infos.push(head);
  }
  return infos;
}

async function headOrThrow(storage: ScopedStorage, uri: string): Promise<ScopedObjectInfo> {
  let head: ScopedObjectInfo | null;
  try {
    head = await storage.head(uri);
  } catch (err) {
    if (err instanceof AccessDeniedError) throw Errors.noPermission(err.message);
    throw err;
  }
  if (!head) throw Errors.invalidArgument(`File does not exist. ${uri}`);
  return head;
}

/** The pixel limit for one input: the task limit and the engine's, whichever is smaller. */
export function inputPixelLimit(ctx: RunContext): number {
  return Math.min(ctx.limits.imageMaxPixels, getImageRuntime().config.maxInputPixels);
}

/** Run time: reads one source and probes it (headers only). Throws storage errors or ImageError. */
export async function loadSourceImage(
  uri: string,
  ctx: RunContext,
  opts: { svgDensity?: number } = {},
): Promise<ImageInfo> {
  const { config } = getImageRuntime();
  const stream = await ctx.storage.read(uri, { signal: ctx.signal });
  const bytes = await readImageBytes(stream, {
    label: uri,
    maxBytes: config.maxInputBytes,
    maxSvgBytes: config.maxSvgBytes,
    signal: ctx.signal,
  });
  return probeImage(bytes, { label: uri, maxPixels: inputPixelLimit(ctx), svgDensity: opts.svgDensity });
}
