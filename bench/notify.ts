/**
 * Notification latency: from the commit of a task's terminal status (with its outbox rows) to receipt by
 * a consumer, for AMQP (RabbitMQ on 127.0.0.1:5672) and a webhook (local HTTP server), through the real
 * dispatcher on PostgreSQL. Printed beside a client polling GetTask every second, whose wait is the
 * time to its next poll: uniform over the interval (simulated from random poll phases, not measured).
 *
 *   tsx bench/notify.ts [--tasks 2000] [--rate 200] [--database postgres://postgres@127.0.0.1:5432/postgres]
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import pg from 'pg';
import pino from 'pino';
import { connectDb } from '../src/db/connect.ts';
import type { Db } from '../src/db/types.ts';
import { parseNotifyConfig } from '../src/notify/config.ts';
import { startDispatcher } from '../src/notify/dispatcher.ts';
import { buildContent, buildEnvelope } from '../src/notify/message.ts';
import { enqueueNotifications } from '../src/notify/outbox.ts';
import type { NotificationTarget } from '../src/notify/target-types.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '200' },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    amqp: { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672' },
  },
});
const TASKS = Number(values.tasks);
const RATE = Number(values.rate);
const POLL_MS = 1000;

interface Sample {
  committed: number;
  amqp?: number;
  webhook?: number;
}

async function withDatabase<T>(fn: (db: Db, dispatcherDb: Db) => Promise<T>): Promise<T> {
  const name = `openimm_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: values.database });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(values.database!);
  url.pathname = `/${name}`;
  const db = await connectDb({ url: url.href });
  // The dispatcher gets its own small pool, as the server gives it: its claims never queue behind task
  // traffic waiting for a connection.
  const dispatcherDb = await connectDb({ url: url.href }, { migrate: false, poolSize: 4 });
  try {
    return await fn(db, dispatcherDb);
  } finally {
    await dispatcherDb.close();
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function startWebhook(samples: Map<string, Sample>) {
  const server = createServer((req, res) => {
    const at = performance.now();
    req.resume();
    req.on('end', () => {
      const s = samples.get(String(req.headers['x-openimm-message-id']));
      if (s && s.webhook === undefined) s.webhook = at;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

async function startAmqpConsumer(samples: Map<string, Sample>, exchange: string) {
  const conn = await amqp.connect(values.amqp!);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true });
  const { queue } = await ch.assertQueue('', { exclusive: true });
  await ch.bindQueue(queue, exchange, '');
  await ch.consume(
    queue,
    (m) => {
      const at = performance.now();
      const s = m && samples.get(String(m.properties.messageId));
      if (s && s.amqp === undefined) s.amqp = at;
    },
    { noAck: true },
  );
  return conn;
}

async function insertTasks(db: Db, n: number) {
  const ids = Array.from({ length: n }, () => ({
    id: `FileCompression-${randomUUID()}`,
    eventId: `0ED-${randomUUID()}`,
  }));
  for (let i = 0; i < n; i += 500) {
    await db.query(
      `INSERT INTO tasks (id, account_id, project_name, type, work_class, event_id, request_id)
       SELECT x->>'id', 'bench-account', 'bench', 'FileCompression', 'light', x->>'eventId', 'R'
       FROM jsonb_array_elements($1::jsonb) AS x`,
      [JSON.stringify(ids.slice(i, i + 500))],
    );
  }
  return ids;
}

function bodyFor(task: { id: string; eventId: string }, now: Date) {
  const content = buildContent(
    {
      projectName: 'bench',
      requestId: 'R',
      startTime: now,
      endTime: now,
      userData: '',
      taskType: 'FileCompression',
      taskId: task.id,
      status: 'Succeeded',
      code: '',
      message: '',
    },
    { Sources: null, SourceManifestURI: 'oss://b/m.json', TargetURI: 'oss://b/out.zip' },
  );
  const envelope = { eventId: task.eventId, eventName: 'FileCompression', region: 'cn-hangzhou' };
  return buildEnvelope(
    { ...envelope, accountId: 'bench-account', projectName: 'bench', timeMs: now.getTime() },
    content,
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function report(label: string, latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(1).padStart(8);
  console.log(
    `${label.padEnd(34)} n=${String(sorted.length).padStart(5)}  p50 ${f(percentile(sorted, 50))} ms  p90 ${f(percentile(sorted, 90))} ms  p99 ${f(percentile(sorted, 99))} ms  max ${f(sorted.at(-1) ?? Number.NaN)} ms`,
  );
  return percentile(sorted, 99);
}

async function main() {
  const samples = new Map<string, Sample>();
  const exchange = `openimm-bench-${randomUUID().slice(0, 8)}`;
  const hook = await startWebhook(samples);
  const conn = await startAmqpConsumer(samples, exchange);
  const targets: NotificationTarget[] = [
    { kind: 'amqp', url: values.amqp!, exchange, routingKey: '' },
    { kind: 'webhook', url: hook.url, secret: 'bench-secret' },
  ];
  await withDatabase(async (db, dispatcherDb) => {
    const dispatcher = startDispatcher(dispatcherDb, parseNotifyConfig({}), pino({ level: 'warn' }));
    const tasks = await insertTasks(db, TASKS);
    await new Promise((r) => setTimeout(r, 300)); // LISTEN in place
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (const [i, task] of tasks.entries()) {
      const due = started + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const body = bodyFor(task, new Date());
      const sample: Sample = { committed: Number.NaN };
      samples.set(task.eventId, sample);
      pending.push(
        db
          .transaction((tx) =>
            enqueueNotifications(tx, { taskId: task.id, messageId: task.eventId, targets, body }),
          )
          .then(() => {
            sample.committed = performance.now();
          }),
      );
    }
    await Promise.all(pending);
    const deadline = performance.now() + 30_000;
    const done = () => [...samples.values()].every((s) => s.amqp !== undefined && s.webhook !== undefined);
    while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await dispatcher.stop();
  });
  await conn.close();
  hook.server.close();

  const all = [...samples.values()];
  // Receipt can beat the moment the committing client sees COMMIT return; such samples count as 0 ms.
  const lat = (k: 'amqp' | 'webhook') =>
    all.filter((s) => s[k] !== undefined).map((s) => Math.max(0, s[k]! - s.committed));
  const poll = all.map(() => POLL_MS - Math.random() * POLL_MS);
  console.log(`notification latency, ${TASKS} tasks committed at ${RATE}/s, commit → consumer receipt`);
  const p99a = report('AMQP (RabbitMQ, publisher confirms)', lat('amqp'));
  const p99w = report('webhook (HTTP POST, signed)', lat('webhook'));
  report(`GetTask polling every ${POLL_MS} ms (simulated)`, poll);
  const lost = all.filter((s) => s.amqp === undefined || s.webhook === undefined).length;
  console.log(
    `not received within 30 s: ${lost}; goal p99 < 25 ms: ${p99a < 25 && p99w < 25 ? 'met' : 'not met'}`,
  );
}

await main();
