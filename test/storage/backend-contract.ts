/**
 * The StorageBackend contract, run against every backend (fs, s3) by their own test files.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBody, ObjectNotFoundError, type StorageBackend } from '../../src/storage/backend.ts';
import { InvalidRangeError } from '../../src/storage/errors.ts';
import { WriteBatch } from '../../src/storage/write-batch.ts';

export interface ContractTarget {
  backend: StorageBackend;
  cleanup(): Promise<void>;
  /**
   * Known deviations of the server behind the backend (not of the backend): s3rver walks its folders
   * instead of sorting keys, and reads `bytes=0-0` as the whole object.
   */
  quirks?: { listOrderByFolders?: boolean; rangeZeroZeroIsWhole?: boolean };
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export async function listKeys(
  backend: StorageBackend,
  prefix: string,
  startAfter?: string,
): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of backend.list(prefix, { startAfter })) keys.push(info.key);
  return keys;
}

function chunked(data: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts);
}

export function runBackendContract(name: string, setup: () => Promise<ContractTarget>): void {
  describe(`StorageBackend contract: ${name}`, () => {
    let target: ContractTarget;
    let b: StorageBackend;
    beforeAll(async () => {
      target = await setup();
      b = target.backend;
    });
    afterAll(async () => target?.cleanup());

    it('writes a buffer and reads it back with its facts', async () => {
      const before = Date.now();
      const info = await b.write('c1/hello.txt', Buffer.from('hello world'), { contentType: 'text/plain' });
      expect(info.key).toBe('c1/hello.txt');
      expect(info.size).toBe(11);
      expect(Math.abs(info.lastModified.getTime() - before)).toBeLessThan(10_000);
      const head = await b.head('c1/hello.txt');
      expect(head?.size).toBe(11);
      expect(head?.etag).toBeTruthy();
      expect(head?.etag).toBe(info.etag);
      expect((await readAll(await b.read('c1/hello.txt'))).toString()).toBe('hello world');
    });

    it('streams a multi-megabyte body in small chunks', async () => {
      const data = randomBytes(6 * 1024 * 1024 + 123);
      const info = await b.write('c2/big.bin', chunked(data, 64 * 1024));
      expect(info.size).toBe(data.length);
      expect((await readAll(await b.read('c2/big.bin'))).equals(data)).toBe(true);
      expect((await b.head('c2/big.bin'))?.size).toBe(data.length);
    });

    it('reports missing objects', async () => {
      expect(await b.head('c3/missing')).toBeNull();
      await expect(b.read('c3/missing')).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('reads inclusive byte ranges', async () => {
      await b.write('c4/digits', Buffer.from('0123456789'));
      const r = async (start: number, end?: number) =>
        (await readAll(await b.read('c4/digits', { range: { start, end } }))).toString();
      expect(await r(2, 4)).toBe('234');
      expect(await r(7)).toBe('789');
      if (!target.quirks?.rangeZeroZeroIsWhole) expect(await r(0, 0)).toBe('0');
      expect(await r(1, 1)).toBe('1');
      expect(await r(8, 100)).toBe('89');
      await expect(b.read('c4/digits', { range: { start: 10 } })).rejects.toBeInstanceOf(InvalidRangeError);
    });

    it('overwrites an existing object', async () => {
      const first = await b.write('c5/obj', Buffer.from('first version'));
      const second = await b.write('c5/obj', Buffer.from('second'));
      expect(second.etag).not.toBe(first.etag);
      expect((await readAll(await b.read('c5/obj'))).toString()).toBe('second');
      expect((await b.head('c5/obj'))?.size).toBe(6);
    });

    it('lists in key (UTF-8 byte) order, by prefix, resuming after a key', async () => {
      const keys = [
        'c6/a/b',
        'c6/a-c',
        'c6/a.b',
        'c6/a',
        'c6/ab',
        'c6/a/a/z',
        'c6/é',
        'c6/z',
        'c6/中',
        'c6/B',
      ];
      // `c6/a` as an object beside the `c6/a/` prefix is not representable on a filesystem.
      const stored = keys.filter((k) => !(k === 'c6/a' && b.kind === 'fs'));
      for (const k of stored) await b.write(k, Buffer.from(k));
      const expected = [...stored].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      const all = await listKeys(b, 'c6/');
      if (target.quirks?.listOrderByFolders) {
        expect([...all].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))).toEqual(expected);
      } else {
        expect(all).toEqual(expected);
        expect(await listKeys(b, 'c6/', 'c6/a-c')).toEqual(expected.slice(expected.indexOf('c6/a-c') + 1));
        expect(await listKeys(b, 'c6/', 'c6/a/a/z')).toEqual(
          expected.slice(expected.indexOf('c6/a/a/z') + 1),
        );
      }
      expect(await listKeys(b, 'c6/a/')).toEqual(['c6/a/a/z', 'c6/a/b']);
      expect(await listKeys(b, 'c6/', 'c6/ab')).toEqual(['c6/z', 'c6/é', 'c6/中']);
      expect(new Set(await listKeys(b, 'c6/a'))).toEqual(
        new Set(expected.filter((k) => k.startsWith('c6/a'))),
      );
      expect(await listKeys(b, 'c6/nothing')).toEqual([]);
      const listed = [];
      for await (const info of b.list('c6/z')) listed.push(info);
      expect(listed).toHaveLength(1);
      expect(listed[0].size).toBe(4);
      expect(listed[0].lastModified).toBeInstanceOf(Date);
    });

    it('shows nothing until the write completes', async () => {
      const body = new PassThrough();
      const done = b.write('c7/slow', body);
      body.write(randomBytes(256 * 1024));
      await new Promise((r) => setTimeout(r, 100));
      expect(await b.head('c7/slow')).toBeNull();
      expect(await listKeys(b, 'c7/')).toEqual([]);
      body.end(Buffer.from('tail'));
      expect((await done).size).toBe(256 * 1024 + 4);
      expect((await b.head('c7/slow'))?.size).toBe(256 * 1024 + 4);
    });

    it('leaves no object when the write is aborted', async () => {
      const body = new PassThrough();
      const controller = new AbortController();
      const done = b.write('c8/aborted', body, { signal: controller.signal });
      body.write(randomBytes(128 * 1024));
      await new Promise((r) => setTimeout(r, 50));
      controller.abort(new Error('stop'));
      await expect(done).rejects.toThrow();
      expect(await b.head('c8/aborted')).toBeNull();
      expect(await listKeys(b, 'c8/')).toEqual([]);
    });

    it('leaves no object when the body fails', async () => {
      async function* failing() {
        yield randomBytes(64 * 1024);
        throw new Error('source broke');
      }
      await expect(b.write('c9/broken', Readable.from(failing()))).rejects.toThrow(/source broke/);
      expect(await b.head('c9/broken')).toBeNull();
    });

    it('keeps the old object when a replacing write fails', async () => {
      await b.write('c10/keep', Buffer.from('old'));
      async function* failing() {
        yield Buffer.from('new partial');
        throw new Error('source broke');
      }
      await expect(b.write('c10/keep', Readable.from(failing()))).rejects.toThrow();
      expect((await readAll(await b.read('c10/keep'))).toString()).toBe('old');
    });

    it('refuses a body whose size differs from the announced one', async () => {
      await expect(b.write('c11/sized', Buffer.from('12345'), { size: 9 })).rejects.toThrow();
      expect(await b.head('c11/sized')).toBeNull();
    });

    it('deletes objects, and deleting a missing one succeeds', async () => {
      await b.write('c12/x/y', Buffer.from('y'));
      await b.delete('c12/x/y');
      expect(await b.head('c12/x/y')).toBeNull();
      await expect(b.read('c12/x/y')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await b.delete('c12/never');
      expect(await listKeys(b, 'c12/')).toEqual([]);
    });

    it('writes given a batch are whole objects once the batch is flushed', async () => {
      const batch = new WriteBatch();
      const data = randomBytes(200_000);
      const infos = await Promise.all([
        b.write('batch/a.bin', chunked(data, 7_000), { batch, size: data.length }),
        b.write('batch/sub/b.txt', Buffer.from('bee'), { batch }),
        b.write('batch/empty', Buffer.alloc(0), { batch }),
      ]);
      expect(infos.map((i) => i.size)).toEqual([data.length, 3, 0]);
      await batch.flush();
      expect(await listKeys(b, 'batch/')).toEqual(['batch/a.bin', 'batch/empty', 'batch/sub/b.txt']);
      expect((await readAll(await b.read('batch/a.bin'))).equals(data)).toBe(true);
      expect((await readAll(await b.read('batch/sub/b.txt'))).toString()).toBe('bee');
    });

    it('stores a FileBody through its producer where objects are local files, else through its stream', async () => {
      const data = randomBytes(300_000);
      for (const batch of [undefined, new WriteBatch()]) {
        const used: string[] = [];
        const body = new FileBody(
          async (file) => {
            used.push('fill');
            await writeFile(file, data);
            return data.length;
          },
          async () => {
            used.push('open');
            return chunked(data, 50_000);
          },
        );
        const key = `c14/${batch ? 'batched' : 'direct'}.bin`;
        const info = await b.write(key, body, { batch, size: data.length });
        await batch?.flush();
        expect(info.size).toBe(data.length);
        expect(used).toEqual([b.kind === 'fs' ? 'fill' : 'open']);
        expect((await readAll(await b.read(key))).equals(data)).toBe(true);
      }
    });

    it('leaves no object when a FileBody fails, batched or not', async () => {
      for (const batch of [undefined, new WriteBatch()]) {
        const body = new FileBody(
          async (file) => {
            await writeFile(file, 'partial');
            throw new Error('producer broke');
          },
          async () =>
            Readable.from(
              (async function* () {
                yield Buffer.from('partial');
                throw new Error('producer broke');
              })(),
            ),
        );
        await expect(b.write('c15/broken', body, { batch })).rejects.toThrow(/producer broke/);
        await batch?.flush();
        expect(await b.head('c15/broken')).toBeNull();
        expect(await listKeys(b, 'c15/')).toEqual([]);
      }
    });

    it('stores empty objects', async () => {
      const info = await b.write('c13/empty', Buffer.alloc(0));
      expect(info.size).toBe(0);
      expect((await readAll(await b.read('c13/empty'))).length).toBe(0);
    });
  });
}
