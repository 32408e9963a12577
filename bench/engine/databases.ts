/** Fresh databases for each measured system, so no run sees another's rows, indexes or dead tuples. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectDb } from '../../src/db/connect.ts';
import type { Db } from '../../src/db/types.ts';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database on the server of `adminUrl`; `drop` removes it, connections and all. */
export async function createPostgresDatabase(adminUrl: string, label: string): Promise<BenchDatabase> {
  const name = `openimm_bench_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export type Backend = { kind: 'postgres'; adminUrl: string } | { kind: 'pglite' };

/** An openimm database (migrated) on the backend; PGlite lives in memory. */
export interface OpenDb {
  db: Db;
  /** PostgreSQL only: the server's admin URL and this database's URL (for the CPU meter). */
  postgres?: { adminUrl: string; url: string };
  /**
   * A second connection pool to the same database, as a separate API process would have (PostgreSQL), or
   * the same instance (PGlite: one process, one connection).
   */
  client(): Promise<Db>;
  close(): Promise<void>;
}

/** An openimm database (migrated, `schema`) or a bare one (the raw queue), through openimm's Db wrapper. */
export async function openDb(backend: Backend, label: string, schema: 'openimm' | 'bare'): Promise<OpenDb> {
  const migrate = schema === 'openimm';
  if (backend.kind === 'pglite') {
    const db = await connectDb({ memory: true }, { migrate });
    return { db, client: async () => db, close: () => db.close() };
  }
  const created = await createPostgresDatabase(backend.adminUrl, label);
  const db = await connectDb({ url: created.url }, { migrate });
  const clients: Db[] = [];
  return {
    db,
    postgres: { adminUrl: backend.adminUrl, url: created.url },
    async client() {
      const c = await connectDb({ url: created.url }, { migrate: false });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) await c.close();
      await db.close();
      await created.drop();
    },
  };
}
