/**
 * Lists a bucket folder in S3 key order (UTF-8 byte order of the full key). A depth-first walk is in
 * key order when each folder's entries are sorted by name, with folders compared as `name/`: every key
 * below `a/` shares that prefix, so the subtree is one contiguous run of keys.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectInfo } from '../backend.ts';
import { errnoCode } from '../errors.ts';
import { fsEtag } from './fs-etag.ts';
import { isTempName, prefixDir } from './key-path.ts';

interface Entry {
  name: string;
  sortKey: Buffer;
  kind: 'file' | 'dir';
}

export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export async function* listFsObjects(
  root: string,
  prefix: string,
  startAfter?: string,
  signal?: AbortSignal,
): AsyncGenerator<ObjectInfo> {
  const cut = prefix.lastIndexOf('/') + 1;
  const dirPrefix = prefix.slice(0, cut);
  const dir = prefixDir(root, dirPrefix);
  if (dir === null) return;
  yield* walk(dir, dirPrefix, prefix.slice(cut), startAfter, signal);
}

async function* walk(
  dir: string,
  dirPrefix: string,
  namePrefix: string,
  startAfter: string | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<ObjectInfo> {
  signal?.throwIfAborted();
  for (const entry of await readEntries(dir, namePrefix)) {
    const full = path.join(dir, entry.name);
    if (entry.kind === 'dir') {
      const sub = `${dirPrefix}${entry.name}/`;
      // Skip a subtree all of whose keys sort before the resume point.
      if (startAfter !== undefined && !startAfter.startsWith(sub) && compareKeys(sub, startAfter) < 0)
        continue;
      yield* walk(full, sub, '', startAfter, signal);
      continue;
    }
    const key = `${dirPrefix}${entry.name}`;
    if (startAfter !== undefined && compareKeys(key, startAfter) <= 0) continue;
    const info = await statFile(full, key);
    if (info) yield info;
  }
}

async function readEntries(dir: string, namePrefix: string): Promise<Entry[]> {
  let dirents: Dirent[];
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
  const entries: Entry[] = [];
  for (const d of dirents) {
    if (!d.name.startsWith(namePrefix)) continue;
    // temp files of in-flight writes (in any folder) and the bookkeeping folder are never objects
    if (isTempName(d.name)) continue;
    // A name that is not valid UTF-8 cannot be addressed by any key.
    if (d.name.includes('\uFFFD')) continue;
    // Folders are walked only when real (never through symlinks: no cycles, no escape from the root);
    // symlinked files are listed, since an operator may link media into a bucket on purpose.
    const kind = d.isDirectory() ? 'dir' : d.isFile() || d.isSymbolicLink() ? 'file' : null;
    if (!kind) continue;
    const sortName = kind === 'dir' ? `${d.name}/` : d.name;
    entries.push({ name: d.name, sortKey: Buffer.from(sortName, 'utf8'), kind });
  }
  return entries.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
}

async function statFile(full: string, key: string): Promise<ObjectInfo | null> {
  try {
    const st = await stat(full);
    if (!st.isFile()) return null;
    return { key, size: st.size, lastModified: st.mtime, etag: fsEtag(st) };
  } catch (err) {
    // Deleted between readdir and stat, or a dangling symlink: not an object.
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}
