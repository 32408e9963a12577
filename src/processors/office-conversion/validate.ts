/**
 * Create-time checks of CreateOfficeConversionTask: the source parses, its bucket exists, the role may
 * read it, it exists and is within the size limit, its type is known, the target template compiles and
 * its bucket is writable.
 */
import type { OfficeConfig } from '../../engines/office/config.ts';
import { Errors } from '../../protocol/errors.ts';
import { parseOssObjectUri, parseOssUri } from '../../storage/oss-uri.ts';
import type { CreateContext } from '../types.ts';
import { compileTarget, type NamingRequest, sampleTargetUri } from './naming.ts';
import type { OfficeConversionParams } from './params.ts';
import { familyOf, type SourceFamily, sourceTypeFromKey } from './source-type.ts';

export async function validateOfficeConversion(
  p: OfficeConversionParams,
  ctx: CreateContext,
  config: OfficeConfig,
): Promise<void> {
  if (p.SourceURI === undefined) {
    // Sources (a list of images) is unpublished in IMM; openimm converts documents only.
    throw Errors.invalidParameter(
      'Sources',
      'Image lists are not converted by this action; give SourceURI, or use CreateImageToPDFTask for images.',
    );
  }
  const source = parseOssObjectUri(p.SourceURI, 'SourceURI');
  sourceFamily(p);
  if (!ctx.storage.hasBucket(source.bucket)) {
    throw Errors.invalidArgument(`The bucket ${source.bucket} does not exist in this region.`);
  }
  if (!ctx.storage.canRead(p.SourceURI)) {
    throw Errors.noPermission(`The service role ${ctx.storage.role} is not allowed to read ${p.SourceURI}.`);
  }
  checkTarget(p as NamingRequest, ctx);
  const info = await ctx.storage.head(p.SourceURI);
  if (!info) throw Errors.invalidArgument(`File does not exist. ${p.SourceURI}`);
  if (info.size > config.maxSourceBytes) {
    throw Errors.limitExceeded(`The source document is larger than ${config.maxSourceBytes} bytes.`);
  }
}

/** The family of the source from SourceType or the key's extension; InvalidArgument when neither says. */
export function sourceFamily(p: OfficeConversionParams): { type: string; family: SourceFamily } {
  const type = p.SourceType ?? sourceTypeFromKey(parseOssUri(p.SourceURI ?? '', 'SourceURI').key);
  const family = type ? familyOf(type) : undefined;
  if (!type || !family) {
    throw Errors.invalidParameter(
      'SourceType',
      'The document type cannot be told from the SourceURI extension; set SourceType (e.g. docx, xlsx, pptx, pdf).',
    );
  }
  return { type, family };
}

function checkTarget(p: NamingRequest, ctx: CreateContext): void {
  const template = compileTarget(p);
  for (const name of template?.variables ?? []) {
    if (name.startsWith('tags.') && ctx.tags[name.slice(5)] === undefined) {
      throw Errors.invalidParameter(
        'TargetURI',
        `The template uses {${name}} but the request Tags have no such key.`,
      );
    }
  }
  const sample = sampleTargetUri(p, ctx.now, ctx.tags);
  const { bucket } = parseOssUri(sample);
  const param = p.TargetURI !== undefined ? 'TargetURI' : 'TargetURIPrefix';
  if (!ctx.storage.hasBucket(bucket)) {
    throw Errors.invalidArgument(`The bucket ${bucket} named by ${param} does not exist in this region.`);
  }
  if (!ctx.storage.canWrite(sample)) {
    throw Errors.noPermission(`The service role ${ctx.storage.role} is not allowed to write ${sample}.`);
  }
}
