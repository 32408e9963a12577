/**
 * Runs an ImageSplicing task: read and probe every source (headers only), lay the tiles out and
 * check the output against the spec's limits, and only then decode; the encoded result streams into
 * the target object.
 */
import { parseColor } from '../../engines/image/color.ts';
import { ImageError } from '../../engines/image/errors.ts';
import { getImageRuntime } from '../../engines/image/runtime.ts';
import { planSplice, renderSplice, type SpliceInput } from '../../engines/image/splice.ts';
import { StorageError } from '../../storage/backend.ts';
import { toImageTaskFailure } from '../image-to-pdf/image-failures.ts';
import { inputPixelLimit, loadSourceImage, sourcesContent } from '../image-to-pdf/image-sources.ts';
import { resolveImageTarget } from '../image-to-pdf/image-target.ts';
import { mapOrdered } from '../image-to-pdf/ordered-map.ts';
import type { RunContext, TaskOutcome } from '../types.ts';
import type { ImageSplicingParams } from './params.ts';

const CONTENT_TYPES = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

export async function runImageSplicing(p: ImageSplicingParams, ctx: RunContext): Promise<TaskOutcome> {
  try {
    const inputs = await loadInputs(p, ctx);
    const target = await runTarget(p, ctx);
    await writeSplice(p, inputs, target, ctx);
    return { content: imageSplicingContent(p, target) };
  } catch (err) {
    throw toImageTaskFailure(err);
  }
}

/** The notification fields of spec 8.3.1: the sources echoed, the image written. */
export function imageSplicingContent(p: ImageSplicingParams, targetUri: string): Record<string, unknown> {
  return { Sources: sourcesContent(p.Sources), TargetURI: targetUri };
}

async function loadInputs(p: ImageSplicingParams, ctx: RunContext): Promise<SpliceInput[]> {
  const inputs: SpliceInput[] = [];
  const window = getImageRuntime().config.maxParallelImages;
  const loaded = mapOrdered(p.Sources, window, (s) => loadSourceImage(s.URI, ctx));
  for await (const info of loaded) inputs.push({ info, rotate: p.Sources[inputs.length]!.Rotate ?? 0 });
  ctx.progress(10);
  return inputs;
}

async function runTarget(p: ImageSplicingParams, ctx: RunContext): Promise<string> {
  const first = p.Sources[0]!.URI;
  const head = /[{}]/.test(p.TargetURI) ? await ctx.storage.head(first) : null;
  return resolveImageTarget(p.TargetURI, {
    sourceUri: first,
    sourceLastModified: head?.lastModified,
    createdAt: ctx.createdAt,
    tags: ctx.tags,
  });
}

async function writeSplice(
  p: ImageSplicingParams,
  inputs: SpliceInput[],
  targetUri: string,
  ctx: RunContext,
): Promise<void> {
  const layout = planSplice(
    inputs,
    { direction: p.Direction, align: p.Align, scaleType: p.ScaleType, padding: p.Padding, margin: p.Margin },
    p.ImageFormat,
  );
  const decode = { tmpDir: ctx.tmpDir, maxPixels: inputPixelLimit(ctx), signal: ctx.signal };
  const out = { background: parseColor(p.BackgroundColor)!, format: p.ImageFormat, quality: p.Quality };
  const total = inputs.length;
  const encoded = await renderSplice(inputs, layout, out, decode, (done) =>
    ctx.progress(10 + Math.floor((done * 70) / total)),
  );
  try {
    await ctx.storage.write(targetUri, encoded, {
      contentType: CONTENT_TYPES[p.ImageFormat],
      signal: ctx.signal,
    });
  } catch (err) {
    // The encoder fails through the stream it feeds the store with.
    if (ctx.signal.aborted || err instanceof StorageError || err instanceof ImageError) throw err;
    throw new ImageError('engine-failed', `The spliced image could not be encoded as ${p.ImageFormat}.`, {
      cause: err,
    });
  } finally {
    encoded.destroy();
  }
  ctx.progress(99);
}
