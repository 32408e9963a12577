import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectDb } from '../../src/db/connect.ts';
import type { Db } from '../../src/db/types.ts';

export const POSTGRES_ADMIN_URL =
  process.env.OPENIMM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDb {
  db: Db;
  /** For PostgreSQL: the URL of this test's own database (other processes may connect to it). */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh, migrated PGlite database in memory. */
export async function makePgliteDb(): Promise<TestDb> {
  const db = await connectDb({ memory: true });
  return { db, drop: () => db.close() };
}

/**
 * A fresh, migrated database on the machine's PostgreSQL (a new database per call, dropped afterwards).
 * Fails loudly when PostgreSQL is not reachable: these tests never skip.
 */
export async function makePostgresDb(): Promise<TestDb> {
  const name = `openimm_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = await connectDb({ url });
  return {
    db,
    url,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The engine suites run on both databases. */
export const DATABASES = [
  { name: 'pglite', make: makePgliteDb },
  { name: 'postgres', make: makePostgresDb },
] as const;
