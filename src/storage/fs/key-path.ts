/**
 * Maps object keys onto paths under a bucket root, refusing every key that could name something
 * outside it (or the reserved temp folder). The check is made twice: on the key's segments and on
 * the resolved path, so a bug in one cannot open the other.
 */
import path from 'node:path';
import { InvalidKeyError } from '../errors.ts';
import { keyProblem } from '../oss-uri.ts';

/** Temp files of in-flight writes live here, inside the bucket root so a rename never crosses devices. */
export const TMP_DIR_NAME = '.openimm-tmp';

/** The file path of an object key. Throws InvalidKeyError for keys the filesystem cannot hold safely. */
export function objectPath(root: string, key: string): string {
  if (key === '') throw new InvalidKeyError(key, 'the key is empty.');
  if (key.endsWith('/')) {
    throw new InvalidKeyError(
      key,
      'a key ending with "/" is a directory marker, which this backend does not store.',
    );
  }
  const problem = keyProblem(key);
  if (problem) throw new InvalidKeyError(key, problem);
  const segments = key.split('/');
  if (segments[0] === TMP_DIR_NAME) throw new InvalidKeyError(key, `"${TMP_DIR_NAME}" is reserved.`);
  return checkedJoin(root, segments, key);
}

/** The folder of a key prefix ending with `/` (or the root for ''), or null when no key can live there. */
export function prefixDir(root: string, dirPrefix: string): string | null {
  if (dirPrefix === '') return root;
  if (keyProblem(dirPrefix) !== null) return null;
  const segments = dirPrefix.split('/').slice(0, -1);
  if (segments[0] === TMP_DIR_NAME) return null;
  return checkedJoin(root, segments, dirPrefix);
}

function checkedJoin(root: string, segments: string[], key: string): string {
  const resolvedRoot = path.resolve(root);
  const full = path.resolve(resolvedRoot, ...segments);
  const rel = path.relative(resolvedRoot, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new InvalidKeyError(key, 'the key resolves outside the bucket.');
  }
  return full;
}
