/**
 * Temp files left by a process that died mid-write (a kill -9, a power cut) are never renamed into
 * place and never visible, but they take space: the sweep removes those older than any live write.
 * It visits the folders of the temp register (`temp-register.ts`), and the bookkeeping folder itself,
 * where temp files were made before they moved beside their targets.
 *
 * Only regular files with a temp name and an old enough time are removed, so an in-flight write (whose
 * file is fresh) is never touched. A register entry is dropped once its folder holds no temp file and the
 * entry has not been refreshed for `olderThanMs` plus the refresh interval: every temp file made under it
 * is older than `olderThanMs` by then, and a writer making a new one refreshes (or remakes) the entry first.
 */
import { lstat, readdir, readlink, realpath, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../errors.ts';
import { isTempName, TMP_DIR_NAME } from './key-path.ts';
import { REGISTER_DIR, REGISTER_REFRESH_MS, registerDir } from './temp-register.ts';

export async function sweepFsTemp(root: string, olderThanMs: number, now = Date.now()): Promise<number> {
  const isStale = (mtimeMs: number) => now - mtimeMs >= olderThanMs;
  // the first layout: every temp file (any name) directly in the bookkeeping folder
  let removed = await removeStale(path.join(root, TMP_DIR_NAME), isStale, (name) => name !== REGISTER_DIR);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return removed;
  }
  for (const entry of await names(registerDir(root))) {
    const entryPath = path.join(registerDir(root), entry);
    const dir = await registeredFolder(realRoot, root, entryPath);
    let left = 0;
    if (dir !== null) {
      removed += await removeStale(dir, isStale, isTempName);
      left = (await names(dir)).filter(isTempName).length;
    }
    if (left === 0) await dropEntryIfOld(entryPath, now - olderThanMs - REGISTER_REFRESH_MS);
  }
  return removed;
}

/** The real folder a register entry names, or null when it is gone or does not lie inside the root. */
async function registeredFolder(realRoot: string, root: string, entryPath: string): Promise<string | null> {
  try {
    const rel = await readlink(entryPath);
    if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) return null;
    // resolved through any link an operator put in the way: the folder must still lie inside the root
    const dir = await realpath(path.join(root, rel));
    if (dir !== realRoot && !dir.startsWith(realRoot + path.sep)) return null;
    return dir;
  } catch {
    return null;
  }
}

async function removeStale(
  dir: string,
  isStale: (mtimeMs: number) => boolean,
  isCandidate: (name: string) => boolean,
): Promise<number> {
  let removed = 0;
  for (const name of await names(dir)) {
    if (!isCandidate(name)) continue;
    const file = path.join(dir, name);
    try {
      const st = await lstat(file);
      if (!st.isFile() || !isStale(st.mtimeMs)) continue;
      await unlink(file);
      removed += 1;
    } catch {
      // Renamed or removed by its writer meanwhile: nothing to sweep.
    }
  }
  return removed;
}

async function dropEntryIfOld(entryPath: string, before: number): Promise<void> {
  try {
    if ((await lstat(entryPath)).mtimeMs <= before) await unlink(entryPath);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
