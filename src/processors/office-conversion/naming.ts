/**
 * Output naming (spec section 5): a `TargetURI` template with the operation variables `{index}`,
 * `{sheetname}` and `{autoext}`, or a `TargetURIPrefix` under which files are named
 * `<prefix>{index}.{autoext}`.
 */
import { ImmError } from '../../protocol/errors.ts';
import { formatOssUri, parseOssUri } from '../../storage/oss-uri.ts';
import { type CompiledTemplate, compileTemplate, sourceTemplateVars } from '../../storage/template.ts';
import { TaskErrors } from '../task-error.ts';
import type { TargetType } from './params.ts';

export const OPERATION_VARS = ['index', 'sheetname', 'autoext'];

/** What one output file contributes to its name. */
export interface OutputVars {
  /** Page number, `sheetindex_sheetsubindex` for spreadsheet pages, or `1` for a single file. */
  index: string;
  sheetname: string;
}

export interface NamingRequest {
  SourceURI: string;
  TargetType: TargetType;
  TargetURI?: string;
  TargetURIPrefix?: string;
}

export function compileTarget(p: NamingRequest): CompiledTemplate | undefined {
  if (p.TargetURI === undefined) return undefined;
  return compileTemplate(p.TargetURI, { paramName: 'TargetURI', operationVars: OPERATION_VARS });
}

/** A sample name, for create-time checks of the target bucket and the role's write access. */
export function sampleTargetUri(p: NamingRequest, createdAt: Date, tags: Record<string, string>): string {
  return makeNamer(p, { createdAt, tags })({ index: '1', sheetname: 'Sheet1' });
}

/**
 * Returns a function from output variables to the output URI. Throws ImmError for a template that
 * cannot be rendered (create time); at run time the caller turns that into a task failure.
 */
export function makeNamer(
  p: NamingRequest,
  ctx: { createdAt: Date; tags: Record<string, string>; lastModified?: Date },
): (vars: OutputVars) => string {
  const autoext = p.TargetType;
  const template = compileTarget(p);
  if (template) {
    const base = sourceTemplateVars(
      { uri: p.SourceURI, lastModified: ctx.lastModified },
      ctx.createdAt,
      ctx.tags,
    );
    return (vars) => template.render({ ...base, index: vars.index, sheetname: vars.sheetname, autoext });
  }
  // Joined on the key, so that `oss://bucket` (no slash) names `oss://bucket/1.pdf`, not another bucket.
  const prefix = parseOssUri(p.TargetURIPrefix ?? '', 'TargetURIPrefix');
  return (vars) => {
    const uri = formatOssUri(prefix.bucket, `${prefix.key}${vars.index}.${autoext}`);
    parseOssUri(uri, 'TargetURIPrefix');
    return uri;
  };
}

/** Names every output; several outputs on one object would overwrite each other, so that fails first. */
export function nameOutputs(namer: (vars: OutputVars) => string, outputs: OutputVars[]): string[] {
  let uris: string[];
  try {
    uris = outputs.map(namer);
  } catch (err) {
    if (err instanceof ImmError) throw TaskErrors.invalidArgument(err.message, err);
    throw err;
  }
  if (new Set(uris).size !== uris.length) {
    throw TaskErrors.invalidArgument(
      'TargetURI names the same object for several outputs; put {index} (and {sheetname} for spreadsheets) in it.',
    );
  }
  return uris;
}
