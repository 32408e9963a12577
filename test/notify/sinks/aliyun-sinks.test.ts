/**
 * MNS and RocketMQ cannot run on this machine: these tests send with the real client libraries to
 * receivers implementing the services' documented HTTP publish APIs, signature check included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMnsSink } from '../../../src/notify/sinks/mns.ts';
import { createRocketmqSink } from '../../../src/notify/sinks/rocketmq.ts';
import { PermanentDeliveryError } from '../../../src/notify/sinks/types.ts';
import { type AliyunReceiver, startAliyunReceiver } from '../helpers/aliyun-receivers.ts';
import { bodyFor } from '../helpers/complete.ts';
import { newTask } from '../helpers/db.ts';

const creds = { accessKeyId: 'LTAI-test-key', accessKeySecret: 'test-secret-value' };
const signal = () => AbortSignal.timeout(5_000);

function messageFor() {
  const task = newTask({ type: 'FileUncompression' });
  // bodyFor puts `<&>` and `]]>` into UserData: XML escaping and CDATA must both survive.
  return {
    task,
    message: {
      messageId: task.eventId,
      taskId: task.id,
      taskType: task.type,
      body: bodyFor(task),
      attempt: 1,
    },
  };
}

describe('MNS sink (official @alicloud/mns client → documented PublishMessage API)', () => {
  let rx: AliyunReceiver;
  beforeAll(async () => {
    rx = await startAliyunReceiver('mns', creds, ['imm-events']);
  });
  afterAll(async () => {
    await rx.close();
  });

  it('publishes the exact envelope as the message body, signed', async () => {
    const sink = createMnsSink();
    const { message } = messageFor();
    await sink.publish(
      { kind: 'mns', endpoint: rx.endpoint, topicName: 'imm-events', ...creds },
      message,
      signal(),
    );
    const got = rx.messages.at(-1)!;
    expect(got.topic).toBe('imm-events');
    expect(got.body).toBe(message.body);
    expect(got.headers.authorization).toMatch(/^MNS LTAI-test-key:/);
    expect(JSON.parse(JSON.parse(got.body).content).UserData).toContain('<&> ]]>');
  });

  it('fails on a wrong secret (retried) and on a missing topic (dead-lettered at once)', async () => {
    const sink = createMnsSink();
    const { message } = messageFor();
    const wrong = {
      kind: 'mns' as const,
      endpoint: rx.endpoint,
      topicName: 'imm-events',
      ...creds,
      accessKeySecret: 'x',
    };
    const e1 = await sink.publish(wrong, message, signal()).catch((e) => e);
    expect(e1).toBeInstanceOf(Error);
    expect(e1).not.toBeInstanceOf(PermanentDeliveryError);
    expect(rx.outcomes.at(-1)).toBe('SignatureDoesNotMatch');
    const missing = { kind: 'mns' as const, endpoint: rx.endpoint, topicName: 'nope', ...creds };
    await expect(sink.publish(missing, message, signal())).rejects.toBeInstanceOf(PermanentDeliveryError);
  });
});

describe('RocketMQ sink (official @aliyunmq/mq-http-sdk → documented HTTP publish API)', () => {
  let rx: AliyunReceiver;
  beforeAll(async () => {
    rx = await startAliyunReceiver('mq', creds, ['imm-topic']);
  });
  afterAll(async () => {
    await rx.close();
  });

  it('publishes the envelope with tag = TaskType and key = TaskId on the instance', async () => {
    const sink = createRocketmqSink();
    const { task, message } = messageFor();
    const target = {
      kind: 'rocketmq' as const,
      endpoint: rx.endpoint,
      topicName: 'imm-topic',
      instanceId: 'MQ_INST_1',
      ...creds,
    };
    await sink.publish(target, message, signal());
    const got = rx.messages.at(-1)!;
    expect(got).toMatchObject({ topic: 'imm-topic', instanceId: 'MQ_INST_1', tag: 'FileUncompression' });
    expect(got.properties).toBe(`KEYS:${task.id}`);
    expect(got.headers.authorization).toMatch(/^MQ LTAI-test-key:/);
    // `]]>` was escaped as \u003e inside the JSON string: the parsed message is unchanged.
    expect(JSON.parse(got.body)).toEqual(JSON.parse(message.body));
  });

  it('dead-letters a missing topic at once and retries a bad signature', async () => {
    const sink = createRocketmqSink();
    const { message } = messageFor();
    const base = { kind: 'rocketmq' as const, endpoint: rx.endpoint, instanceId: '', ...creds };
    await expect(sink.publish({ ...base, topicName: 'nope' }, message, signal())).rejects.toBeInstanceOf(
      PermanentDeliveryError,
    );
    const e = await sink
      .publish({ ...base, topicName: 'imm-topic', accessKeySecret: 'bad' }, message, signal())
      .catch((x) => x);
    expect(e).not.toBeInstanceOf(PermanentDeliveryError);
    expect(rx.outcomes.at(-1)).toBe('SignatureDoesNotMatch');
  });
});
