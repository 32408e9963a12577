/**
 * Which entries a FileUncompression task writes, and where. Every entry of the archive is checked (a
 * hostile entry fails the task even when it is not selected: the archive is not to be trusted), then
 * `SelectedFiles` picks files by their path in the archive; a selected path ending with `/` picks the
 * whole folder. A selected path the archive does not hold fails the task before anything is written.
 */

import type { ArchiveEntry } from '../../engines/archive/entry.ts';
import { PathRegistry, safeEntryPath } from '../../engines/archive/entry-path.ts';
import { ArchiveErrors } from '../../engines/archive/errors.ts';
import { TaskErrors } from '../task-error.ts';

export interface PlannedFile {
  entry: ArchiveEntry;
  /** Safe relative path under the target prefix. */
  path: string;
}

export interface Selection {
  files: PlannedFile[];
  all: boolean;
}

/** Normalised form used to match SelectedFiles against entry names. */
function matchKey(name: string): string {
  return name.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

export function planSelection(entries: ArchiveEntry[], selected: string[] | undefined): Selection {
  const registry = new PathRegistry();
  const files: PlannedFile[] = [];
  for (const entry of entries) {
    if (entry.kind === 'symlink' || entry.kind === 'hardlink') {
      throw ArchiveErrors.unsafe(
        entry.name,
        'links are not extracted (they could point outside the target).',
      );
    }
    if (entry.kind === 'special') throw ArchiveErrors.unsafe(entry.name, 'it is not a regular file.');
    const safe = safeEntryPath(entry.name, entry.kind === 'dir');
    registry.add(entry.name, safe);
    if (entry.kind === 'file') files.push({ entry, path: safe.path });
  }
  if (!selected || selected.length === 0) return { files, all: true };

  const exact = new Set<string>();
  const folders: string[] = [];
  for (const s of selected) {
    const key = matchKey(s);
    if (key.endsWith('/')) folders.push(key);
    else exact.add(key);
  }
  const found = new Set<string>();
  const chosen = files.filter((f) => {
    const key = matchKey(f.entry.name);
    if (exact.has(key)) {
      found.add(key);
      return true;
    }
    const folder = folders.find((d) => key.startsWith(d));
    if (folder !== undefined) found.add(folder);
    return folder !== undefined;
  });
  const dirKeys = new Set(
    entries.filter((e) => e.kind === 'dir').map((e) => matchKey(e.name).replace(/\/?$/, '/')),
  );
  for (const s of selected) {
    const key = matchKey(s);
    if (!found.has(key) && !dirKeys.has(key)) {
      throw TaskErrors.invalidArgument(
        `SelectedFiles names "${s.slice(0, 200)}", which the archive does not hold.`,
      );
    }
  }
  return { files: chosen, all: chosen.length === files.length };
}
