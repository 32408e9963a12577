import path from 'node:path';
import { migrate } from './migrate.ts';
import { openPostgresDb } from './pg-db.ts';
import { openPgliteDb } from './pglite-db.ts';
import type { Db } from './types.ts';

export type DbTarget =
  | { url: string }
  | { pgliteDir: string; sharedBuffersMb?: number }
  | { memory: true; sharedBuffersMb?: number };

/** Opens the database (PostgreSQL for a URL, otherwise PGlite) and brings its schema up to date. */
export async function connectDb(
  target: DbTarget,
  opts: { migrate?: boolean; poolSize?: number } = {},
): Promise<Db> {
  const db =
    'url' in target
      ? await openPostgresDb(target.url, { max: opts.poolSize })
      : await openPgliteDb('pgliteDir' in target ? path.resolve(target.pgliteDir) : undefined, {
          sharedBuffersMb: target.sharedBuffersMb,
        });
  if (opts.migrate !== false) await migrate(db);
  return db;
}
