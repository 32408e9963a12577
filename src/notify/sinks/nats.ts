/**
 * NATS sink. A JetStream publish first, so a subject captured by a stream is acknowledged by the stream
 * (and deduplicated by `Nats-Msg-Id` within its window); when no stream captures the subject the server
 * answers "no responders" at once, and the message goes out as a core publish confirmed by a flush.
 */
import { type ConnectionOptions, connect, headers, type NatsConnection } from 'nats';
import type { SinkSpec } from '../config.ts';
import { abortable, type NotificationSink, type OutgoingMessage } from './types.ts';

type NatsSpec = Extract<SinkSpec, { kind: 'nats' }>;

const CONNECT_TIMEOUT_MS = 5_000;

/** nats.js takes credentials as options, not in the server URL. */
export function natsOptions(url: string): ConnectionOptions {
  const u = new URL(url);
  const port = u.port || '4222';
  const opts: ConnectionOptions = {
    servers: `${u.hostname}:${port}`,
    name: 'openimm-notify',
    timeout: CONNECT_TIMEOUT_MS,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
  if (u.protocol === 'tls:') opts.tls = {};
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  if (user && pass) Object.assign(opts, { user, pass });
  else if (user) opts.token = user;
  return opts;
}

function isNoResponders(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === '503';
}

export function createNatsSink(): NotificationSink<NatsSpec> {
  const conns = new Map<string, Promise<NatsConnection>>();

  function connection(url: string): Promise<NatsConnection> {
    let p = conns.get(url);
    if (!p) {
      p = connect(natsOptions(url));
      const forget = () => {
        if (conns.get(url) === p) conns.delete(url);
      };
      p.then((nc) => nc.closed().then(forget), forget);
      conns.set(url, p);
    }
    return p;
  }

  async function send(nc: NatsConnection, subject: string, message: OutgoingMessage, timeout: number) {
    const h = headers();
    h.set('Content-Type', 'application/json');
    h.set('Openimm-Task-Id', message.taskId);
    const data = Buffer.from(message.body, 'utf8');
    try {
      // The id carries the subject so one event sent to two subjects of one stream is not taken as a duplicate.
      await nc
        .jetstream()
        .publish(subject, data, { msgID: `${message.messageId}:${subject}`, timeout, headers: h });
    } catch (err) {
      if (!isNoResponders(err)) throw err;
      h.set('Nats-Msg-Id', message.messageId);
      nc.publish(subject, data, { headers: h });
      await nc.flush();
    }
  }

  return {
    kind: 'nats',
    async publish(target, message, signal) {
      const nc = await abortable(connection(target.url), signal);
      await abortable(send(nc, target.subject, message, 5_000), signal);
    },
    async close() {
      const all = [...conns.values()];
      conns.clear();
      await Promise.allSettled(all.map((p) => p.then((nc) => nc.close())));
    },
  };
}
