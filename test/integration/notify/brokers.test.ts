/**
 * Real brokers on loopback: RabbitMQ (5672), NATS with JetStream (4222), Mosquitto (1883), with the
 * outbox on the machine's PostgreSQL. A task ends; a consumer receives IMM's exact message.
 */
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import mqtt from 'mqtt';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../../src/notify/config.ts';
import { type DispatcherHandle, startDispatcher } from '../../../src/notify/dispatcher.ts';
import { createNatsSink } from '../../../src/notify/sinks/nats.ts';
import { finishTask } from '../../notify/helpers/complete.ts';
import { openPostgresTestDb, outboxRows, quietLog, type TestDb, waitFor } from '../../notify/helpers/db.ts';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const NATS_URL = 'nats://127.0.0.1:4222';
const MQTT_URL = 'mqtt://127.0.0.1:1883';
const run = randomUUID().slice(0, 8);

describe('sinks against real brokers (PostgreSQL outbox)', () => {
  let t: TestDb;
  let dispatcher: DispatcherHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    t = await openPostgresTestDb();
    dispatcher = startDispatcher(
      t.db,
      parseNotifyConfig({ dispatcher: { publishTimeoutMs: 5000 } }),
      quietLog,
    );
    nc = await connect({ servers: '127.0.0.1:4222' });
  });
  afterAll(async () => {
    await dispatcher?.stop();
    await nc?.close();
    await t?.cleanup();
  });

  it('AMQP: a persistent message with the stable id reaches a bound queue', async () => {
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    const exchange = `openimm-test-${run}`;
    await ch.assertExchange(exchange, 'topic', { durable: false, autoDelete: true });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, exchange, 'imm.#');
    const got: amqp.ConsumeMessage[] = [];
    await ch.consume(queue, (m) => m && got.push(m), { noAck: true });

    const { task, body } = await finishTask(t.db, [
      { kind: 'amqp', url: AMQP_URL, exchange, routingKey: 'imm.task' },
    ]);
    await waitFor(() => got.length === 1);
    const m = got[0]!;
    expect(m.content.toString('utf8')).toBe(body);
    expect(m.properties.messageId).toBe(task.eventId);
    expect(m.properties.contentType).toBe('application/json');
    expect(m.properties.deliveryMode).toBe(2);
    expect(m.properties.headers?.['x-openimm-task-id']).toBe(task.id);
    await waitFor(async () => (await outboxRows(t.db)).every((r) => r.task_id !== task.id));
    await conn.close();
  });

  it('AMQP: a missing exchange is retried on a fresh channel until it exists', async () => {
    const exchange = `openimm-late-${run}`;
    const { task, body } = await finishTask(t.db, [
      { kind: 'amqp', url: AMQP_URL, exchange, routingKey: 'k' },
    ]);
    await waitFor(async () =>
      (await outboxRows(t.db)).some((r) => r.task_id === task.id && r.last_error.includes('NOT_FOUND')),
    );
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, exchange, '');
    const got: string[] = [];
    await ch.consume(queue, (m) => m && got.push(m.content.toString('utf8')), { noAck: true });
    // The retry is due within the backoff (about a second); nudge the dispatcher as a redrive would.
    dispatcher.wake();
    await waitFor(() => got.length === 1, 15_000);
    expect(got[0]).toBe(body);
    await waitFor(async () => (await outboxRows(t.db)).every((r) => r.task_id !== task.id));
    await conn.close();
  });

  it('NATS: JetStream acknowledges a subject on a stream, deduplicating by message id', async () => {
    const jsm = await nc.jetstreamManager();
    const stream = `OPENIMM_TEST_${run}`;
    const subject = `openimm.test.${run}.events`;
    await jsm.streams.add({ name: stream, subjects: [`openimm.test.${run}.>`] });
    try {
      const { task, body } = await finishTask(t.db, [{ kind: 'nats', url: NATS_URL, subject }]);
      await waitFor(async () => (await outboxRows(t.db)).every((r) => r.task_id !== task.id));
      const msg = await jsm.streams.getMessage(stream, { last_by_subj: subject });
      expect(new TextDecoder().decode(msg.data)).toBe(body);
      expect(msg.header.get('Nats-Msg-Id')).toBe(`${task.eventId}:${subject}`);

      // A redelivery of the same message (e.g. after a lost ack) is stored once.
      const sink = createNatsSink();
      const message = { messageId: task.eventId, taskId: task.id, taskType: task.type, body, attempt: 2 };
      await sink.publish({ kind: 'nats', url: NATS_URL, subject }, message, new AbortController().signal);
      await sink.close();
      expect((await jsm.streams.info(stream)).state.messages).toBe(1);
    } finally {
      await jsm.streams.delete(stream);
    }
  });

  it('NATS: a subject on no stream is a core publish that subscribers receive', async () => {
    const subject = `openimm.core.${run}`;
    const sub = nc.subscribe(subject, { max: 1 });
    await nc.flush();
    const received = (async () => {
      for await (const m of sub) {
        return {
          data: new TextDecoder().decode(m.data),
          id: m.headers?.get('Openimm-Message-Id'),
          reply: m.reply,
        };
      }
    })();
    const { task, body } = await finishTask(t.db, [{ kind: 'nats', url: NATS_URL, subject }]);
    // A plain message, not a JetStream request waiting for an ack.
    expect(await received).toEqual({ data: body, id: task.eventId, reply: '' });
    await waitFor(async () => (await outboxRows(t.db)).every((r) => r.task_id !== task.id));
  });

  it('MQTT: a QoS 1 message reaches a subscriber', async () => {
    const topic = `openimm/test/${run}`;
    const sub = await mqtt.connectAsync(MQTT_URL, { clientId: `openimm-test-${run}` });
    await sub.subscribeAsync(topic, { qos: 1 });
    const got: Array<{ payload: string; qos: number }> = [];
    sub.on('message', (_t, payload, packet) =>
      got.push({ payload: payload.toString('utf8'), qos: packet.qos }),
    );
    const { body } = await finishTask(t.db, [{ kind: 'mqtt', url: MQTT_URL, topic }]);
    await waitFor(() => got.length === 1);
    expect(got[0]).toEqual({ payload: body, qos: 1 });
    await sub.endAsync();
  });
});
