/**
 * Turns a stored target into the settings of one delivery. Configured sinks and service credentials are
 * read from the current config, so a fixed config followed by a redrive delivers dead letters.
 */
import type { NotifyConfig, SinkSpec } from './config.ts';
import { PermanentDeliveryError } from './sinks/types.ts';
import type { NotificationTarget } from './target-types.ts';

export function resolveTarget(target: NotificationTarget, cfg: NotifyConfig): SinkSpec {
  switch (target.kind) {
    case 'mns':
    case 'rocketmq': {
      const creds = cfg[target.kind];
      if (!creds) throw new PermanentDeliveryError(`no ${target.kind} credentials are configured`);
      const { accessKeyId, accessKeySecret } = creds;
      return { ...target, accessKeyId, accessKeySecret };
    }
    case 'sink': {
      const spec = cfg.sinks[target.sink];
      if (!spec) throw new PermanentDeliveryError(`the configured sink "${target.sink}" no longer exists`);
      if (spec.kind === 'mns') return { ...spec, topicName: spec.topicName ?? target.topicName };
      if (spec.kind === 'rocketmq') {
        return {
          ...spec,
          topicName: spec.topicName ?? target.topicName,
          instanceId: spec.instanceId ?? target.instanceId,
        };
      }
      return spec;
    }
    default:
      return target;
  }
}

/** A one-line description without credentials, query strings or secrets (logs, dead-letter listings). */
export function describeTarget(target: NotificationTarget): string {
  switch (target.kind) {
    case 'mns':
      return `mns ${hostOf(target.endpoint)} topic=${target.topicName}`;
    case 'rocketmq':
      return `rocketmq ${hostOf(target.endpoint)} instance=${target.instanceId} topic=${target.topicName}`;
    case 'sink':
      return `sink ${target.sink}${target.topicName ? ` (topic ${target.topicName})` : ''}`;
    case 'webhook':
      return `webhook ${safeUrl(target.url)}`;
    case 'amqp':
      return `amqp ${safeUrl(target.url)} exchange=${target.exchange} routingKey=${target.routingKey}`;
    case 'nats':
      return `nats ${safeUrl(target.url)} subject=${target.subject}`;
    case 'mqtt':
      return `mqtt ${safeUrl(target.url)} topic=${target.topic}`;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '?';
  }
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '?';
  }
}
