/**
 * Where a source object lands inside the archive (spec 9.1, `Sources[].Alias`):
 * - no Alias: the object's key path (`oss://b/dir/a.doc` → `dir/a.doc`);
 * - a folder (`/new-dir/`, or any Alias of a folder rule `oss://b/dir/`): the matched objects move under it,
 *   keeping their path below the rule's folder (`dir/x/a.doc` → `new-dir/x/a.doc`);
 * - `/`: no folders at all, each object by its file name;
 * - a file name (`/new.jpg`): the one matched object is renamed.
 */

export type SourceMode = 'prefix' | 'fullname';

export interface AliasRule {
  /** The rule's object key (fullname) or key prefix. */
  key: string;
  mode: SourceMode;
  alias?: string;
}

/** Why an Alias is not acceptable, or null. Checked at create time. */
export function aliasProblem(alias: string): string | null {
  if (alias.length > 1023) return 'The Alias is too long.';
  if (/[\u0000-\u001f\u007f]/.test(alias)) return 'The Alias must not contain control characters.';
  if (alias.includes('\\')) return 'The Alias must use "/" as separator.';
  for (const segment of alias.split('/')) {
    if (segment === '.' || segment === '..') return `The Alias must not contain "${segment}" segments.`;
  }
  return null;
}

function dirPart(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? '' : key.slice(0, slash + 1);
}

function baseName(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function clean(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '')
    .join('/');
}

/**
 * The archive path of `objectKey` matched by `rule`: `/`-separated, relative; a trailing `/` marks a folder
 * (from a folder-marker object). Returns '' when nothing is left (a folder marker flattened away).
 */
export function archivePath(rule: AliasRule, objectKey: string): string {
  const isDirMarker = objectKey.endsWith('/');
  const alias = rule.alias ?? '';
  let path: string;
  if (alias === '') {
    path = objectKey;
  } else if (clean(alias) === '') {
    path = isDirMarker ? '' : baseName(objectKey);
  } else if (alias.endsWith('/') || (rule.mode === 'prefix' && (rule.key === '' || rule.key.endsWith('/')))) {
    path = `${clean(alias)}/${objectKey.slice(dirPart(rule.key).length)}`;
  } else {
    path = isDirMarker ? `${clean(alias)}/` : alias;
  }
  const cleaned = clean(path);
  if (cleaned === '') return '';
  return isDirMarker ? `${cleaned}/` : cleaned;
}
