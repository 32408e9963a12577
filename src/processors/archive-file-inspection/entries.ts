/**
 * The entry list of ArchiveFileInspection (spec 8.3.1): `{Name, Path, Size, IsDir, LastModified}` per
 * entry, `Path` `/`-separated with folders ending in `/`. `CompressedSize` follows as an openimm addition.
 * Names are reported as stored (after decoding): listing does not judge them, extraction does.
 */
import type { ArchiveEntry } from '../../engines/archive/entry.ts';

export interface InspectedFile {
  Name: string;
  Path: string;
  Size: number;
  IsDir: boolean;
  LastModified: string;
  CompressedSize: number;
}

/** RFC 3339 UTC with a `Z`, fraction trimmed (as the task times are written). */
function formatTime(d: Date | null): string {
  if (!d || Number.isNaN(d.getTime())) return '';
  return d
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/(\.\d*?)0+Z$/, '$1Z');
}

export function inspectedFile(entry: ArchiveEntry): InspectedFile {
  const isDir = entry.kind === 'dir';
  let path = entry.name.replace(/\\/g, '/');
  if (isDir && !path.endsWith('/')) path += '/';
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return {
    Name: trimmed.slice(trimmed.lastIndexOf('/') + 1),
    Path: path,
    Size: isDir ? 0 : entry.size,
    IsDir: isDir,
    LastModified: formatTime(entry.mtime),
    CompressedSize: isDir ? 0 : entry.compressedSize,
  };
}
