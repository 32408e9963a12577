/**
 * Runs an ImageToPDF task: one page per source, in order. Sources are read and converted a few at a
 * time ahead of the page being written; the PDF streams into the target object, which becomes
 * visible only when complete, so a failure at page 60 leaves nothing behind.
 */
import { preparePdfPage } from '../../engines/image/pdf-image.ts';
import { PdfImageWriter } from '../../engines/image/pdf-writer.ts';
import { getImageRuntime } from '../../engines/image/runtime.ts';
import type { RunContext, TaskOutcome } from '../types.ts';
import { toImageTaskFailure } from './image-failures.ts';
import { inputPixelLimit, loadSourceImage, sourcesContent } from './image-sources.ts';
import { resolveImageTarget } from './image-target.ts';
import { mapOrdered } from './ordered-map.ts';
import type { ImageToPdfParams } from './params.ts';

export async function runImageToPdf(p: ImageToPdfParams, ctx: RunContext): Promise<TaskOutcome> {
  try {
    const target = await runTarget(p, ctx);
    await writePdf(p, target, ctx);
    return { content: imageToPdfContent(p, target) };
  } catch (err) {
    throw toImageTaskFailure(err);
  }
}

/** The notification fields of spec 8.3.1: the sources echoed, the PDF written. */
export function imageToPdfContent(p: ImageToPdfParams, targetUri: string): Record<string, unknown> {
  return { Sources: sourcesContent(p.Sources), TargetURI: targetUri };
}

async function runTarget(p: ImageToPdfParams, ctx: RunContext): Promise<string> {
  const first = p.Sources[0]!.URI;
  const head = /[{}]/.test(p.TargetURI) ? await ctx.storage.head(first) : null;
  return resolveImageTarget(p.TargetURI, {
    sourceUri: first,
    sourceLastModified: head?.lastModified,
    createdAt: ctx.createdAt,
    tags: ctx.tags,
  });
}

async function writePdf(p: ImageToPdfParams, targetUri: string, ctx: RunContext): Promise<void> {
  const { config } = getImageRuntime();
  const decode = { tmpDir: ctx.tmpDir, maxPixels: inputPixelLimit(ctx), signal: ctx.signal };
  const writer = await PdfImageWriter.create();
  const written = ctx.storage.write(targetUri, writer.stream, {
    contentType: 'application/pdf',
    signal: ctx.signal,
  });
  // A failed write (denied, store down) must stop the producer rather than let it fill memory.
  written.catch((err: Error) => writer.abort(err));
  const total = p.Sources.length;
  try {
    const pages = mapOrdered(p.Sources, config.maxParallelImages + 1, async (source) => {
      const info = await loadSourceImage(source.URI, ctx, { svgDensity: config.svgDensity });
      return preparePdfPage(info, source.Rotate ?? 0, decode);
    });
    let done = 0;
    for await (const page of pages) {
      writer.addPage(page);
      await writer.waitForRoom(ctx.signal);
      ctx.progress(Math.floor((++done * 99) / total));
    }
    writer.end();
    await written;
  } catch (err) {
    writer.abort(err instanceof Error ? err : new Error(String(err)));
    await written.catch(() => {});
    throw err;
  }
}
