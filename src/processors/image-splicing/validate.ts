/** Create-time checks of CreateImageSplicingTask: sources readable and present, target template writable. */
import { validateImageSources } from '../image-to-pdf/image-sources.ts';
import { checkTargetWritable, resolveImageTarget } from '../image-to-pdf/image-target.ts';
import type { CreateContext } from '../types.ts';
import type { ImageSplicingParams } from './params.ts';

export async function validateImageSplicing(p: ImageSplicingParams, ctx: CreateContext): Promise<void> {
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
