import { readdir } from 'node:fs/promises';
import path from 'node:path';
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
