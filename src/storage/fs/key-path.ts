/**
 * Maps object keys onto paths under a bucket root, refusing every key that could name something
 * outside it (or a reserved temp name). The check is made twice: on the key's segments and on
 * the resolved path, so a bug in one cannot open the other.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { InvalidKeyError } from '../errors.ts';
import { keyProblem } from '../oss-uri.ts';

/**
 * Names starting with this are the backend's own, never objects: the temp file of an in-flight write
 * (`<folder>/.openimm-tmp-<uuid>`, beside its target) and the bucket's bookkeeping folder (`.openimm-tmp`).
 * No key may hold a segment starting with it, and listings skip such names at every level.
 */
export const TEMP_PREFIX = '.openimm-tmp';
/** The bucket's bookkeeping folder (the register of folders that may hold temp files, and old temp files). */
export const TMP_DIR_NAME = TEMP_PREFIX;

export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/**
 * A fresh temp file name beside `target`: in the target's own folder, so parallel writes into different
 * folders take different directory locks, and the final rename stays within one folder.
 */
export function tempPathBeside(target: string): string {
  return path.join(path.dirname(target), `${TEMP_PREFIX}-${randomUUID()}`);
}

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
  if (segments.some(isTempName)) {
    throw new InvalidKeyError(key, `names starting with "${TEMP_PREFIX}" are reserved.`);
  }
  return checkedJoin(root, segments, key);
}

/** The folder of a key prefix ending with `/` (or the root for ''), or null when no key can live there. */
export function prefixDir(root: string, dirPrefix: string): string | null {
  if (dirPrefix === '') return root;
  if (keyProblem(dirPrefix) !== null) return null;
  const segments = dirPrefix.split('/').slice(0, -1);
  if (segments.some(isTempName)) return null;
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
