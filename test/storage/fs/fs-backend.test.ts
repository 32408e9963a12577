import { mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileBody, ObjectNotFoundError, type StorageBackend } from '../../../src/storage/backend.ts';
import { InvalidKeyError } from '../../../src/storage/errors.ts';
import { createFsBackend } from '../../../src/storage/fs/fs-backend.ts';
import { WriteBatch } from '../../../src/storage/write-batch.ts';
import { listKeys, readAll, runBackendContract } from '../backend-contract.ts';
import { freshFsBucket, tempFilesUnder } from './temp-files.ts';

runBackendContract('fs', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  return {
    backend: createFsBackend(dir, { bucket: 'contract' }),
    cleanup: () => rm(dir, { recursive: true }),
  };
});

describe('fs backend specifics', () => {
  let base: string;
  let root: string;
  let b: StorageBackend;
  freshFsBucket((fx) => ({ base, root, b } = fx));

  it('stores objects at <root>/<key>', async () => {
    await b.write('dir/sub/file.txt', Buffer.from('content'));
    expect((await stat(path.join(root, 'dir/sub/file.txt'))).size).toBe(7);
  });

  it.each(['../escape', 'a/../../escape', '/etc/passwd', 'a/./b', 'a//b', '.openimm-tmp/x', 'dir/', ''])(
    'refuses the unsafe key %j and writes nothing outside the root',
    async (key) => {
      await expect(b.write(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(b.read(key)).rejects.toBeInstanceOf(
        key === '' || key.endsWith('/') ? InvalidKeyError : Error,
      );
      expect(await readdir(base)).toEqual(expect.not.arrayContaining(['escape']));
      await expect(stat(path.join(base, 'escape'))).rejects.toThrow();
    },
  );

  it('lists nothing for prefixes that climb out of the root', async () => {
    await writeFile(path.join(base, 'outside'), 'secret');
    await b.write('inside', Buffer.from('x'));
    expect(await listKeys(b, '../')).toEqual([]);
    expect(await listKeys(b, '../out')).toEqual([]);
    expect(await listKeys(b, '.openimm-tmp/')).toEqual([]);
  });

  it('writes through a hidden temp file beside the target, removed after failed and aborted writes', async () => {
    await b.write('d/ok', Buffer.from('ok'));
    const body = new PassThrough();
    const controller = new AbortController();
    const pending = b.write('d/aborted', body, { signal: controller.signal });
    body.write(Buffer.alloc(1024));
    await new Promise((r) => setTimeout(r, 20));
    const [temp, ...others] = await tempFilesUnder(root);
    expect(others).toEqual([]);
    expect(temp).toMatch(/^d\/\.openimm-tmp-[0-9a-f-]{36}$/);
    // an in-flight temp file is no object: not listed, not readable, not writable by its name
    expect(await listKeys(b, '')).toEqual(['d/ok']);
    expect(await listKeys(b, 'd/.openimm')).toEqual([]);
    expect(await listKeys(b, 'd/', 'd/a')).toEqual(['d/ok']);
    await expect(b.head(temp!)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(b.read(temp!)).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(b.write(temp!, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidKeyError);
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(await tempFilesUnder(root)).toEqual([]);
    expect(await listKeys(b, '')).toEqual(['d/ok']);
  });

  it('hands a FileBody its temp file, and removes it when the producer fails or the size is wrong', async () => {
    const seen: string[] = [];
    const fill = (text: string, fail?: boolean) =>
      new FileBody(
        async (file) => {
          seen.push(path.relative(root, file));
          await writeFile(file, text);
          if (fail) throw new Error('producer broke');
          return text.length;
        },
        async () => {
          throw new Error('an fs bucket never asks for the stream');
        },
      );
    const batch = new WriteBatch();
    await b.write('f/direct', fill('direct'));
    await b.write('f/batched', fill('batched'), { batch });
    await batch.flush();
    expect(seen).toHaveLength(2);
    for (const file of seen) expect(file).toMatch(/^f\/\.openimm-tmp-[0-9a-f-]{36}$/);
    expect((await readAll(await b.read('f/batched'))).toString()).toBe('batched');
    await expect(b.write('f/broken', fill('partial', true), { batch })).rejects.toThrow(/producer broke/);
    await expect(b.write('f/sized', fill('four'), { size: 9 })).rejects.toThrow(/size/i);
    await expect(b.write('f/sized', fill('four'), { size: 9, batch })).rejects.toThrow(/size/i);
    await batch.flush();
    expect(await tempFilesUnder(root)).toEqual([]);
    expect(await listKeys(b, 'f/')).toEqual(['f/batched', 'f/direct']);
  });

  it('refuses keys with a segment in the reserved temp name space, at any depth', async () => {
    for (const key of ['.openimm-tmp-1', 'a/.openimm-tmp-x', 'a/b/.openimm-tmpfoo/c']) {
      await expect(b.write(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidKeyError);
    }
    expect(await tempFilesUnder(root)).toEqual([]);
    expect(await listKeys(b, 'a/.openimm-tmp-x/')).toEqual([]);
  });

  it('prunes folders emptied by a delete, but not the bucket root', async () => {
    await b.write('a/b/c/d.txt', Buffer.from('x'));
    await b.write('a/keep.txt', Buffer.from('x'));
    await b.delete('a/b/c/d.txt');
    expect(await readdir(path.join(root, 'a'))).toEqual(['keep.txt']);
    await b.delete('a/keep.txt');
    expect((await readdir(root)).filter((n) => n !== '.openimm-tmp')).toEqual([]);
    expect((await stat(root)).isDirectory()).toBe(true);
  });

  it('refuses an object whose key is an existing prefix, and the reverse', async () => {
    await b.write('p/child', Buffer.from('x'));
    await expect(b.write('p', Buffer.from('y'))).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(b.write('p/child/grandchild', Buffer.from('z'))).rejects.toBeInstanceOf(InvalidKeyError);
    expect(await listKeys(b, '')).toEqual(['p/child']);
    expect(await b.head('p')).toBeNull();
    await expect(b.read('p')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('names the full OSS URI in not-found errors', async () => {
    await expect(b.read('nope.txt')).rejects.toThrow('File does not exist. oss://bkt/nope.txt');
  });

  it('lists files an operator linked into the bucket, but never walks linked folders', async () => {
    await b.write('real', Buffer.from('r'));
    await writeFile(path.join(base, 'media.bin'), 'linked');
    await symlink(path.join(base, 'media.bin'), path.join(root, 'linked.bin'));
    await symlink(base, path.join(root, 'loop'));
    expect(await listKeys(b, '')).toEqual(['linked.bin', 'real']);
    expect((await readAll(await b.read('linked.bin'))).toString()).toBe('linked');
  });

  it('keeps concurrent writes of one key whole', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(200_000, i));
    await Promise.all(bodies.map((body) => b.write('race', body)));
    const got = await readAll(await b.read('race'));
    expect(got.length).toBe(200_000);
    expect(bodies.some((body) => body.equals(got))).toBe(true);
  });
});

describe('fs backend kernel copies', () => {
  it('copies a local file in atomically and refuses unsafe keys', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
    try {
      const b = createFsBackend(path.join(base, 'bucket'));
      await writeFile(path.join(base, 'src.bin'), Buffer.alloc(100_000, 3));
      const info = await b.copyIn(path.join(base, 'src.bin'), 'in/copy.bin');
      expect(info.size).toBe(100_000);
      expect((await b.head('in/copy.bin'))?.etag).toBe(info.etag);
      expect(b.pathOf('in/copy.bin')).toBe(path.join(base, 'bucket', 'in', 'copy.bin'));
      await expect(b.copyIn(path.join(base, 'src.bin'), '../out.bin')).rejects.toBeInstanceOf(
        InvalidKeyError,
      );
      await expect(b.copyIn(path.join(base, 'missing.bin'), 'x.bin')).rejects.toThrow();
      expect(await tempFilesUnder(path.join(base, 'bucket'))).toEqual([]);
      expect(() => b.pathOf('a/../../x')).toThrow(InvalidKeyError);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
