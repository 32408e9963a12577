import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { aliasProblem, archivePath } from '../../../src/processors/file-compression/alias.ts';
import { readManifestItems } from '../../../src/processors/file-compression/manifest.ts';

describe('Alias', () => {
  it('maps object keys to archive paths as spec 9.1 describes', () => {
    expect(archivePath({ key: 'dir/a.doc', mode: 'fullname' }, 'dir/a.doc')).toBe('dir/a.doc');
    expect(archivePath({ key: 'dir/a.doc', mode: 'fullname', alias: '/new.jpg' }, 'dir/a.doc')).toBe(
      'new.jpg',
    );
    expect(archivePath({ key: 'dir/a.doc', mode: 'fullname', alias: '/x/' }, 'dir/a.doc')).toBe('x/a.doc');
    expect(archivePath({ key: 'dir/', mode: 'prefix', alias: '/new-dir/' }, 'dir/s/b.txt')).toBe(
      'new-dir/s/b.txt',
    );
    expect(archivePath({ key: 'dir/', mode: 'prefix', alias: '/new-dir' }, 'dir/s/b.txt')).toBe(
      'new-dir/s/b.txt',
    );
    expect(archivePath({ key: 'dir/', mode: 'prefix', alias: '/' }, 'dir/s/b.txt')).toBe('b.txt');
    expect(archivePath({ key: 'dir/', mode: 'prefix', alias: '/' }, 'dir/s/')).toBe('');
    expect(archivePath({ key: 'dir/', mode: 'prefix' }, 'dir/s/')).toBe('dir/s/');
    expect(archivePath({ key: 'pre', mode: 'prefix', alias: '/z/' }, 'pre/fix.txt')).toBe('z/pre/fix.txt');
  });
  it('refuses aliases that could climb out of the archive root', () => {
    expect(aliasProblem('/a/../b')).toMatch(/\.\./);
    expect(aliasProblem('a\\b')).toMatch(/separator/);
    expect(aliasProblem('/ok/name.txt')).toBeNull();
  });
});

describe('manifest reader', () => {
  const items = async (chunks: string[]) => {
    const out: unknown[] = [];
    for await (const item of readManifestItems(Readable.from(chunks.map((c) => Buffer.from(c)))))
      out.push(item);
    return out;
  };
  it('yields array items across chunk boundaries, strings with brackets and escapes intact', async () => {
    const text = JSON.stringify([{ URI: 'oss://b/a]{,}.txt', Alias: '/"q"/' }, { URI: 'oss://b/文件' }]);
    const chunks = [text.slice(0, 7), text.slice(7, 30), text.slice(30)];
    expect(await items(chunks)).toEqual([
      { URI: 'oss://b/a]{,}.txt', Alias: '/"q"/' },
      { URI: 'oss://b/文件' },
    ]);
  });
  it('accepts JSON Lines', async () => {
    expect(await items(['{"URI":"oss://b/1"}\n{"URI":', '"oss://b/2"}\n'])).toEqual([
      { URI: 'oss://b/1' },
      { URI: 'oss://b/2' },
    ]);
  });
  it('refuses unclosed arrays, trailing text, huge items and broken UTF-8', async () => {
    await expect(items(['[{"URI":"x"}'])).rejects.toThrow(/truncated/);
    await expect(items(['[{"URI":"x"},'])).rejects.toThrow(/not closed/);
    await expect(items(['[{"URI":"x"}] extra'])).rejects.toThrow(/after the manifest/);
    await expect(items([`[{"URI":"${'x'.repeat(70_000)}"}]`])).rejects.toThrow(/64 KB/);
    const bad = Readable.from([Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d])]);
    await expect(
      (async () => {
        for await (const _ of readManifestItems(bad));
      })(),
    ).rejects.toThrow(/UTF-8/);
  });
});
