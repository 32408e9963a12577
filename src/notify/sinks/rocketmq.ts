/**
 * RocketMQ sink: a message published through the HTTP protocol of Alibaba Cloud's RocketMQ (ONS) with
 * the official `@aliyunmq/mq-http-sdk` (XML body, `MQ` HMAC-SHA1 authorization). The envelope JSON is
 * the body; the tag is the TaskType and the message key the TaskId, so consumers can filter on them.
 */
// A CommonJS package whose named exports Node's ESM loader cannot detect: take them from the default export.
import mqHttpSdk from '@aliyunmq/mq-http-sdk';

import type { SinkSpec } from '../config.ts';
import { abortable, type NotificationSink, PermanentDeliveryError } from './types.ts';

const { MessageProperties, MQClient } = mqHttpSdk as typeof import('@aliyunmq/mq-http-sdk');
type MQClient = InstanceType<typeof MQClient>;

type RocketmqSpec = Extract<SinkSpec, { kind: 'rocketmq' }>;

const PERMANENT_CODES = new Set(['TopicNotExist', 'InvalidArgument', 'MessageBodyInvalid']);

/**
 * The client wraps the body in CDATA, which `]]>` would end early. `>` occurs in our JSON only inside
 * strings, where `\u003e` means the same character, so the parsed message is unchanged.
 */
export function cdataSafe(body: string): string {
  return body.replaceAll(']]>', ']]\\u003e');
}

export function createRocketmqSink(): NotificationSink<RocketmqSpec> {
  const clients = new Map<string, MQClient>();

  function client(spec: RocketmqSpec): MQClient {
    const key = `${spec.endpoint}\n${spec.accessKeyId}\n${spec.accessKeySecret}`;
    let c = clients.get(key);
    if (!c) {
      c = new MQClient(spec.endpoint.replace(/\/$/, ''), spec.accessKeyId, spec.accessKeySecret);
      clients.set(key, c);
    }
    return c;
  }

  return {
    kind: 'rocketmq',
    async publish(target, message, signal) {
      if (!target.topicName) throw new PermanentDeliveryError('no RocketMQ topic to publish to');
      const producer = client(target).getProducer(target.instanceId ?? '', target.topicName);
      const props = new MessageProperties();
      props.messageKey(message.taskId);
      const res = await abortable(
        producer.publishMessage(cdataSafe(message.body), message.taskType, props),
        signal,
      ).catch((err: { Code?: string; message?: string }) => {
        if (err?.Code && PERMANENT_CODES.has(err.Code)) throw new PermanentDeliveryError(String(err.message));
        throw err;
      });
      if (res.code < 200 || res.code >= 300) throw new Error(`RocketMQ answered HTTP ${res.code}`);
    },
    async close() {
      clients.clear();
    },
  };
}
