/**
 * openimm's own request-level sinks: `Notification.Webhook`, `.AMQP`, `.NATS`, `.MQTT`. A request must
 * not make the server connect anywhere it likes, so each URL's host must match the allow-list.
 */
import { Errors } from '../protocol/errors.ts';
import { isHostAllowed } from './allow-hosts.ts';
import { type Fields, hostNotAllowed, objectField, stringField, urlField } from './request-fields.ts';
import type { RequestSinkTarget } from './target-types.ts';

const P = 'Notification';

function allowedUrl(o: Fields, path: string, schemes: string[], allowHosts: readonly string[]): URL {
  const url = urlField(o, 'URL', path, schemes);
  if (!isHostAllowed(allowHosts, url)) throw hostNotAllowed(`${path}.URL`, url);
  return url;
}

function webhook(o: Fields, allowHosts: readonly string[]): RequestSinkTarget {
  const path = `${P}.Webhook`;
  const url = allowedUrl(o, path, ['http', 'https'], allowHosts);
  // Credentials in the URL would travel and be stored in the clear; signing with Secret is the supported way.
  if (url.username || url.password) {
    throw Errors.invalidParameter(`${path}.URL`, 'The URL must not contain credentials; use Secret to sign.');
  }
  const secret = stringField(o, 'Secret', path, { max: 1024 });
  return { kind: 'webhook', url: url.href, ...(secret ? { secret } : {}) };
}

function amqp(o: Fields, allowHosts: readonly string[]): RequestSinkTarget {
  const path = `${P}.AMQP`;
  const url = allowedUrl(o, path, ['amqp', 'amqps'], allowHosts);
  const exchange = stringField(o, 'Exchange', path, { max: 255 }) ?? '';
  const routingKey = stringField(o, 'RoutingKey', path, { max: 255 }) ?? '';
  if (!exchange && !routingKey) {
    throw Errors.invalidArgument(
      `The parameter ${path}.Exchange or ${path}.RoutingKey is required but not provided.`,
    );
  }
  return { kind: 'amqp', url: url.href, exchange, routingKey };
}

function nats(o: Fields, allowHosts: readonly string[]): RequestSinkTarget {
  const path = `${P}.NATS`;
  const url = allowedUrl(o, path, ['nats', 'tls'], allowHosts);
  const subject = stringField(o, 'Subject', path, { required: true, max: 255 })!;
  // A publish subject is dot-separated non-empty tokens without wildcards or whitespace.
  if (!/^[^\s.*>]+(\.[^\s.*>]+)*$/.test(subject)) {
    throw Errors.invalidParameter(
      `${path}.Subject`,
      'Expected dot-separated tokens without wildcards or spaces.',
    );
  }
  return { kind: 'nats', url: url.href, subject };
}

function mqtt(o: Fields, allowHosts: readonly string[]): RequestSinkTarget {
  const path = `${P}.MQTT`;
  const url = allowedUrl(o, path, ['mqtt', 'mqtts', 'ws', 'wss'], allowHosts);
  const topic = stringField(o, 'Topic', path, { required: true, max: 1024 })!;
  if (/[+#\u0000]/.test(topic)) {
    throw Errors.invalidParameter(`${path}.Topic`, 'A publish topic must not contain wildcards (+, #).');
  }
  return { kind: 'mqtt', url: url.href, topic };
}

const READERS: Record<string, (o: Fields, allowHosts: readonly string[]) => RequestSinkTarget> = {
  Webhook: webhook,
  AMQP: amqp,
  NATS: nats,
  MQTT: mqtt,
};

export function parseRequestSinks(notification: Fields, allowHosts: readonly string[]): RequestSinkTarget[] {
  const out: RequestSinkTarget[] = [];
  for (const [key, read] of Object.entries(READERS)) {
    const o = objectField(notification, key, P);
    if (o) out.push(read(o, allowHosts));
  }
  return out;
}
