/** Create-time checks of CreateImageToPDFTask: sources readable and present, target template writable. */
import type { CreateContext } from '../types.ts';
import { validateImageSources } from './image-sources.ts';
import { checkTargetWritable, resolveImageTarget } from './image-target.ts';
import type { ImageToPdfParams } from './params.ts';

export async function validateImageToPdf(p: ImageToPdfParams, ctx: CreateContext): Promise<void> {
  // The target's syntax is checked before any storage call, so a bad template fails fast.
  resolveImageTarget(p.TargetURI, { sourceUri: p.Sources[0]!.URI, createdAt: ctx.now, tags: ctx.tags });
  const heads = await validateImageSources(p.Sources, ctx);
  const target = resolveImageTarget(p.TargetURI, {
    sourceUri: p.Sources[0]!.URI,
    sourceLastModified: heads[0]?.lastModified,
    createdAt: ctx.now,
    tags: ctx.tags,
  });
  checkTargetWritable(ctx.storage, target);
}
