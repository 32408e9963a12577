/** The outbox contract suites (see test/notify/outbox-pglite.test.ts) on the machine's PostgreSQL. */
import { afterAll, beforeAll } from 'vitest';
import { openPostgresTestDb, type TestDb } from '../../notify/helpers/db.ts';
import { deadLettersSuite } from '../../notify/suites/dead-letters-suite.ts';
import { dispatcherSuite } from '../../notify/suites/dispatcher-suite.ts';
import { outboxSuite } from '../../notify/suites/outbox-suite.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openPostgresTestDb();
});
afterAll(async () => {
  await t?.cleanup();
});

const db = () => t.db;
outboxSuite(db);
dispatcherSuite(db);
deadLettersSuite(db);
