/**
 * Notification latency (`npm run bench:notify`): from the commit of a task's terminal status (with its
 * outbox rows) to receipt by a consumer, for AMQP (RabbitMQ on 127.0.0.1:5672) and a webhook (a local HTTP
 * server), through the real dispatcher on PostgreSQL. Printed beside a client polling GetTask every second,
 * whose wait is the time to its next poll: uniform over the interval (simulated from random poll phases).
 *
 * Two processes, as in production: this one runs only the dispatcher (on its own pool of 4 connections,
 * as the server gives it); a child process is the rest of the world: it commits the task outcomes at the
 * given rate and runs both consumers, so commit and receipt times are read on one clock. Beside the
 * latency the report gives the load average before and after, and the CPU time per delivered message of the
 * dispatcher process, the child, the run's PostgreSQL backends and the RabbitMQ broker (all of it, so it
 * includes anyone else's traffic): figures from a shared machine can be judged by them.
 *
 *   npm run bench:notify -- [--tasks 2000] [--rate 200] [--rounds 1]
 *     [--database postgres://postgres@127.0.0.1:5432/postgres] [--amqp amqp://guest:guest@127.0.0.1:5672]
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import pg from 'pg';
import pino from 'pino';
import { connectDb } from '../src/db/connect.ts';
import { parseNotifyConfig } from '../src/notify/config.ts';
import { startDispatcher } from '../src/notify/dispatcher.ts';
import { buildContent, buildEnvelope } from '../src/notify/message.ts';
import { enqueueNotifications } from '../src/notify/outbox.ts';
import type { NotificationTarget } from '../src/notify/target-types.ts';
import { pidCpuMs } from './proc-stats.ts';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '1' },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    amqp: { type: 'string', default: 'amqp://guest:guest@127.0.0.1:5672' },
    // Internal: the child process that commits and consumes.
    driver: { type: 'string' },
  },
});
const TASKS = Number(values.tasks);
const RATE = Number(values.rate);
const ROUNDS = Number(values.rounds);
const POLL_MS = 1000;
const RECEIPT_WAIT_MS = 30_000;

interface Sample {
  committed: number;
  amqp?: number;
  webhook?: number;
}

/** Messages between the two processes. */
type ToDriver = { go: true } | { close: true };
type FromDriver =
  | { ready: true }
  | { done: true; samples: Sample[]; cpuMs: number; firstCommit: number; lastReceipt: number };

// ---------------------------------------------------------------------------------------------------
// The child: commits task outcomes with their outbox rows, and receives them as a RabbitMQ consumer and
// as a webhook server.

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

async function driver(databaseUrl: string) {
  const send = (m: FromDriver) => process.send!(m);
  const db = await connectDb({ url: databaseUrl }, { migrate: false });
  const samples = new Map<string, Sample>();
  const exchange = `openimm-bench-${randomUUID().slice(0, 8)}`;
  const hook = await startWebhook(samples);
  const conn = await startAmqpConsumer(samples, exchange);
  const targets: NotificationTarget[] = [
    { kind: 'amqp', url: values.amqp!, exchange, routingKey: '' },
    { kind: 'webhook', url: hook.url, secret: 'bench-secret' },
  ];
  const tasks = Array.from({ length: TASKS }, () => ({
    id: `FileCompression-${randomUUID()}`,
    eventId: `0ED-${randomUUID()}`,
  }));
  for (let i = 0; i < TASKS; i += 500) {
    await db.query(
      `INSERT INTO tasks (id, account_id, project_name, type, work_class, event_id, request_id)
       SELECT x->>'id', 'bench-account', 'bench', 'FileCompression', 'light', x->>'eventId', 'R'
       FROM jsonb_array_elements($1::jsonb) AS x`,
      [JSON.stringify(tasks.slice(i, i + 500))],
    );
  }
  // Open the pool's connections before the clock starts.
  await Promise.all(Array.from({ length: 10 }, () => db.query('SELECT 1')));
  await new Promise<void>((resolve) => {
    process.once('message', (m: ToDriver) => 'go' in m && resolve());
    send({ ready: true });
  });

  const cpu = process.cpuUsage();
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
  const deadline = performance.now() + RECEIPT_WAIT_MS;
  const done = () => [...samples.values()].every((s) => s.amqp !== undefined && s.webhook !== undefined);
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const used = process.cpuUsage(cpu);
  const all = [...samples.values()];
  const receipts = all.flatMap((s) => [s.amqp ?? 0, s.webhook ?? 0]);
  send({
    done: true,
    samples: all,
    cpuMs: (used.user + used.system) / 1000,
    firstCommit: started,
    lastReceipt: Math.max(...receipts),
  });
  // Stay connected until the parent has read the database backends' CPU time.
  await new Promise<void>((resolve) => process.once('message', (m: ToDriver) => 'close' in m && resolve()));
  await conn.close();
  hook.server.close();
  await db.close();
  process.disconnect();
}

// ---------------------------------------------------------------------------------------------------
// This process: the dispatcher, and the report.

/** CPU milliseconds so far of the named processes: the database's backends, or every RabbitMQ process. */
async function cpuOf(pids: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    const ms = await pidCpuMs(pid);
    if (ms !== undefined) out.set(pid, ms);
  }
  return out;
}

function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0);
  return ms;
}

async function backendPids(admin: pg.Client, database: string): Promise<number[]> {
  const r = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
    database,
  ]);
  return r.rows.map((row) => row.pid);
}

/** The RabbitMQ broker's processes (the Erlang VM and its helpers), by command name. */
async function rabbitPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (/^(beam\.smp|erl_child_setup|epmd|inet_gethost)$/.test(comm.trim())) pids.push(Number(entry));
  }
  return pids;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function report(label: string, latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(1).padStart(7);
  console.log(
    `${label.padEnd(42)} n=${String(sorted.length).padStart(5)}  p50 ${f(percentile(sorted, 50))} ms  p90 ${f(percentile(sorted, 90))} ms  p99 ${f(percentile(sorted, 99))} ms  max ${f(sorted.at(-1) ?? Number.NaN)} ms`,
  );
  return percentile(sorted, 99);
}

const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

async function round(admin: pg.Client, n: number) {
  const name = `openimm_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(values.database!);
  url.pathname = `/${name}`;
  const migrated = await connectDb({ url: url.href });
  await migrated.close();
  const dispatcherDb = await connectDb({ url: url.href }, { migrate: false, poolSize: 4 });
  const child = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), '--driver', url.href], {
    execArgv: process.execArgv,
  });
  const messages: FromDriver[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (m: FromDriver) => {
    messages.push(m);
    wake?.();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const next = async <K extends 'ready' | 'done'>(key: K) => {
    for (;;) {
      const m = messages.shift();
      if (m && key in m) return m as Extract<FromDriver, Record<K, true>>;
      const gone = await Promise.race([new Promise<void>((r) => (wake = r)).then(() => false), exited]);
      if (gone !== false) throw new Error(`the driver process exited (code ${gone})`);
    }
  };
  try {
    const dispatcher = startDispatcher(dispatcherDb, parseNotifyConfig({}), pino({ level: 'warn' }));
    await next('ready');
    await new Promise((r) => setTimeout(r, 300)); // LISTEN in place, sinks idle
    const loadBefore = load();
    const pgBefore = await cpuOf(await backendPids(admin, name));
    const rabbitBefore = await cpuOf(await rabbitPids());
    const ownCpu = process.cpuUsage();
    child.send({ go: true } satisfies ToDriver);
    const result = await next('done');
    const own = process.cpuUsage(ownCpu);
    const pgMs = cpuSince(pgBefore, await cpuOf(await backendPids(admin, name)));
    const rabbitMs = cpuSince(rabbitBefore, await cpuOf(await rabbitPids()));
    const loadAfter = load();
    child.send({ close: true } satisfies ToDriver);
    await dispatcher.stop();
    await exited;

    const all = result.samples;
    // Receipt can beat the moment the committing client sees COMMIT return; such samples count as 0 ms.
    const lat = (k: 'amqp' | 'webhook') =>
      all.filter((s) => s[k] !== undefined).map((s) => Math.max(0, s[k]! - s.committed));
    const poll = all.map(() => POLL_MS - Math.random() * POLL_MS);
    const received = all.reduce(
      (c, s) => c + (s.amqp !== undefined ? 1 : 0) + (s.webhook !== undefined ? 1 : 0),
      0,
    );
    const seconds = (result.lastReceipt - result.firstCommit) / 1000;
    console.log(
      `round ${n}: ${TASKS} tasks committed at ${RATE}/s, each to AMQP and a webhook; commit → consumer receipt`,
    );
    console.log(
      `load average (1, 5, 15 min) before ${loadBefore}, after ${loadAfter}; ${os.cpus().length} cores`,
    );
    const p99a = report('AMQP (RabbitMQ, publisher confirms)', lat('amqp'));
    const p99w = report('webhook (HTTP POST, signed)', lat('webhook'));
    report(`GetTask polling every ${POLL_MS} ms (simulated)`, poll);
    const per = (ms: number) => (ms / Math.max(1, received)).toFixed(3);
    console.log(
      `CPU per delivered message (${received} in ${seconds.toFixed(1)} s): dispatcher ${per((own.user + own.system) / 1000)} ms, ` +
        `committer + consumers ${per(result.cpuMs)} ms, PostgreSQL backends ${per(pgMs)} ms, ` +
        `RabbitMQ broker (all its traffic) ${per(rabbitMs)} ms`,
    );
    const lost = all.length * 2 - received;
    console.log(
      `not received within ${RECEIPT_WAIT_MS / 1000} s: ${lost}; goal p99 < 25 ms: ${p99a < 25 && p99w < 25 ? 'met' : 'not met'}`,
    );
  } finally {
    if (child.exitCode === null) child.kill();
    await dispatcherDb.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function main() {
  const admin = new pg.Client({ connectionString: values.database });
  await admin.connect();
  const settings = await admin.query<{ v: string; s: string }>(
    "SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS s",
  );
  console.log(
    `notification latency: PostgreSQL ${settings.rows[0]!.v} (synchronous_commit=${settings.rows[0]!.s}), ` +
      `command: npm run bench:notify${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  );
  try {
    for (let n = 1; n <= ROUNDS; n++) await round(admin, n);
  } finally {
    await admin.end();
  }
}

if (values.driver) await driver(values.driver);
else await main();
