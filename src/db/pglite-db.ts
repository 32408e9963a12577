import { mkdir } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { initPgliteInChild, pgliteDatabaseExists } from './pglite-init.ts';
import type { Db, Queryable, QueryResult } from './types.ts';

export const DEFAULT_SHARED_BUFFERS_MB = 16;

/**
 * The embedded database: PostgreSQL compiled to WebAssembly, in this process. One connection; PGlite
 * serialises queries and holds an exclusive lock for the length of a transaction.
 */
export async function openPgliteDb(dataDir?: string, opts: { sharedBuffersMb?: number } = {}): Promise<Db> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  // Imported here, not at the top: a process on PostgreSQL never loads PGlite.
  const { PGlite } = await import('@electric-sql/pglite');
  // PostgreSQL's buffer cache lives in the WebAssembly memory, which grows to hold it and never shrinks:
  // PGlite's 128 MB default costs the idle embedded server ~120 MiB of RSS over 16 MB; pages evicted from a
  // smaller cache are read back from the OS page cache. (PGlite writes these lines as postgresql.conf.)
  const postgresqlconf = [`shared_buffers=${opts.sharedBuffersMb ?? DEFAULT_SHARED_BUFFERS_MB}MB`];
  if (dataDir && !(await pgliteDatabaseExists(dataDir))) await initPgliteInChild(dataDir, postgresqlconf);
  const pg = dataDir
    ? await PGlite.create(dataDir, { postgresqlconf })
    : await PGlite.create({ postgresqlconf });
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
      const r = await q.query<T>(sql, params as any[]);
      return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
    },
  });
  const base = wrap(pg);
  return {
    kind: 'pglite',
    query: base.query,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async listen(channel, onNotify) {
      const unlisten = await pg.listen(channel, onNotify);
      return async () => unlisten();
    },
    async exec(sql: string) {
      await pg.exec(sql);
    },
    close: () => pg.close(),
  } as Db & { exec(sql: string): Promise<void> };
}
