/**
 * Create-time checks of CreateFileUncompressionTask: the archive URI parses, its bucket exists, the role
 * may read it and it exists (and is not over the size limit); the target prefix (or template) resolves
 * into a known bucket the role may write.
 */
import type { ArchiveConfig } from '../../engines/archive/config.ts';
import { Errors } from '../../protocol/errors.ts';
import { parseOssObjectUri } from '../../storage/oss-uri.ts';
import { checkReadable, checkWritable, headExisting } from '../file-compression/storage-checks.ts';
import type { CreateContext } from '../types.ts';
import type { FileUncompressionParams } from './params.ts';
import { resolveTargetPrefix } from './target.ts';

/** Checks shared with ArchiveFileInspection: the archive object. */
export async function validateArchiveSource(
  sourceUri: string,
  ctx: CreateContext,
  config: ArchiveConfig,
): Promise<void> {
  const source = parseOssObjectUri(sourceUri, 'SourceURI');
  checkReadable(ctx.storage, source.bucket, sourceUri, 'SourceURI');
  const info = await headExisting(ctx.storage, sourceUri);
  const max = Math.max(config.maxZipRarBytes, config.maxSevenZipBytes);
  if (info.size > max)
    throw Errors.limitExceeded(`The archive is ${info.size} bytes; at most ${max} are allowed.`);
}

export async function validateFileUncompression(
  p: FileUncompressionParams,
  ctx: CreateContext,
  config: ArchiveConfig,
): Promise<void> {
  await validateArchiveSource(p.SourceURI, ctx, config);
  const target = resolveTargetPrefix(p.SourceURI, p.TargetURI, ctx.now, ctx.tags);
  checkWritable(ctx.storage, target.bucket, target.uri, 'TargetURI');
}
