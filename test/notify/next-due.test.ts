import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotifications } from '../../src/notify/outbox.ts';
import { msUntilNextDue } from '../../src/notify/outbox-sql.ts';
import { DATABASES, type TestDb } from '../helpers/db.ts';
import { insertTask, newTask } from './helpers/db.ts';

// The dispatcher sleeps until the next due row; over an empty outbox there is none, and it must sleep its
// poll interval rather than poll in a loop.
describe.each(DATABASES)('msUntilNextDue on $name', ({ make }) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await make();
  });
  afterAll(() => t.drop());

  it('is null over an empty outbox, and the wait for a row due later otherwise', async () => {
    expect(await msUntilNextDue(t.db)).toBeNull();
    const task = newTask();
    await insertTask(t.db, task);
    await t.db.transaction((tx) =>
      enqueueNotifications(tx, {
        taskId: task.id,
        messageId: task.eventId,
        targets: [{ kind: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 's' }],
        body: '{}',
      }),
    );
    expect(await msUntilNextDue(t.db)).toBe(0);
    await t.db.query(`UPDATE notification_outbox SET next_attempt_at = now() + interval '30 seconds'`);
    const ms = await msUntilNextDue(t.db);
    expect(ms).toBeGreaterThan(25_000);
    expect(ms).toBeLessThanOrEqual(30_000);
  });
});
