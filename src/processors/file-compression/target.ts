/**
 * The archive object FileCompression writes: `TargetURI`, a plain object URI or a template (spec 5). The
 * template's source variables come from the first rule's URI (or the manifest's), its time variables from
 * the task creation time, so create time and run time resolve the same object.
 */
import { parseOssObjectUri } from '../../storage/oss-uri.ts';
import { compileTemplate, sourceTemplateVars } from '../../storage/template.ts';
import type { FileCompressionParams } from './params.ts';

export interface ResolvedTarget {
  uri: string;
  bucket: string;
  key: string;
}

export function resolveTarget(
  p: FileCompressionParams,
  createdAt: Date,
  tags: Record<string, string>,
): ResolvedTarget {
  const template = compileTemplate(p.TargetURI, { paramName: 'TargetURI' });
  const first = p.Sources?.[0]?.URI ?? p.SourceManifestURI ?? '';
  const uri = template.render(sourceTemplateVars({ uri: first }, createdAt, tags));
  const loc = parseOssObjectUri(uri, 'TargetURI');
  return { uri, ...loc };
}
