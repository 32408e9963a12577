/**
 * Where FileUncompression writes: `TargetURI` is a prefix (a template is allowed, its variables taken from
 * the archive object); entries land at `<prefix><entry path>`. Without a TargetURI the entries go beside
 * the archive, into its folder (spec 10 #13). A prefix given without a trailing `/` gets one, so
 * `oss://b/out` means the folder `out/`, not names glued to `out`.
 */
import { formatOssUri, parseOssUri } from '../../storage/oss-uri.ts';
import { compileTemplate, sourceTemplateVars } from '../../storage/template.ts';

export interface TargetPrefix {
  /** `oss://bucket/prefix/` (or `oss://bucket/` for the bucket root). */
  uri: string;
  bucket: string;
  /** Key prefix: '' or ending with `/`. */
  key: string;
}

export function resolveTargetPrefix(
  sourceUri: string,
  targetUri: string | undefined,
  createdAt: Date,
  tags: Record<string, string>,
): TargetPrefix {
  let uri: string;
  if (targetUri === undefined) {
    const { bucket, key } = parseOssUri(sourceUri, 'SourceURI');
    const cut = key.lastIndexOf('/');
    uri = formatOssUri(bucket, cut < 0 ? '' : key.slice(0, cut + 1));
  } else {
    const template = compileTemplate(targetUri, { paramName: 'TargetURI' });
    uri = template.render(sourceTemplateVars({ uri: sourceUri }, createdAt, tags));
  }
  const loc = parseOssUri(uri, 'TargetURI');
  const key = loc.key === '' || loc.key.endsWith('/') ? loc.key : `${loc.key}/`;
  return { uri: formatOssUri(loc.bucket, key), bucket: loc.bucket, key };
}
