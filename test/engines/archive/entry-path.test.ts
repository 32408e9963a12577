import { describe, expect, it } from 'vitest';
import { PathRegistry, safeEntryPath } from '../../../src/engines/archive/entry-path.ts';
import { ArchiveError } from '../../../src/engines/archive/errors.ts';

const refused = (name: string) => {
  try {
    safeEntryPath(name);
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).kind).toBe('unsafe-entry');
    return (err as ArchiveError).message;
  }
  throw new Error(`${JSON.stringify(name)} was accepted`);
};

describe('safeEntryPath', () => {
  it('keeps ordinary names and normalises separators and dot segments', () => {
    expect(safeEntryPath('a/b/c.txt')).toEqual({ path: 'a/b/c.txt', isDir: false });
    expect(safeEntryPath('dir\\sub\\file.txt')).toEqual({ path: 'dir/sub/file.txt', isDir: false });
    expect(safeEntryPath('./a//b/./c')).toEqual({ path: 'a/b/c', isDir: false });
    expect(safeEntryPath('folder/')).toEqual({ path: 'folder', isDir: true });
    expect(safeEntryPath('名前/ファイル.txt').path).toBe('名前/ファイル.txt');
  });

  it('refuses traversal, absolute names, drive letters, control characters and undecodable names', () => {
    expect(refused('../x')).toMatch(/"\.\."/);
    expect(refused('a/../../x')).toMatch(/"\.\."/);
    expect(refused('..\\..\\x')).toMatch(/"\.\."/);
    expect(refused('/etc/passwd')).toMatch(/absolute/);
    expect(refused('\\\\server\\share\\x')).toMatch(/absolute/);
    expect(refused('C:\\Windows\\x')).toMatch(/drive/);
    expect(refused('c:x')).toMatch(/drive/);
    expect(refused('a\u0000b')).toMatch(/control/);
    expect(refused('bad\uFFFDname')).toMatch(/encoding/);
    expect(refused('./')).toMatch(/no path/);
    expect(refused(`${'a/'.repeat(600)}x`)).toMatch(/too long/);
  });
});

describe('PathRegistry', () => {
  it('refuses duplicates and file/folder clashes in either order', () => {
    const reg = new PathRegistry();
    reg.add('a/b.txt', safeEntryPath('a/b.txt'));
    reg.add('a/', safeEntryPath('a/'));
    expect(() => reg.add('a\\b.txt', safeEntryPath('a\\b.txt'))).toThrow(/twice/);
    expect(() => reg.add('a', safeEntryPath('a'))).toThrow(/folder of the same name/);
    const other = new PathRegistry();
    other.add('x', safeEntryPath('x'));
    expect(() => other.add('x/y', safeEntryPath('x/y'))).toThrow(/also a file/);
    expect(() => other.add('x/', safeEntryPath('x/'))).toThrow(/file of the same name/);
  });
});
