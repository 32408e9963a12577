/** The last step of an atomic write: a complete (and durable) temp file renamed over its key's file. */
import { rename } from 'node:fs/promises';
import { errnoCode, InvalidKeyError } from '../errors.ts';

/** Renames a complete temp file over its key; both are in one folder, which the temp file keeps from a prune. */
export async function moveIntoPlace(tmp: string, target: string, key: string): Promise<void> {
  try {
    await rename(tmp, target);
  } catch (err) {
    throw renameFailure(err, key);
  }
}

/** A failed rename over `key` as the error to report: a folder in the way or a long name is the key's fault. */
export function renameFailure(err: unknown, key: string): unknown {
  const code = errnoCode(err);
  if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
    return new InvalidKeyError(key, 'objects exist under this key followed by "/".');
  }
  if (code === 'ENAMETOOLONG') return new InvalidKeyError(key, 'a path segment is too long.');
  return err;
}
