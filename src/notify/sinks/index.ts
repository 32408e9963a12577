/**
 * The closed set of sinks, keyed by kind. Sinks are created lazily, once per dispatcher, and keep
 * their connections until the dispatcher stops.
 */
import type { SinkKind, SinkSpec } from '../config.ts';
import { createAmqpSink } from './amqp.ts';
import { createMnsSink } from './mns.ts';
import { createMqttSink } from './mqtt.ts';
import { createNatsSink } from './nats.ts';
import { createRocketmqSink } from './rocketmq.ts';
import type { NotificationSink, OutgoingMessage } from './types.ts';
import { createWebhookSink } from './webhook.ts';

export type SinkFactories = { [K in SinkKind]: () => NotificationSink<Extract<SinkSpec, { kind: K }>> };

export const sinkFactories: SinkFactories = {
  webhook: createWebhookSink,
  amqp: createAmqpSink,
  nats: createNatsSink,
  mqtt: createMqttSink,
  mns: createMnsSink,
  rocketmq: createRocketmqSink,
};

export interface SinkSet {
  publish(spec: SinkSpec, message: OutgoingMessage, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export function createSinkSet(factories: SinkFactories = sinkFactories): SinkSet {
  const live = new Map<SinkKind, NotificationSink<any>>();
  return {
    publish(spec, message, signal) {
      let sink = live.get(spec.kind);
      if (!sink) {
        sink = factories[spec.kind]();
        live.set(spec.kind, sink);
      }
      return sink.publish(spec, message, signal);
    },
    async close() {
      const sinks = [...live.values()];
      live.clear();
      await Promise.allSettled(sinks.map((s) => s.close()));
    },
  };
}

export { type NotificationSink, type OutgoingMessage, PermanentDeliveryError } from './types.ts';
