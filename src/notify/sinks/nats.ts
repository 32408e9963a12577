/**
 * NATS sink. A subject captured by a JetStream stream gets a JetStream publish, acknowledged by the
 * stream and deduplicated by `Nats-Msg-Id` within its window; any other subject gets a core publish
 * confirmed by a flush. Which one is asked of the server (and remembered for a while) rather than
 * found by trying: a JetStream publish to a plain subject would reach its subscribers as a request
 * and then time out waiting for an ack, so every retry would deliver again.
 */
import type { ConnectionOptions, NatsConnection } from 'nats';
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

// How long the answer to "is this subject on a stream?" is trusted: streams are rarely added or removed.
const STREAM_LOOKUP_TTL_MS = 30_000;

function isNoStream(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  // 503: JetStream is not enabled on this server; otherwise the lookup found no stream.
  return e?.code === '503' || /no stream matches subject/.test(e?.message ?? '');
}

export function createNatsSink(): NotificationSink<NatsSpec> {
  const conns = new Map<string, Promise<NatsConnection>>();

  function connection(url: string): Promise<NatsConnection> {
    let p = conns.get(url);
    if (!p) {
      // Loaded on first use: a server that never sends here does not hold the client library in memory.
      p = import('nats').then(({ connect }) => connect(natsOptions(url)));
      const forget = () => {
        if (conns.get(url) === p) conns.delete(url);
      };
      p.then((nc) => nc.closed().then(forget), forget);
      conns.set(url, p);
    }
    return p;
  }

  const onStream = new Map<string, { value: boolean; until: number }>();

  async function capturedByStream(nc: NatsConnection, url: string, subject: string): Promise<boolean> {
    const key = `${url}\n${subject}`;
    const cached = onStream.get(key);
    if (cached && cached.until > Date.now()) return cached.value;
    let value: boolean;
    try {
      await (await nc.jetstreamManager({ checkAPI: false })).streams.find(subject);
      value = true;
    } catch (err) {
      if (!isNoStream(err)) throw err;
      value = false;
    }
    onStream.set(key, { value, until: Date.now() + STREAM_LOOKUP_TTL_MS });
    return value;
  }

  async function send(nc: NatsConnection, url: string, subject: string, message: OutgoingMessage) {
    const { headers } = await import('nats');
    const h = headers();
    h.set('Content-Type', 'application/json');
    h.set('Openimm-Message-Id', message.messageId);
    h.set('Openimm-Task-Id', message.taskId);
    // The id carries the subject so one event sent to two subjects of one stream is not taken as a duplicate.
    const msgID = `${message.messageId}:${subject}`;
    const data = Buffer.from(message.body, 'utf8');
    if (await capturedByStream(nc, url, subject)) {
      await nc.jetstream().publish(subject, data, { msgID, timeout: 5_000, headers: h });
      return;
    }
    h.set('Nats-Msg-Id', msgID);
    nc.publish(subject, data, { headers: h });
    await nc.flush();
  }

  return {
    kind: 'nats',
    async publish(target, message, signal) {
      const nc = await abortable(connection(target.url), signal);
      await abortable(send(nc, target.url, target.subject, message), signal);
    },
    async close() {
      const all = [...conns.values()];
      conns.clear();
      await Promise.allSettled(all.map((p) => p.then((nc) => nc.close())));
    },
  };
}
