/**
 * At-least-once through a broker outage: a TCP proxy between the dispatcher and RabbitMQ drops every
 * connection while tasks end; after it heals every message arrives (duplicates allowed, each with its
 * stable id). A target that never heals ends in the dead letters, and redrive delivers them.
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../../src/notify/config.ts';
import { listDeadLetters, redriveDeadLetters } from '../../../src/notify/dead-letters.ts';
import { startDispatcher } from '../../../src/notify/dispatcher.ts';
import { finishTask } from '../../notify/helpers/complete.ts';
import { openPostgresTestDb, outboxRows, quietLog, type TestDb, waitFor } from '../../notify/helpers/db.ts';
import { startTcpProxy, type TcpProxy } from '../../notify/helpers/tcp-proxy.ts';

const TASKS = 200;
// The broker is unreachable for half a minute while 200 tasks end.
const OUTAGE_MS = 30_000;
const run = randomUUID().slice(0, 8);

describe('RabbitMQ outage', () => {
  let t: TestDb;
  let proxy: TcpProxy;
  let conn: amqp.ChannelModel;
  let channel: amqp.Channel;
  const exchange = `openimm-outage-${run}`;
  const received = new Map<string, string[]>();

  beforeAll(async () => {
    t = await openPostgresTestDb();
    proxy = await startTcpProxy(5672);
    conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    channel = await conn.createChannel();
    await channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, '');
    await channel.consume(
      queue,
      (m) => {
        if (!m) return;
        const id = String(m.properties.messageId);
        received.set(id, [...(received.get(id) ?? []), m.content.toString('utf8')]);
      },
      { noAck: true },
    );
  });
  afterAll(async () => {
    await conn?.close();
    await proxy?.close();
    await t?.cleanup();
  });

  it(`loses none of ${TASKS} messages committed while the broker is unreachable`, async () => {
    const cfg = parseNotifyConfig({
      retry: { maxAttempts: 100, initialDelayMs: 100, maxDelayMs: 1_000 },
      dispatcher: { publishTimeoutMs: 2_000, pollIntervalMs: 500 },
    });
    const dispatcher = startDispatcher(t.db, cfg, quietLog);
    const target = { kind: 'amqp' as const, url: proxy.url('amqp', 'guest:guest'), exchange, routingKey: '' };
    const expected = new Map<string, string>();
    try {
      const first = await finishTask(t.db, [target]);
      expected.set(first.task.eventId, first.body);
      await waitFor(() => received.has(first.task.eventId));

      proxy.down();
      const outageStart = Date.now();
      for (let i = 0; i < TASKS; i++) {
        const { task, body } = await finishTask(t.db, [target]);
        expected.set(task.eventId, body);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - outageStart))));
      expect(received.size).toBe(1); // nothing got through the outage
      expect(dispatcher.stats().retried).toBeGreaterThan(0);
      proxy.up();

      await waitFor(() => received.size === expected.size, 30_000, 50);
      for (const [id, body] of expected) {
        for (const copy of received.get(id)!) expect(copy).toBe(body);
      }
      await waitFor(async () => (await outboxRows(t.db)).length === 0);
      expect(dispatcher.stats().deadLettered).toBe(0);
    } finally {
      await dispatcher.stop();
    }
  });

  it('dead-letters messages for a broker that never comes back, and redrive delivers them once it does', async () => {
    const cfg = parseNotifyConfig({
      retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
      dispatcher: { publishTimeoutMs: 1_000, pollIntervalMs: 200 },
    });
    const dispatcher = startDispatcher(t.db, cfg, quietLog);
    const broken = await startTcpProxy(5672);
    try {
      broken.down();
      const target = {
        kind: 'amqp' as const,
        url: broken.url('amqp', 'guest:guest'),
        exchange,
        routingKey: '',
      };
      const done: Array<Awaited<ReturnType<typeof finishTask>>> = [];
      for (let i = 0; i < 20; i++) done.push(await finishTask(t.db, [target], { accountId: 'acct-dead' }));
      await waitFor(async () => (await outboxRows(t.db)).every((r) => r.state === 'dead'), 20_000, 50);
      const { items } = await listDeadLetters(t.db, 'acct-dead');
      expect(items).toHaveLength(20);
      expect(items.every((i) => i.Attempts === 3 && i.LastError !== '')).toBe(true);
      expect(dispatcher.stats().deadLettered).toBe(20);
      for (const d of done) expect(received.has(d.task.eventId)).toBe(false);

      broken.up();
      expect(await redriveDeadLetters(t.db, 'acct-dead')).toBe(20);
      await waitFor(() => done.every((d) => received.get(d.task.eventId)?.[0] === d.body), 15_000, 50);
      await waitFor(async () => (await outboxRows(t.db)).length === 0);
    } finally {
      await dispatcher.stop();
      await broken.close();
    }
  });
});
