import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { StorageBackend } from '../../../src/storage/backend.ts';
import { InvalidKeyError, SizeMismatchError } from '../../../src/storage/errors.ts';
import { FsBatchPart } from '../../../src/storage/fs/fs-batch.ts';
import { WriteBatch } from '../../../src/storage/write-batch.ts';
import { freshFsBucket, tempFilesUnder } from './temp-files.ts';

describe('fs backend: writes in a batch', () => {
  let base: string;
  let root: string;
  let b: StorageBackend;
  freshFsBucket((fx) => ({ base, root, b } = fx));

  const temps = () => tempFilesUnder(root);

  it('objects are whole once the batch is flushed, and no temp file stays', async () => {
    const batch = new WriteBatch();
    await b.write('x/a.txt', Buffer.from('alpha'), { batch });
    await b.write('x/y/b.txt', Buffer.from('beta'), { batch });
    await batch.flush();
    expect(await readFile(path.join(root, 'x/a.txt'), 'utf8')).toBe('alpha');
    expect(await readFile(path.join(root, 'x/y/b.txt'), 'utf8')).toBe('beta');
    expect(await temps()).toEqual([]);
  });

  it('writes a body held in shared memory from where it lies, at its offset', async () => {
    const shared = Buffer.from(new SharedArrayBuffer(64), 0, 64);
    shared.write('....in shared memory....');
    const batch = new WriteBatch();
    await b.write('s/a.txt', shared.subarray(4, 20), { batch });
    await batch.flush();
    expect(await readFile(path.join(root, 's/a.txt'), 'utf8')).toBe('in shared memory');
  });

  it('publishes full groups while writing continues', async () => {
    const batch = new WriteBatch();
    for (let i = 0; i < 150; i++) await b.write(`g/f${i}`, Buffer.from(String(i)), { batch });
    await batch.flush();
    const names = await readdir(path.join(root, 'g'));
    expect(names).toHaveLength(150);
    expect(await readFile(path.join(root, 'g/f149'), 'utf8')).toBe('149');
  });

  it('discard removes what is not yet published', async () => {
    const batch = new WriteBatch();
    await b.write('d/a', Buffer.from('a'), { batch });
    await batch.discard();
    expect(await b.head('d/a')).toBeNull();
    expect(await temps()).toEqual([]);
  });

  it('a key under an existing object fails at write time, with no temp file', async () => {
    await b.write('file', Buffer.from('x'));
    const batch = new WriteBatch();
    await expect(b.write('file/inner', Buffer.from('y'), { batch })).rejects.toBeInstanceOf(InvalidKeyError);
    await batch.flush();
    expect(await temps()).toEqual([]);
  });

  it('a failed publication fails the flush and the later writes, and leaves no temp file', async () => {
    await b.write('dir/inner', Buffer.from('x'));
    const batch = new WriteBatch();
    await b.write('ok', Buffer.from('fine'), { batch });
    await b.write('dir', Buffer.from('y'), { batch }); // a folder holds the name: the rename fails
    await expect(batch.flush()).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(b.write('late', Buffer.from('z'), { batch })).rejects.toBeInstanceOf(InvalidKeyError);
    expect(await b.head('late')).toBeNull();
    expect(await temps()).toEqual([]);
    expect((await b.head('dir/inner'))?.size).toBe(1);
  });

  it('a body that errors or is aborted leaves nothing', async () => {
    const batch = new WriteBatch();
    const body = new PassThrough();
    body.on('error', () => {}); // the write sees the failure through its read loop
    const failing = b.write('e/broken', body, { batch });
    body.write('partial');
    body.destroy(new Error('source failed'));
    await expect(failing).rejects.toThrow('source failed');
    const ac = new AbortController();
    ac.abort();
    await expect(b.write('e/aborted', Buffer.from('x'), { batch, signal: ac.signal })).rejects.toThrow();
    await expect(b.write('e/short', Buffer.from('xy'), { batch, size: 3 })).rejects.toThrow();
    await batch.flush();
    expect(await b.head('e/broken')).toBeNull();
    expect(await b.head('e/short')).toBeNull();
    expect(await temps()).toEqual([]);
  });

  it('a folder removed between writes (remembered as made) is made again', async () => {
    const batch = new WriteBatch();
    await b.write('r/s/a', Buffer.from('a'), { batch });
    await batch.flush();
    await rm(path.join(root, 'r'), { recursive: true });
    await b.write('r/s/b', Buffer.from('b'), { batch });
    await batch.flush();
    expect(await readFile(path.join(root, 'r/s/b'), 'utf8')).toBe('b');
    expect(await temps()).toEqual([]);
  });

  it('writers hand over at most maxHandles open handles; every object is published', async () => {
    const part = new FsBatchPart(root, async () => {}, { maxHandles: 1, groupDelayMs: 3_600_000 });
    expect(part.takesHandle()).toBe(true);
    const dir = path.join(base, 'held');
    await mkdir(dir, { recursive: true });
    const { open } = await import('node:fs/promises');
    const fh = await open(path.join(dir, 'x'), 'w');
    await part.add({ tmp: path.join(dir, 'x'), target: path.join(root, 'x'), key: 'x', size: 0, fh });
    expect(part.takesHandle()).toBe(false);
    await part.flush();
    expect(part.takesHandle()).toBe(true);
    expect(fh.fd).toBe(-1); // closed by the batch after its fsync
  });

  it('the part publishes groups in order of arrival, only once their files are synced', async () => {
    const moves: string[] = [];
    const part = new FsBatchPart(
      root,
      async (tmp, target) => {
        // the temp file is still there (synced, not yet renamed) when the move is asked for
        expect(await readFile(tmp, 'utf8')).toBe(path.basename(target));
        moves.push(path.relative(root, target));
      },
      { groupObjects: 2, groupDelayMs: 3_600_000, maxGroupsInFlight: 0 },
    );
    const dir = path.join(base, 'tmp');
    await mkdir(dir, { recursive: true });
    const add = async (name: string) => {
      await writeFile(path.join(dir, name), name);
      await part.add({
        tmp: path.join(dir, name),
        target: path.join(root, 'p', name),
        key: `p/${name}`,
        size: 1,
      });
    };
    await add('a');
    expect(moves).toEqual([]); // below the group size, the delay far away: waiting
    await add('b');
    expect(moves).toEqual(['p/a', 'p/b']); // no group may stay in flight: the writer waited for it
    await add('c');
    expect(moves).toEqual(['p/a', 'p/b']);
    await mkdir(path.join(root, 'p'), { recursive: true });
    await part.flush();
    expect(moves).toEqual(['p/a', 'p/b', 'p/c']);
  });
  it('bodies written at once, small (the writer thread) and large (the pool), land whole and in place', async () => {
    const batch = new WriteBatch();
    const body = (i: number) => Buffer.alloc(i % 10 === 0 ? 1024 * 1024 + 1 + i : 1000 + i * 37, i % 251);
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        b.write(`m/${i % 7}/f${i}`, body(i), { batch, size: body(i).length }),
      ),
    );
    await batch.flush();
    for (const i of [0, 1, 9, 10, 119]) {
      expect((await readFile(path.join(root, `m/${i % 7}/f${i}`))).equals(body(i))).toBe(true);
    }
    expect(await temps()).toEqual([]);
  });

  it('a body whose size is not the declared one is refused before anything is created', async () => {
    const batch = new WriteBatch();
    await expect(b.write('s/a', Buffer.from('abc'), { batch, size: 4 })).rejects.toBeInstanceOf(
      SizeMismatchError,
    );
    await batch.flush();
    expect(await b.head('s/a')).toBeNull();
    expect(await temps()).toEqual([]);
  });
});
