/**
 * Create-time checks of CreateFileCompressionTask: every URI parses, every bucket exists, the service role
 * may read the sources and write the target, `fullname` sources exist, `prefix` sources match something,
 * and the sizes already known stay within the limit.
 */
import { Errors } from '../../protocol/errors.ts';
import { parseOssObjectUri } from '../../storage/oss-uri.ts';
import type { CreateContext } from '../types.ts';
import type { FileCompressionParams } from './params.ts';
import { type SourceRule, toRule } from './rules.ts';
import { checkReadable, checkWritable, headExisting, prefixHasObjects } from './storage-checks.ts';
import { resolveTarget } from './target.ts';

export async function validateFileCompression(p: FileCompressionParams, ctx: CreateContext): Promise<void> {
  const rules = (p.Sources ?? []).map((item, i) => toRule(item, `Sources[${i}]`));
  const target = resolveTarget(p, ctx.now, ctx.tags);
  checkWritable(ctx.storage, target.bucket, target.uri, 'TargetURI');

  if (p.SourceManifestURI !== undefined) {
    const loc = parseOssObjectUri(p.SourceManifestURI, 'SourceManifestURI');
    checkReadable(ctx.storage, loc.bucket, p.SourceManifestURI, 'SourceManifestURI');
    await headExisting(ctx.storage, p.SourceManifestURI);
    return;
  }

  for (const rule of rules) checkReadable(ctx.storage, rule.bucket, rule.uri, 'Sources.URI');
  let knownBytes = 0;
  for (const rule of rules) knownBytes += await checkSourceExists(rule, ctx);
  if (knownBytes > ctx.limits.archiveMaxTotalBytes) {
    throw Errors.limitExceeded(`The sources hold more than ${ctx.limits.archiveMaxTotalBytes} bytes.`);
  }
}

/** Returns the object's size for `fullname` rules (0 for prefixes, whose size is known only at run time). */
async function checkSourceExists(rule: SourceRule, ctx: CreateContext): Promise<number> {
  if (rule.mode === 'fullname') return (await headExisting(ctx.storage, rule.uri)).size;
  if (!(await prefixHasObjects(ctx.storage, rule.uri))) {
    throw Errors.invalidArgument(`File does not exist. ${rule.uri}`);
  }
  return 0;
}
