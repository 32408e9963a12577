/**
 * Temp files left by a process that died mid-write (a kill -9, a power cut) are never renamed into
 * place and never visible, but they take space: the sweep removes those older than any live write.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { TMP_DIR_NAME } from './key-path.ts';

export async function sweepFsTemp(root: string, olderThanMs: number, now = Date.now()): Promise<number> {
  const dir = path.join(root, TMP_DIR_NAME);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const st = await stat(file);
      if (now - st.mtimeMs < olderThanMs) continue;
      await unlink(file);
      removed += 1;
    } catch {
      // Renamed or removed by its writer meanwhile: nothing to sweep.
    }
  }
  return removed;
}
