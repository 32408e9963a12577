/**
 * The notification acceptance scenario as a new user runs it: a config routes the MNS topic `imm-events`
 * to a RabbitMQ exchange; tasks are created through `@alicloud/openapi-core` against a real server process
 * with `Notification` `{"MNS":{"TopicName":"imm-events"}, "Webhook": …}`; a RabbitMQ consumer receives IMM's
 * message and the webhook a signed copy. Then RabbitMQ itself is stopped (its orderly shutdown) while tasks
 * end, and started again: nothing is lost. The broker is a node of this test's own, so the machine's shared
 * RabbitMQ is never stopped; its exchange and queue are durable, as a user's would be.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImmClient, makeImmClient } from '../../helpers/imm-clients.ts';
import { runCli, type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';
import { openPostgresTestDb, type TestDb, waitFor } from '../../notify/helpers/db.ts';
import { type Receiver, startReceiver } from '../../notify/helpers/http-receiver.ts';
import { type PrivateRabbit, startPrivateRabbit } from '../../notify/helpers/private-rabbitmq.ts';

const run = randomUUID().slice(0, 8);
const exchange = `imm-accept-${run}`;
const creds = { accessKeyId: 'LTAInotifyaccept01', accessKeySecret: 'notify-acceptance-secret-00001' };
const SECRET = 'hook-secret';

describe('notifications, as a new user sets them up', () => {
  let dir: string;
  let server: ServerProcess;
  let rabbit: PrivateRabbit;
  let hook: Receiver;
  let conn: amqp.ChannelModel | undefined;
  let client: ImmClient;
  let database: TestDb;
  const fromRabbit: string[] = [];

  /** The user's consumer: a durable queue on a durable exchange, each message acknowledged once kept. */
  async function consume() {
    conn = await amqp.connect(rabbit.url);
    conn.on('error', () => {});
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    await ch.assertExchange(exchange, 'fanout', { durable: true });
    await ch.assertQueue(exchange, { durable: true });
    await ch.bindQueue(exchange, exchange, '');
    await ch.consume(exchange, (m) => {
      if (!m) return;
      fromRabbit.push(m.content.toString('utf8'));
      ch.ack(m);
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-notify-'));
    rabbit = await startPrivateRabbit();
    hook = await startReceiver();
    await consume();
    const config = {
      notify: {
        allowHosts: [`127.0.0.1:${hook.port}`],
        sinks: { rabbit: { kind: 'amqp', url: rabbit.url, exchange, routingKey: '' } },
        routes: [{ source: 'mns', topicName: 'imm-events', sinks: ['rabbit'] }],
        retry: { initialDelayMs: 200, maxDelayMs: 1000 },
      },
    };
    await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
    const dataDir = path.join(dir, 'data');
    await writeFile(path.join(dir, 'a.txt'), 'hello\n');
    const cp = await runCli([
      '--data-dir',
      dataDir,
      'oss',
      'cp',
      path.join(dir, 'a.txt'),
      'oss://notify-in/a.txt',
    ]);
    expect(cp.code, cp.stderr).toBe(0);
    // PostgreSQL rather than the embedded database: the server starts in a second instead of many on a busy machine.
    database = await openPostgresTestDb();
    server = await startServerProcess({
      dataDir,
      args: ['--config', path.join(dir, 'config.json')],
      env: {
        OPENIMM_DATABASE_URL: database.url!,
        OPENIMM_ACCESS_KEY_ID: creds.accessKeyId,
        OPENIMM_ACCESS_KEY_SECRET: creds.accessKeySecret,
      },
    });
    client = makeImmClient('acs3', server.endpoint, creds);
    await client.call('CreateProject', { ProjectName: 'notify-accept' });
  });
  afterAll(async () => {
    await server?.stop();
    await conn?.close().catch(() => {});
    await hook?.close();
    await rabbit?.close();
    await database?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const notification = () =>
    JSON.stringify({
      MNS: { TopicName: 'imm-events' },
      Webhook: { URL: `http://127.0.0.1:${hook.port}/imm`, Secret: SECRET },
    });

  async function compress(i: number) {
    return (await client.call('CreateFileCompressionTask', {
      ProjectName: 'notify-accept',
      TargetURI: `oss://notify-in/out/${i}.zip`,
      Sources: [{ URI: 'oss://notify-in/a.txt' }],
      UserData: `job-${i}`,
      Notification: notification(),
    })) as { TaskId: string; EventId: string };
  }

  it('delivers IMM message to RabbitMQ through the route and a signed copy to the webhook', async () => {
    const { TaskId, EventId } = await compress(0);
    await waitFor(() => fromRabbit.length === 1 && hook.received.length === 1, 60_000, 20);
    const envelope = JSON.parse(fromRabbit[0]!);
    expect(envelope).toMatchObject({ id: EventId, source: 'acs.imm', type: 'imm:Task:FileCompression' });
    expect(envelope.subject).toMatch(/^acs:imm:cn-hangzhou:[^:]+:notify-accept\/imm:Task:FileCompression$/);
    expect(envelope.time).toMatch(/^\d{13}$/);
    const content = JSON.parse(envelope.content);
    expect(content).toMatchObject({
      ProjectName: 'notify-accept',
      TaskType: 'FileCompression',
      TaskId,
      Status: 'Succeeded',
      Code: '',
      Message: '',
      UserData: 'job-0',
    });
    const copy = hook.received[0]!;
    expect(copy.body).toBe(fromRabbit[0]);
    expect(copy.headers['x-openimm-signature']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(copy.body).digest('hex')}`,
    );
  });

  it('loses nothing when RabbitMQ is stopped and restarted mid-run', async () => {
    const created: Array<{ TaskId: string; EventId: string }> = [];
    // Tasks end before the broker shuts down, while it shuts down, and while it is away.
    for (let i = 1; i <= 3; i++) created.push(await compress(i));
    const stopping = rabbit.stop();
    for (let i = 4; i <= 6; i++) created.push(await compress(i));
    await stopping;
    conn = undefined;
    const whileDown: typeof created = [];
    for (let i = 7; i <= 9; i++) whileDown.push(await compress(i));
    created.push(...whileDown);
    // The tasks finish and their webhook copies arrive while the broker is stopped.
    await waitFor(() => new Set(hook.received.map((r) => JSON.parse(r.body).id)).size === 10, 60_000, 20);
    const beforeRestart = new Set(fromRabbit.map((b) => JSON.parse(b).id));
    for (const c of whileDown) expect(beforeRestart.has(c.EventId)).toBe(false);

    await rabbit.start();
    await consume();
    const ids = () => new Set(fromRabbit.map((b) => JSON.parse(b).id));
    await waitFor(() => created.every((c) => ids().has(c.EventId)), 60_000, 20);
    // Every copy, before and after the restart, is the same message as the webhook's.
    const hooked = new Map(hook.received.map((r) => [JSON.parse(r.body).id, r.body]));
    for (const body of fromRabbit) expect(body).toBe(hooked.get(JSON.parse(body).id));
  });
});
