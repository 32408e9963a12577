/**
 * Several dispatchers (as separate processes would, each with its own connections) share one outbox on
 * PostgreSQL: SKIP LOCKED hands each row to one of them, and all are woken by LISTEN/NOTIFY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDb } from '../../../src/db/connect.ts';
import type { Db } from '../../../src/db/types.ts';
import { parseNotifyConfig } from '../../../src/notify/config.ts';
import { startDispatcher } from '../../../src/notify/dispatcher.ts';
import { finishTask } from '../../notify/helpers/complete.ts';
import { openPostgresTestDb, outboxRows, quietLog, type TestDb, waitFor } from '../../notify/helpers/db.ts';
import { type Receiver, startReceiver } from '../../notify/helpers/http-receiver.ts';

describe('dispatchers sharing a PostgreSQL outbox', () => {
  let t: TestDb;
  let other: Db;
  let rx: Receiver;

  beforeAll(async () => {
    t = await openPostgresTestDb();
    // A second pool and LISTEN connection on the same database: a second process as far as Postgres can tell.
    other = await connectDb({ url: t.url! }, { migrate: false });
    rx = await startReceiver();
  });
  afterAll(async () => {
    await rx?.close();
    await other?.close();
    await t?.cleanup();
  });

  it('delivers 300 messages once each, split between two dispatchers', async () => {
    const cfg = parseNotifyConfig({ dispatcher: { concurrency: 8, batchSize: 8 } });
    const a = startDispatcher(t.db, cfg, quietLog);
    const b = startDispatcher(other, cfg, quietLog);
    try {
      const bodies = new Set<string>();
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          for (let i = 0; i < 50; i++)
            bodies.add((await finishTask(t.db, [{ kind: 'webhook', url: rx.url }])).body);
        }),
      );
      await waitFor(() => rx.received.length >= 300, 30_000, 20);
      await waitFor(async () => (await outboxRows(t.db)).length === 0);
      expect(rx.received).toHaveLength(300);
      expect(new Set(rx.received.map((r) => r.body))).toEqual(bodies);
      const [sa, sb] = [a.stats(), b.stats()];
      expect(sa.delivered + sb.delivered).toBe(300);
      expect(sa.delivered).toBeGreaterThan(0);
      expect(sb.delivered).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('wakes on commit rather than on the sweep', async () => {
    const cfg = parseNotifyConfig({ dispatcher: { pollIntervalMs: 60_000 } });
    const d = startDispatcher(other, cfg, quietLog);
    try {
      await new Promise((r) => setTimeout(r, 200)); // LISTEN is in place and the first sweep is done
      const before = rx.received.length;
      const { committedAt } = await finishTask(t.db, [{ kind: 'webhook', url: rx.url }]);
      await waitFor(() => rx.received.length === before + 1, 5_000, 2);
      expect(rx.received.at(-1)!.at - committedAt).toBeLessThan(1_000);
    } finally {
      await d.stop();
    }
  });
});
