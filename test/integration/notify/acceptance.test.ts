/**
 * The notification acceptance scenario as a new user runs it: a config routes the MNS topic `imm-events`
 * to a RabbitMQ exchange; tasks are created through `@alicloud/openapi-core` against a real server process
 * with `Notification` `{"MNS":{"TopicName":"imm-events"}, "Webhook": …}`; a RabbitMQ consumer receives IMM's
 * message and the webhook a signed copy. RabbitMQ then becomes unreachable (a TCP proxy drops everything)
 * while more tasks end, and comes back: nothing is lost.
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
import { startTcpProxy, type TcpProxy } from '../../notify/helpers/tcp-proxy.ts';

const run = randomUUID().slice(0, 8);
const exchange = `imm-accept-${run}`;
const creds = { accessKeyId: 'LTAInotifyaccept01', accessKeySecret: 'notify-acceptance-secret-00001' };
const SECRET = 'hook-secret';

describe('notifications, as a new user sets them up', () => {
  let dir: string;
  let server: ServerProcess;
  let proxy: TcpProxy;
  let hook: Receiver;
  let conn: amqp.ChannelModel;
  let client: ImmClient;
  let database: TestDb;
  const fromRabbit: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-notify-'));
    proxy = await startTcpProxy(5672);
    hook = await startReceiver();
    conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, exchange, '');
    await ch.consume(queue, (m) => m && fromRabbit.push(m.content.toString('utf8')), { noAck: true });
    const config = {
      notify: {
        allowHosts: [`127.0.0.1:${hook.port}`],
        sinks: { rabbit: { kind: 'amqp', url: proxy.url('amqp', 'guest:guest'), exchange, routingKey: '' } },
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
    await conn?.close();
    await hook?.close();
    await proxy?.close();
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

  it('loses nothing while RabbitMQ is unreachable', async () => {
    proxy.down();
    const created = [];
    for (let i = 1; i <= 5; i++) created.push(await compress(i));
    // The tasks finish and their webhook copies arrive while the broker is away.
    await waitFor(() => hook.received.length === 6, 60_000, 20);
    expect(fromRabbit).toHaveLength(1);
    proxy.up();
    await waitFor(() => new Set(fromRabbit).size === 6, 30_000, 20);
    const ids = new Set(fromRabbit.map((b) => JSON.parse(b).id));
    for (const c of created) expect(ids.has(c.EventId)).toBe(true);
  });
});
