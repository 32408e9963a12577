/**
 * Archive entry names → safe relative object paths. An entry may only ever land below the target
 * prefix: traversal (`..`), absolute names (`/x`, `\x`, `C:x`, `//server/share`), control characters and
 * names the object store cannot hold are refused, never "repaired", so a hostile archive fails instead of
 * writing somewhere its author chose. Backslashes are separators (old Windows tools write them) and are
 * checked like slashes.
 */
import { ArchiveErrors } from './errors.ts';

/** OSS keys are at most 1023 bytes; the target prefix takes its share. */
export const MAX_ENTRY_PATH_BYTES = 1023;

export interface SafePath {
  /** `/`-separated, no leading or trailing `/`, no empty, `.` or `..` segments. */
  path: string;
  isDir: boolean;
}

/** Checks one entry name; `isDir` comes from the archive's own flag or a trailing separator. */
export function safeEntryPath(rawName: string, isDirFlag = false): SafePath {
  const refuse = (reason: string) => ArchiveErrors.unsafe(rawName, reason);
  if (rawName === '') throw refuse('the name is empty.');
  if (/[\u0000-\u001f\u007f]/.test(rawName)) throw refuse('the name contains control characters.');
  if (rawName.includes('\uFFFD')) throw refuse('the name is not valid in its encoding.');
  const name = rawName.replace(/\\/g, '/');
  if (name.startsWith('/')) throw refuse('absolute paths are not allowed.');
  if (/^[A-Za-z]:/.test(name)) throw refuse('drive letters are not allowed.');
  const isDir = isDirFlag || name.endsWith('/');
  const segments: string[] = [];
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw refuse('".." path segments are not allowed.');
    segments.push(segment);
  }
  if (segments.length === 0) throw refuse('the name has no path.');
  const path = segments.join('/');
  if (Buffer.byteLength(path, 'utf8') > MAX_ENTRY_PATH_BYTES) throw refuse('the name is too long.');
  return { path, isDir };
}

/**
 * Tracks the paths an extraction will write and refuses duplicates and file/folder clashes (`a` as a
 * file and `a/b`): either would make one entry overwrite or shadow another.
 */
export class PathRegistry {
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();

  add(rawName: string, safe: SafePath): void {
    const { path, isDir } = safe;
    if (isDir) {
      if (this.files.has(path))
        throw ArchiveErrors.unsafe(rawName, 'a file of the same name is also in the archive.');
      this.addParents(rawName, `${path}/`);
      return;
    }
    if (this.files.has(path)) throw ArchiveErrors.unsafe(rawName, 'the name appears twice in the archive.');
    if (this.dirs.has(path))
      throw ArchiveErrors.unsafe(rawName, 'a folder of the same name is also in the archive.');
    this.addParents(rawName, path);
    this.files.add(path);
  }

  private addParents(rawName: string, path: string): void {
    let slash = path.indexOf('/');
    while (slash > 0) {
      const dir = path.slice(0, slash);
      if (this.files.has(dir)) throw ArchiveErrors.unsafe(rawName, `"${dir}" is also a file in the archive.`);
      this.dirs.add(dir);
      slash = path.indexOf('/', slash + 1);
    }
  }
}
