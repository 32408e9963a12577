/**
 * MQTT sink: QoS 1 publish, resolved on the broker's PUBACK. One client per URL without automatic
 * reconnection: a closed client is dropped and the next message opens a new one, so nothing piles up in
 * a client's offline queue while the dispatcher already counts the attempt as failed.
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { SinkSpec } from '../config.ts';
import { abortable, type NotificationSink } from './types.ts';

type MqttSpec = Extract<SinkSpec, { kind: 'mqtt' }>;

export function createMqttSink(): NotificationSink<MqttSpec> {
  const clients = new Map<string, Promise<MqttClient>>();

  function client(url: string): Promise<MqttClient> {
    let p = clients.get(url);
    if (!p) {
      const forget = () => {
        if (clients.get(url) === p) clients.delete(url);
      };
      // Loaded on first use: a server that never sends here does not hold the client library in memory.
      p = import('mqtt')
        .then(({ connectAsync }) =>
          connectAsync(
            url,
            {
              clientId: `openimm-notify-${randomUUID()}`,
              clean: true,
              reconnectPeriod: 0,
              connectTimeout: 5_000,
              keepalive: 10,
            },
            false,
          ),
        )
        .then((c) => {
          c.on('error', () => {});
          c.on('close', () => {
            forget();
            c.end(true);
          });
          return c;
        });
      p.catch(forget);
      clients.set(url, p);
    }
    return p;
  }

  function discard(url: string, p: Promise<MqttClient>) {
    if (clients.get(url) === p) clients.delete(url);
    p.then((c) => c.end(true)).catch(() => {});
  }

  return {
    kind: 'mqtt',
    async publish(target, message, signal) {
      const p = client(target.url);
      try {
        const c = await abortable(p, signal);
        await abortable(c.publishAsync(target.topic, message.body, { qos: 1 }), signal);
      } catch (err) {
        if (signal.aborted) discard(target.url, p);
        throw err;
      }
    },
    async close() {
      const all = [...clients.values()];
      clients.clear();
      await Promise.allSettled(all.map((p) => p.then((c) => c.endAsync())));
    },
  };
}
