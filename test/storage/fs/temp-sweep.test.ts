import { lstat, mkdir, readdir, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { StorageBackend } from '../../../src/storage/backend.ts';
import { createFsBackend } from '../../../src/storage/fs/fs-backend.ts';
import { REGISTER_REFRESH_MS, registerDir } from '../../../src/storage/fs/temp-register.ts';
import { sweepFsTemp } from '../../../src/storage/fs/temp-sweep.ts';
import { listKeys } from '../backend-contract.ts';
import { freshFsBucket, tempFilesUnder } from './temp-files.ts';

const HOUR = 3_600_000;

describe('fs backend: sweep of temp files beside their targets', () => {
  let base: string;
  let root: string;
  let b: StorageBackend;
  freshFsBucket((fx) => ({ base, root, b } = fx));

  /** A temp file as a crashed writer leaves it, `ageMs` old. */
  const leftover = async (rel: string, ageMs: number) => {
    await writeFile(path.join(root, rel), 'half');
    const t = new Date(Date.now() - ageMs);
    await utimes(path.join(root, rel), t, t);
  };
  const register = () => readdir(registerDir(root)).catch(() => []);

  it('removes stale temp files but not a fresh in-flight one, nor old objects', async () => {
    await b.write('a/b/kept.txt', Buffer.from('k'));
    await b.write('top.txt', Buffer.from('t'));
    await utimes(path.join(root, 'a/b/kept.txt'), new Date(0), new Date(0));
    await leftover('a/b/.openimm-tmp-dead', 2 * HOUR);
    await leftover('.openimm-tmp-dead-at-root', 2 * HOUR);
    const body = new PassThrough();
    const live = b.write('a/b/live.txt', body);
    body.write('in flight');
    await new Promise((r) => setTimeout(r, 20));
    expect(await tempFilesUnder(root)).toHaveLength(3);
    // leftovers are never listed
    expect(await listKeys(b, '')).toEqual(['a/b/kept.txt', 'top.txt']);

    expect(await sweepFsTemp(root, HOUR)).toBe(2);
    const [inFlight, ...none] = await tempFilesUnder(root);
    expect(none).toEqual([]);
    expect(inFlight).toMatch(/^a\/b\/\.openimm-tmp-/);
    body.end(' done');
    await live;
    expect(await listKeys(b, '')).toEqual(['a/b/kept.txt', 'a/b/live.txt', 'top.txt']);
    expect(await tempFilesUnder(root)).toEqual([]);
  });

  it('drops a register entry only once it is old and its folder holds no temp file', async () => {
    await b.write('a/x', Buffer.from('x'));
    await b.write('c/y', Buffer.from('y'));
    expect(await register()).toHaveLength(2);
    const later = Date.now() + 2 * REGISTER_REFRESH_MS + HOUR;
    // a temp file fresh at that time keeps its folder's entry
    await writeFile(path.join(root, 'c/.openimm-tmp-busy'), 'busy');
    const future = new Date(later);
    await utimes(path.join(root, 'c/.openimm-tmp-busy'), future, future);
    expect(await sweepFsTemp(root, HOUR)).toBe(0);
    expect(await register()).toHaveLength(2); // too young to drop
    expect(await sweepFsTemp(root, HOUR, later)).toBe(0);
    expect(await register()).toHaveLength(1);
    expect(await tempFilesUnder(root)).toEqual(['c/.openimm-tmp-busy']);
  });

  it('a write after its folder entry was dropped registers the folder again', async () => {
    await b.write('a/x', Buffer.from('x'));
    const later = Date.now() + 2 * REGISTER_REFRESH_MS + HOUR;
    await sweepFsTemp(root, HOUR, later);
    expect(await register()).toEqual([]);
    // a new backend (a new process) notes it again; this one would after its refresh interval
    await createFsBackend(root).write('a/y', Buffer.from('y'));
    expect(await register()).toHaveLength(1);
  });

  it('sweeps the temp files of the first layout, in the bookkeeping folder', async () => {
    await mkdir(path.join(root, '.openimm-tmp'), { recursive: true });
    await leftover('.openimm-tmp/0b1c-old', 2 * HOUR);
    await leftover('.openimm-tmp/0b1c-new', 0);
    await b.write('z', Buffer.from('z'));
    expect(await sweepFsTemp(root, HOUR)).toBe(1);
    expect((await readdir(path.join(root, '.openimm-tmp'))).sort()).toEqual(['0b1c-new', 'folders']);
  });

  it('never follows a register entry or a folder link out of the bucket', async () => {
    const outside = path.join(base, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, '.openimm-tmp-victim'), 'not ours');
    await utimes(path.join(outside, '.openimm-tmp-victim'), new Date(0), new Date(0));
    await b.write('a/x', Buffer.from('x'));
    await symlink('../../../outside', path.join(registerDir(root), 'forged'));
    await symlink(outside, path.join(root, 'linked'));
    await symlink('linked', path.join(registerDir(root), 'through-link'));
    expect(await sweepFsTemp(root, HOUR)).toBe(0);
    expect((await lstat(path.join(outside, '.openimm-tmp-victim'))).isFile()).toBe(true);
  });
});
