/**
 * Create-time reading of a task's notification targets: `Notification.MNS`, `Notification.RocketMQ`,
 * the legacy `NotifyEndpoint` + `NotifyTopicName`, and openimm's request-level sinks. Everything is
 * validated here, so a malformed target fails the Create call (spec 8.1), never the delivery.
 */
import { Errors } from '../protocol/errors.ts';
import { parseOssObjectUri } from '../storage/oss-uri.ts';
import type { NotifyConfig } from './config.ts';
import { type Fields, jsonObjectParam, objectField, stringField } from './request-fields.ts';
import { parseRequestSinks } from './request-sinks.ts';
import { routeServiceTarget, type ServiceRequest } from './routing.ts';
import type { NotificationTarget } from './target-types.ts';

export type {
  ConfiguredSinkTarget,
  MnsServiceTarget,
  NotificationTarget,
  RequestSinkTarget,
  RocketmqServiceTarget,
} from './target-types.ts';

export interface NotificationParams {
  Notification?: unknown;
  NotifyEndpoint?: unknown;
  NotifyTopicName?: unknown;
}

// MNS topic names: a letter first, then letters, digits and hyphens, at most 256 characters.
const MNS_TOPIC = /^[A-Za-z][A-Za-z0-9-]{0,255}$/;

function mnsRequest(n: Fields): ServiceRequest | undefined {
  const o = objectField(n, 'MNS', 'Notification');
  if (!o) return undefined;
  const param = 'Notification.MNS';
  const topicName = stringField(o, 'TopicName', param, { required: true, max: 256 })!;
  return { source: 'mns', topicName, endpoint: stringField(o, 'Endpoint', param, { max: 512 }), param };
}

function rocketmqRequest(n: Fields): ServiceRequest | undefined {
  const o = objectField(n, 'RocketMQ', 'Notification');
  if (!o) return undefined;
  const param = 'Notification.RocketMQ';
  return {
    source: 'rocketmq',
    topicName: stringField(o, 'TopicName', param, { required: true, max: 256 })!,
    instanceId: stringField(o, 'InstanceId', param, { required: true, max: 256 })!,
    endpoint: stringField(o, 'Endpoint', param, { max: 512 }),
    param,
  };
}

/** Legacy top-level `NotifyTopicName` (+ `NotifyEndpoint`): treated as `Notification.MNS`; empty = none. */
function legacyRequest(params: NotificationParams): ServiceRequest | undefined {
  const top = params as Fields;
  const topicName = stringField(top, 'NotifyTopicName', '', { max: 256 });
  if (!topicName) return undefined;
  const endpoint = stringField(top, 'NotifyEndpoint', '', { max: 512 });
  return { source: 'mns', topicName, endpoint, param: 'NotifyTopicName' };
}

/** The `Notification.ExtendedMessageURI`, validated (an OSS object URI), or undefined. */
export function parseExtendedMessageUri(params: NotificationParams): string | undefined {
  const n = jsonObjectParam(params.Notification, 'Notification');
  if (!n) return undefined;
  const uri = stringField(n, 'ExtendedMessageURI', 'Notification', { max: 2048 });
  if (uri === undefined) return undefined;
  parseOssObjectUri(uri, 'Notification.ExtendedMessageURI');
  return uri;
}

/**
 * Reads and validates every notification target of a Create*Task request and applies the routing table
 * and the allow-list. Throws ImmError (`InvalidJSON` for unparsable JSON, `InvalidArgument` otherwise).
 * An empty list means no message is sent.
 */
export function parseNotificationTargets(
  params: NotificationParams,
  cfg: NotifyConfig,
): NotificationTarget[] {
  const n = jsonObjectParam(params.Notification, 'Notification') ?? {};
  parseExtendedMessageUri(params);
  const requests = [mnsRequest(n), rocketmqRequest(n), legacyRequest(params)].filter(
    (r): r is ServiceRequest => r !== undefined,
  );
  for (const r of requests) {
    if (r.source === 'mns') checkTopicName(r);
  }
  const targets: NotificationTarget[] = [];
  for (const r of requests) targets.push(...routeServiceTarget(r, cfg));
  targets.push(...parseRequestSinks(n, cfg.allowHosts));
  return dedupe(targets);
}

function checkTopicName(r: ServiceRequest): void {
  if (MNS_TOPIC.test(r.topicName)) return;
  const name = r.param === 'NotifyTopicName' ? r.param : `${r.param}.TopicName`;
  throw Errors.invalidParameter(
    name,
    'A topic name starts with a letter and has only letters, digits and hyphens.',
  );
}

function dedupe(targets: NotificationTarget[]): NotificationTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = JSON.stringify(t);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
