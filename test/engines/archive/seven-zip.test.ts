import { describe, expect, it } from 'vitest';
import { sevenZipEntry } from '../../../src/engines/archive/seven-zip.ts';
import { classifySevenZipFailure } from '../../../src/engines/archive/seven-zip-process.ts';

const block = (text: string) =>
  new Map(
    text
      .trim()
      .split('\n')
      .map((l) => l.split(' = ') as [string, string]),
  );

describe('7-Zip listing', () => {
  it('reads files, folders, links and hard links from `l -slt` blocks', () => {
    const file = sevenZipEntry(
      block(
        'Path = a/b.txt\nSize = 12\nPacked Size = 7\nModified = 2024-03-04 05:06:07.5\nAttributes = A -rw-r--r--\nCRC = 0000ABCD\nEncrypted = +',
      ),
      3,
    );
    expect(file).toEqual({
      index: 3,
      name: 'a/b.txt',
      kind: 'file',
      size: 12,
      compressedSize: 7,
      mtime: new Date(Date.UTC(2024, 2, 4, 5, 6, 7, 500)),
      encrypted: true,
      crc32: 0xabcd,
    });
    expect(sevenZipEntry(block('Path = d\nAttributes = D drwxr-xr-x'), 0).kind).toBe('dir');
    expect(sevenZipEntry(block('Path = l\nAttributes = A lrwxrwxrwx'), 0).kind).toBe('symlink');
    expect(sevenZipEntry(block('Path = h\nAttributes = A -rw-r--r--\nHard Link = s/f.txt'), 0).kind).toBe(
      'hardlink',
    );
    expect(sevenZipEntry(block('Path = p\nAttributes = A prw-r--r--'), 0).kind).toBe('special');
  });

  it('classifies 7-Zip failures without showing its stderr', () => {
    expect(classifySevenZipFailure('ERROR: Wrong password : a.txt', 2, null, 'x').message).toMatch(
      /Password is wrong/,
    );
    expect(
      classifySevenZipFailure('Cannot open encrypted archive. Wrong password?', 2, null).message,
    ).toMatch(/Password is required/);
    expect(classifySevenZipFailure('ERROR: x.7z : Cannot open the file as archive', 2, null).message).toMatch(
      /not a readable archive/,
    );
    const crc = classifySevenZipFailure('ERROR: CRC Failed : dir/f.bin', 2, null);
    expect(crc.message).toContain('dir/f.bin');
  });
});
