/** The archive object FileCompression writes: `TargetURI`, an object URI (not a prefix). */
import { parseOssObjectUri } from '../../storage/oss-uri.ts';

export interface ResolvedTarget {
  uri: string;
  bucket: string;
  key: string;
}

export function resolveTarget(targetUri: string): ResolvedTarget {
  const loc = parseOssObjectUri(targetUri, 'TargetURI');
  return { uri: targetUri, ...loc };
}
