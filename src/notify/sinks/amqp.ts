/**
 * AMQP 0-9-1 sink (RabbitMQ): persistent messages on a confirm channel, so `publish` resolves only
 * when the broker has taken responsibility for the message. One connection per URL, reopened after any
 * failure; a publish that times out drops its connection too (it may be half-dead behind a proxy).
 */
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { SinkSpec } from '../config.ts';
import { abortable, type NotificationSink } from './types.ts';

type AmqpSpec = Extract<SinkSpec, { kind: 'amqp' }>;

interface Conn {
  model: ChannelModel;
  channel: ConfirmChannel;
  /** Why the broker closed the channel (e.g. 404 NOT_FOUND for a missing exchange): a better error than "channel closed". */
  closedBy?: Error;
}

// A dead peer is noticed within about two heartbeats even when no packet says so.
const HEARTBEAT_SECONDS = 5;
const CONNECT_TIMEOUT_MS = 5_000;
// amqplib leaves Nagle's algorithm on: a publish written while an earlier one is unacknowledged at the
// TCP level would wait for that ACK (up to the peer's delayed-ACK time) before it leaves.
const SOCKET_OPTIONS = { timeout: CONNECT_TIMEOUT_MS, noDelay: true };

function withHeartbeat(url: string): string {
  const u = new URL(url);
  if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(HEARTBEAT_SECONDS));
  return u.href;
}

async function open(url: string, onGone: () => void): Promise<Conn> {
  // Loaded on first use: a server that never sends here does not hold the client library in memory.
  const { default: amqp } = await import('amqplib');
  const model = await amqp.connect(withHeartbeat(url), SOCKET_OPTIONS);
  // Without an 'error' listener a broken socket would crash the process.
  model.on('error', () => {});
  model.on('close', onGone);
  try {
    const channel = await model.createConfirmChannel();
    const conn: Conn = { model, channel };
    channel.on('error', (err: Error) => {
      conn.closedBy = err;
    });
    channel.on('close', () => {
      onGone();
      model.close().catch(() => {});
    });
    return conn;
  } catch (err) {
    await model.close().catch(() => {});
    throw err;
  }
}

export function createAmqpSink(): NotificationSink<AmqpSpec> {
  const conns = new Map<string, Promise<Conn>>();

  function connection(url: string): Promise<Conn> {
    let p = conns.get(url);
    if (!p) {
      const forget = () => {
        if (conns.get(url) === p) conns.delete(url);
      };
      p = open(url, forget);
      p.catch(forget);
      conns.set(url, p);
    }
    return p;
  }

  function discard(url: string, p: Promise<Conn>) {
    if (conns.get(url) === p) conns.delete(url);
    p.then((c) => c.model.close()).catch(() => {});
  }

  return {
    kind: 'amqp',
    async publish(target, message, signal) {
      const p = connection(target.url);
      try {
        const conn = await abortable(p, signal);
        const { channel } = conn;
        await abortable(
          new Promise<void>((resolve, reject) => {
            channel.publish(
              target.exchange,
              target.routingKey,
              Buffer.from(message.body, 'utf8'),
              {
                persistent: true,
                contentType: 'application/json',
                messageId: message.messageId,
                appId: 'openimm',
                timestamp: Math.floor(Date.now() / 1000),
                headers: { 'x-openimm-task-id': message.taskId },
              },
              (err) => {
                if (!err) return resolve();
                // The channel's 'error' (with the broker's reason) may come a moment after this callback.
                setImmediate(() =>
                  reject(conn.closedBy ?? (err instanceof Error ? err : new Error(String(err)))),
                );
              },
            );
          }),
          signal,
        );
      } catch (err) {
        if (signal.aborted) discard(target.url, p);
        throw err;
      }
    },
    async close() {
      const all = [...conns.values()];
      conns.clear();
      await Promise.allSettled(all.map((p) => p.then((c) => c.model.close())));
    },
  };
}
