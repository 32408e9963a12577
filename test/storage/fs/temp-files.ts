import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { StorageBackend } from '../../../src/storage/backend.ts';
import { createFsBackend } from '../../../src/storage/fs/fs-backend.ts';
import { isTempName } from '../../../src/storage/fs/key-path.ts';

/** Every temp file of an in-flight (or leaked) write under a bucket root, as paths relative to it. */
export async function tempFilesUnder(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (rel: string) => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (isTempName(e.name)) found.push(child);
    }
  };
  await walk('');
  return found.sort();
}

export interface FsBucketFixture {
  base: string;
  root: string;
  b: StorageBackend;
}

/**
 * A fresh fs bucket for each test of the calling `describe`: `base` holds `root`, the bucket `bkt`'s folder.
 * `use` gets each test's bucket before the test runs.
 */
export function freshFsBucket(use?: (fx: FsBucketFixture) => void): FsBucketFixture {
  const fx = {} as FsBucketFixture;
  beforeEach(async () => {
    fx.base = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
    fx.root = path.join(fx.base, 'bucket');
    fx.b = createFsBackend(fx.root, { bucket: 'bkt' });
    use?.(fx);
  });
  afterEach(() => rm(fx.base, { recursive: true, force: true }));
  return fx;
}
