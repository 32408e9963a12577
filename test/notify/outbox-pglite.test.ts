/**
 * The outbox contract on the embedded database (PGlite, in memory). The same suites run on PostgreSQL in
 * test/integration/notify/outbox-postgres.test.ts; one database per file, emptied between tests.
 */
import { afterAll, beforeAll } from 'vitest';
import { openPgliteTestDb, type TestDb } from './helpers/db.ts';
import { deadLettersSuite } from './suites/dead-letters-suite.ts';
import { dispatcherSuite } from './suites/dispatcher-suite.ts';
import { outboxSuite } from './suites/outbox-suite.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openPgliteTestDb();
});
afterAll(async () => {
  await t?.cleanup();
});

const db = () => t.db;
outboxSuite(db);
dispatcherSuite(db);
deadLettersSuite(db);
