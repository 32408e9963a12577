/** The embedded database's buffer cache: small by default (its WebAssembly memory is never returned). */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectDb } from '../../src/db/connect.ts';
import { DEFAULT_SHARED_BUFFERS_MB } from '../../src/db/pglite-db.ts';
import { initPgliteInChild, pgliteDatabaseExists } from '../../src/db/pglite-init.ts';

const sharedBuffers = async (db: Awaited<ReturnType<typeof connectDb>>) =>
  (await db.query<{ shared_buffers: string }>('SHOW shared_buffers')).rows[0]!.shared_buffers;

describe('PGlite', () => {
  it(`runs with a ${DEFAULT_SHARED_BUFFERS_MB} MB buffer cache unless told otherwise`, async () => {
    const db = await connectDb({ memory: true }, { migrate: false });
    try {
      expect(DEFAULT_SHARED_BUFFERS_MB).toBeLessThan(128);
      expect(await sharedBuffers(db)).toBe(`${DEFAULT_SHARED_BUFFERS_MB}MB`);
    } finally {
      await db.close();
    }
  });

  it('takes the configured size on a data folder, also when reopened with another', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-pglite-'));
    try {
      expect(await pgliteDatabaseExists(dir)).toBe(false);
      let db = await connectDb({ pgliteDir: dir, sharedBuffersMb: 24 }, { migrate: false });
      expect(await pgliteDatabaseExists(dir)).toBe(true);
      expect(await sharedBuffers(db)).toBe('24MB');
      await db.close();
      db = await connectDb({ pgliteDir: dir, sharedBuffersMb: 40 }, { migrate: false });
      expect(await sharedBuffers(db)).toBe('40MB');
      await db.close();
      expect(await readFile(path.join(dir, 'postgresql.conf'), 'utf8')).toContain('shared_buffers=40MB');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('reports a database folder that cannot be created, with the reason', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-pglite-'));
    try {
      await writeFile(path.join(dir, 'file'), 'not a folder');
      await expect(initPgliteInChild(path.join(dir, 'file', 'db'), [])).rejects.toThrow(
        /creating the embedded database in .*file.db failed/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
