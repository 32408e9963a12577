import type { SinkSpec } from './config.ts';

/** The real Alibaba Cloud MNS service; credentials come from the `mns` config at delivery time. */
export interface MnsServiceTarget {
  kind: 'mns';
  endpoint: string;
  topicName: string;
}

/** The real RocketMQ HTTP service; credentials come from the `rocketmq` config at delivery time. */
export interface RocketmqServiceTarget {
  kind: 'rocketmq';
  endpoint: string;
  topicName: string;
  instanceId: string;
}

/**
 * A sink named in the server config (reached through the routing table). Its settings and secrets are
 * looked up when delivering, so none of them is stored with the message. The requested topic (and
 * instance) fill in MNS/RocketMQ sinks that name no topic of their own.
 */
export interface ConfiguredSinkTarget {
  kind: 'sink';
  sink: string;
  topicName?: string;
  instanceId?: string;
}

/** A sink named in the request itself (openimm extension; its host must be allowed by config). */
export type RequestSinkTarget = Extract<SinkSpec, { kind: 'webhook' | 'amqp' | 'nats' | 'mqtt' }>;

/** Where one notification of a task goes; one outbox row per target. JSON-serialisable. */
export type NotificationTarget =
  | MnsServiceTarget
  | RocketmqServiceTarget
  | ConfiguredSinkTarget
  | RequestSinkTarget;
