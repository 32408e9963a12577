/**
 * OSS URIs (`oss://<bucket>/<key>`), spec section 4. Parsing is strict so that every malformed form is
 * refused at create time with `InvalidArgument` naming the parameter, and so that no accepted key can
 * be turned into a path outside its bucket by a filesystem backend.
 */
import { Errors, type ImmError } from '../protocol/errors.ts';

export interface OssLocation {
  bucket: string;
  key: string;
}

const SCHEME = 'oss://';
/** OSS bucket naming: 3–63 chars, lowercase letters, digits and hyphens, no hyphen at either end. */
const BUCKET_RE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** OSS limits object keys to 1023 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1023;

export function isValidBucketName(name: string): boolean {
  return BUCKET_RE.test(name);
}

/**
 * Why a key is unsafe or invalid, or null when it is fine. An empty key and a trailing `/` are allowed
 * (they denote a bucket root or a prefix); `.`/`..` segments, empty inner segments, a leading `/`,
 * control characters and over-long keys are not.
 */
export function keyProblem(key: string): string | null {
  if (key === '') return null;
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    return `The object key is longer than ${MAX_KEY_BYTES} bytes.`;
  if (key.startsWith('/')) return 'The object key must not start with "/".';
  if (key.startsWith('\\')) return 'The object key must not start with "\\".';
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'The object key must not contain control characters.';
  if (key.includes('\uFFFD')) return 'The object key is not valid UTF-8.';
  const segments = key.split('/');
  // A trailing slash leaves one empty last segment: that is a prefix, which is fine.
  if (segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) {
    if (segment === '') return 'The object key must not contain empty path segments ("//").';
    if (segment === '.' || segment === '..')
      return `The object key must not contain "${segment}" path segments.`;
  }
  return null;
}

function invalid(paramName: string, detail: string): ImmError {
  return Errors.invalidParameter(paramName, detail);
}

/**
 * Parses `oss://bucket/key`. The key may be empty (`oss://bucket` or `oss://bucket/`) or end with `/`
 * (a prefix); callers that need an object key check that themselves. Throws ImmError InvalidArgument.
 */
export function parseOssUri(uri: string, paramName = 'URI'): OssLocation {
  if (typeof uri !== 'string' || uri === '') throw invalid(paramName, 'The OSS URI is empty.');
  if (!uri.startsWith(SCHEME)) {
    throw invalid(
      paramName,
      `The value must be an OSS URI of the form oss://<bucket>/<object>: ${clip(uri)}`,
    );
  }
  const rest = uri.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (bucket === '') throw invalid(paramName, `The OSS URI has no bucket: ${clip(uri)}`);
  if (bucket.includes('.')) {
    throw invalid(paramName, `The OSS URI must name a bucket, not an endpoint: ${clip(uri)}`);
  }
  if (!isValidBucketName(bucket)) {
    throw invalid(paramName, `The bucket name "${clip(bucket)}" is not valid.`);
  }
  const problem = keyProblem(key);
  if (problem) throw invalid(paramName, `${problem} ${clip(uri)}`);
  return { bucket, key };
}

/** Parses a URI that must name one object (not a bucket or a prefix). */
export function parseOssObjectUri(uri: string, paramName = 'URI'): OssLocation {
  const loc = parseOssUri(uri, paramName);
  if (loc.key === '' || loc.key.endsWith('/')) {
    throw invalid(paramName, `The OSS URI must name an object, not a bucket or a prefix: ${clip(uri)}`);
  }
  return loc;
}

/** Parses a URI that must denote a prefix ("directory"): empty key or trailing `/`. */
export function parseOssPrefixUri(uri: string, paramName = 'URI'): OssLocation {
  const loc = parseOssUri(uri, paramName);
  if (loc.key !== '' && !loc.key.endsWith('/')) {
    throw invalid(paramName, `The OSS URI must end with "/" to denote a prefix: ${clip(uri)}`);
  }
  return loc;
}

export function formatOssUri(bucket: string, key: string): string {
  return `${SCHEME}${bucket}/${key}`;
}

export function isOssUri(value: string): boolean {
  return typeof value === 'string' && value.startsWith(SCHEME);
}

/** Keeps client-visible messages short even for hostile input. */
function clip(value: string): string {
  return value.length > 300 ? `${value.slice(0, 300)}…` : value;
}
