import type { Stats } from 'node:fs';

/**
 * A cheap ETag from the inode, size and mtime: it changes whenever the object is replaced (a write is a
 * rename of a new inode) without hashing the content, which would cost more than the copy itself.
 */
export function fsEtag(st: Stats): string {
  return `${st.ino.toString(16)}-${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}`;
}
