/**
 * `TargetURI` of the image tasks: one object, possibly a template (spec section 5) whose public
 * variables come from the first source. Checked at create time; rendered again at run time with the
 * source's real Last-Modified.
 */
import { Errors } from '../../protocol/errors.ts';
import { parseOssObjectUri } from '../../storage/oss-uri.ts';
import type { ScopedStorage } from '../../storage/scoped-storage.ts';
import { compileTemplate, sourceTemplateVars } from '../../storage/template.ts';

export interface TargetContext {
  sourceUri: string;
  sourceLastModified?: Date;
  createdAt: Date;
  tags: Record<string, string>;
}

export function resolveImageTarget(template: string, c: TargetContext): string {
  const compiled = compileTemplate(template, { paramName: 'TargetURI' });
  const uri = compiled.variables.length
    ? compiled.render(
        sourceTemplateVars({ uri: c.sourceUri, lastModified: c.sourceLastModified }, c.createdAt, c.tags),
      )
    : template;
  parseOssObjectUri(uri, 'TargetURI');
  return uri;
}

export function checkTargetWritable(storage: ScopedStorage, uri: string): void {
  const { bucket } = parseOssObjectUri(uri, 'TargetURI');
  if (!storage.hasBucket(bucket)) {
    throw Errors.invalidParameter('TargetURI', `The bucket ${bucket} does not exist in this region.`);
  }
  if (!storage.canWrite(uri)) {
    throw Errors.noPermission(`The service role ${storage.role} is not allowed to write ${uri}.`);
  }
}
