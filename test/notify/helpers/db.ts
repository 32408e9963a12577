/**
 * Databases for the notification tests: PGlite in memory, or a fresh database on the machine's PostgreSQL,
 * both migrated with the project's migrations (tasks from 0001, the outbox from 0002).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { connectDb } from '../../../src/db/connect.ts';
import type { Db, Queryable } from '../../../src/db/types.ts';

export const PG_ADMIN_URL =
  process.env.OPENIMM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDb {
  db: Db;
  /** PostgreSQL only: the test database, for opening more connections to it. */
  url?: string;
  cleanup(): Promise<void>;
}

export async function openPgliteTestDb(): Promise<TestDb> {
  const db = await connectDb({ memory: true });
  return { db, cleanup: () => db.close() };
}

export async function openPostgresTestDb(): Promise<TestDb> {
  const name = `openimm_notify_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await connectDb({ url: url.href }, { poolSize: 8 });
  return {
    db,
    url: url.href,
    async cleanup() {
      await db.close();
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** Empties the tables between tests (a fresh PGlite per test is slow on a busy machine). */
export async function resetTables(q: Queryable): Promise<void> {
  await q.query('TRUNCATE notification_outbox, task_queue, task_leases, tasks CASCADE');
}

export interface TestTask {
  id: string;
  accountId: string;
  projectName: string;
  type: string;
  eventId: string;
}

let seq = 0;

export function newTask(overrides: Partial<TestTask> = {}): TestTask {
  seq++;
  return {
    id: `FileCompression-${randomUUID()}`,
    accountId: '1234567890123456',
    projectName: 'notify-proj',
    type: 'FileCompression',
    eventId: `0ED-${String(seq).padStart(6, '0')}${randomUUID().replaceAll('-', '').slice(0, 21)}`,
    ...overrides,
  };
}

/** Only the columns the outbox relies on, plus what the tasks table requires. */
export async function insertTask(q: Queryable, t: TestTask): Promise<void> {
  await q.query(
    `INSERT INTO tasks (id, account_id, project_name, type, work_class, event_id, request_id)
     VALUES ($1, $2, $3, $4, 'light', $5, $6)`,
    [t.id, t.accountId, t.projectName, t.type, t.eventId, randomUUID().toUpperCase()],
  );
}

export const quietLog = pino({ level: process.env.OPENIMM_TEST_LOG ?? 'silent' });

export async function outboxRows(q: Queryable): Promise<Array<Record<string, any>>> {
  const r = await q.query('SELECT o.*, o.id::text AS id FROM notification_outbox o ORDER BY o.id');
  return r.rows;
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  stepMs = 10,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
