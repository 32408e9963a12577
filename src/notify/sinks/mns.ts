/**
 * MNS sink: `PublishMessage` on a topic through Alibaba Cloud's MNS HTTP API (XML body, `MNS` HMAC-SHA1
 * authorization), sent by the official `@alicloud/mns` client. The envelope JSON is the message body.
 */
import MNSClient from '@alicloud/mns';
import type { SinkSpec } from '../config.ts';
import { abortable, type NotificationSink, PermanentDeliveryError } from './types.ts';

type MnsSpec = Extract<SinkSpec, { kind: 'mns' }>;

// MNS error codes that no retry can cure; the message goes to the dead letters at once.
const PERMANENT_CODES = ['TopicNotExist', 'InvalidArgument', 'MessageBodyInvalid'];

/** The client writes the body into its XML document unescaped; MNS unescapes it on receipt. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `https://123.mns.cn-hangzhou.aliyuncs.com` → `123` (the client requires an account id). */
function accountOf(endpoint: string): string {
  return new URL(endpoint).hostname.split('.')[0] || 'openimm';
}

function classify(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  if (PERMANENT_CODES.some((code) => e.name === `MNS${code}Error`)) {
    return new PermanentDeliveryError(e.message, { cause: e });
  }
  return e;
}

export function createMnsSink(opts: { timeoutMs?: number } = {}): NotificationSink<MnsSpec> {
  const clients = new Map<string, MNSClient>();

  function client(spec: MnsSpec): MNSClient {
    const key = `${spec.endpoint}\n${spec.accessKeyId}\n${spec.accessKeySecret}`;
    let c = clients.get(key);
    if (!c) {
      c = new MNSClient(accountOf(spec.endpoint), {
        endpoint: spec.endpoint.replace(/\/$/, ''),
        accessKeyId: spec.accessKeyId,
        accessKeySecret: spec.accessKeySecret,
        readTimeout: opts.timeoutMs ?? 10_000,
        connectTimeout: opts.timeoutMs ?? 10_000,
      });
      clients.set(key, c);
    }
    return c;
  }

  return {
    kind: 'mns',
    async publish(target, message, signal) {
      if (!target.topicName) throw new PermanentDeliveryError('no MNS topic to publish to');
      const res = await abortable(
        client(target).publishMessage(target.topicName, { MessageBody: xmlEscape(message.body) }),
        signal,
      ).catch((err) => {
        throw classify(err);
      });
      if (res.code < 200 || res.code >= 300) throw new Error(`MNS answered HTTP ${res.code}`);
    },
    async close() {
      clients.clear();
    },
  };
}
