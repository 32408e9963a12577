/**
 * The acceptance path as an operator sets it up: the MNS topic `imm-events` is routed to a RabbitMQ
 * exchange, a request names that topic (as an official SDK can) plus a signed webhook; both receive
 * IMM's message. A passThrough route also reaches the real MNS service (a protocol stand-in here).
 */
import { createHmac, randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNotifyConfig } from '../../../src/notify/config.ts';
import { type DispatcherHandle, startDispatcher } from '../../../src/notify/dispatcher.ts';
import { parseNotificationTargets } from '../../../src/notify/targets.ts';
import { type AliyunReceiver, startAliyunReceiver } from '../../notify/helpers/aliyun-receivers.ts';
import { finishTask } from '../../notify/helpers/complete.ts';
import { openPostgresTestDb, quietLog, type TestDb, waitFor } from '../../notify/helpers/db.ts';
import { type Receiver, startReceiver } from '../../notify/helpers/http-receiver.ts';

const run = randomUUID().slice(0, 8);
const exchange = `imm-events-${run}`;
const mnsCreds = { accessKeyId: 'LTAI-route', accessKeySecret: 'route-secret' };

describe('routing table end to end', () => {
  let t: TestDb;
  let rx: Receiver;
  let mns: AliyunReceiver;
  let conn: amqp.ChannelModel;
  let dispatcher: DispatcherHandle;
  const fromRabbit: amqp.ConsumeMessage[] = [];
  let cfg: ReturnType<typeof parseNotifyConfig>;

  beforeAll(async () => {
    t = await openPostgresTestDb();
    rx = await startReceiver();
    mns = await startAliyunReceiver('mns', mnsCreds, ['audit-topic']);
    conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, exchange, '');
    await ch.consume(queue, (m) => m && fromRabbit.push(m), { noAck: true });
    cfg = parseNotifyConfig({
      allowHosts: `127.0.0.1:${rx.port}`,
      sinks: {
        rabbit: { kind: 'amqp', url: 'amqp://guest:guest@127.0.0.1:5672', exchange, routingKey: 'imm' },
      },
      routes: [
        { source: 'mns', topicName: 'imm-events', sinks: ['rabbit'] },
        { source: 'mns', topicName: 'audit-topic', sinks: ['rabbit'], passThrough: true },
      ],
      mns: { ...mnsCreds, endpoint: mns.endpoint },
    });
    dispatcher = startDispatcher(t.db, cfg, quietLog);
  });
  afterAll(async () => {
    await dispatcher?.stop();
    await conn?.close();
    await rx?.close();
    await mns?.close();
    await t?.cleanup();
  });

  it('delivers Notification.MNS imm-events to RabbitMQ and a signed copy to the webhook', async () => {
    const targets = parseNotificationTargets(
      {
        Notification: JSON.stringify({
          MNS: { TopicName: 'imm-events' },
          Webhook: { URL: `http://127.0.0.1:${rx.port}/imm`, Secret: 'hook-secret' },
        }),
      },
      cfg,
    );
    const { task, body } = await finishTask(t.db, targets);
    await waitFor(() => fromRabbit.length === 1 && rx.received.length === 1);
    expect(fromRabbit[0]!.content.toString('utf8')).toBe(body);
    expect(fromRabbit[0]!.properties.messageId).toBe(task.eventId);
    const hook = rx.received[0]!;
    expect(hook.body).toBe(body);
    const expected = `sha256=${createHmac('sha256', 'hook-secret').update(hook.body).digest('hex')}`;
    expect(hook.headers['x-openimm-signature']).toBe(expected);
    expect(mns.messages).toHaveLength(0);
  });

  it('passes a routed topic through to the real MNS service as well', async () => {
    const targets = parseNotificationTargets({ Notification: '{"MNS":{"TopicName":"audit-topic"}}' }, cfg);
    const before = fromRabbit.length;
    const { body } = await finishTask(t.db, targets);
    await waitFor(() => mns.messages.length === 1 && fromRabbit.length === before + 1);
    expect(mns.messages[0]).toMatchObject({ topic: 'audit-topic', body });
  });
});
