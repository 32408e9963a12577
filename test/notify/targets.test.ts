import { describe, expect, it } from 'vitest';
import { isHostAllowed } from '../../src/notify/allow-hosts.ts';
import { parseNotifyConfig } from '../../src/notify/config.ts';
import { parseExtendedMessageUri, parseNotificationTargets } from '../../src/notify/targets.ts';
import { ImmError } from '../../src/protocol/errors.ts';

const rabbit = {
  kind: 'amqp',
  url: 'amqp://guest:guest@127.0.0.1:5672',
  exchange: 'imm',
  routingKey: 'events',
};

const cfg = parseNotifyConfig({
  allowHosts: '127.0.0.1, hooks.example.com:8443, *.internal.example',
  sinks: { rabbit, audit: { kind: 'webhook', url: 'http://audit.local/hook', secret: 's' } },
  routes: [
    { source: 'mns', topicName: 'imm-events', sinks: ['rabbit'] },
    { source: 'mns', topicName: 'both', sinks: ['rabbit', 'audit'], passThrough: true },
    { source: 'rocketmq', topicName: 'rmq', instanceId: 'inst-1', sinks: ['audit'] },
  ],
  mns: { accessKeyId: 'ak', accessKeySecret: 'sk', endpoint: 'https://1234.mns.cn-hangzhou.aliyuncs.com' },
});

function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ImmError);
    return { code: (err as ImmError).code, message: (err as ImmError).message };
  }
  throw new Error('expected an ImmError');
}

describe('parseNotificationTargets: MNS and RocketMQ', () => {
  it('routes an MNS topic to the configured sink by name, without copying its secrets', () => {
    const targets = parseNotificationTargets({ Notification: '{"MNS":{"TopicName":"imm-events"}}' }, cfg);
    expect(targets).toEqual([{ kind: 'sink', sink: 'rabbit', topicName: 'imm-events' }]);
    expect(JSON.stringify(targets)).not.toContain('guest');
  });

  it('delivers an unrouted topic to the real MNS service with the configured endpoint', () => {
    expect(parseNotificationTargets({ Notification: { MNS: { TopicName: 'other' } } }, cfg)).toEqual([
      { kind: 'mns', endpoint: 'https://1234.mns.cn-hangzhou.aliyuncs.com', topicName: 'other' },
    ]);
  });

  it('accepts an MNS Endpoint only on the allowed endpoint hosts', () => {
    const t = parseNotificationTargets(
      { Notification: { MNS: { TopicName: 't1', Endpoint: 'http://99.mns.cn-shanghai.aliyuncs.com/' } } },
      cfg,
    );
    expect(t).toEqual([{ kind: 'mns', endpoint: 'http://99.mns.cn-shanghai.aliyuncs.com', topicName: 't1' }]);
    const e = codeOf(() =>
      parseNotificationTargets(
        { Notification: { MNS: { TopicName: 't1', Endpoint: 'https://evil.example/' } } },
        cfg,
      ),
    );
    expect(e.code).toBe('InvalidArgument');
    expect(e.message).toContain('Notification.MNS.Endpoint');
  });

  it('fans a passThrough route out to its sinks and the real service', () => {
    const t = parseNotificationTargets({ Notification: { MNS: { TopicName: 'both' } } }, cfg);
    expect(t.map((x) => x.kind)).toEqual(['sink', 'sink', 'mns']);
  });

  it('routes RocketMQ by topic and instance', () => {
    const t = parseNotificationTargets(
      { Notification: { RocketMQ: { TopicName: 'rmq', InstanceId: 'inst-1' } } },
      cfg,
    );
    expect(t).toEqual([{ kind: 'sink', sink: 'audit', topicName: 'rmq', instanceId: 'inst-1' }]);
    // Another instance does not match the route, and there are no RocketMQ credentials: refused.
    const e = codeOf(() =>
      parseNotificationTargets(
        { Notification: { RocketMQ: { TopicName: 'rmq', InstanceId: 'inst-2' } } },
        cfg,
      ),
    );
    expect(e.code).toBe('InvalidArgument');
    expect(e.message).toContain('no route for the RocketMQ topic "rmq"');
  });

  it('treats the legacy NotifyTopicName (+ NotifyEndpoint) as Notification.MNS; empty sends nothing', () => {
    expect(parseNotificationTargets({ NotifyTopicName: 'imm-events' }, cfg)).toEqual([
      { kind: 'sink', sink: 'rabbit', topicName: 'imm-events' },
    ]);
    expect(
      parseNotificationTargets({ NotifyTopicName: '', NotifyEndpoint: 'https://x.mns.aliyuncs.com' }, cfg),
    ).toEqual([]);
    // The same topic through both forms is one target.
    expect(
      parseNotificationTargets(
        { NotifyTopicName: 'imm-events', Notification: '{"MNS":{"TopicName":"imm-events"}}' },
        cfg,
      ),
    ).toHaveLength(1);
  });

  it('sends nothing without a Notification', () => {
    expect(parseNotificationTargets({}, cfg)).toEqual([]);
    expect(parseNotificationTargets({ Notification: '' }, cfg)).toEqual([]);
    expect(
      parseNotificationTargets({ Notification: '{"ExtendedMessageURI":"oss://b-1/x.json"}' }, cfg),
    ).toEqual([]);
  });

  it('drops unroutable targets when configured to', () => {
    const dropCfg = parseNotifyConfig({ unrouted: 'drop' });
    expect(parseNotificationTargets({ Notification: { MNS: { TopicName: 'x' } } }, dropCfg)).toEqual([]);
    const e = codeOf(() =>
      parseNotificationTargets({ Notification: { MNS: { TopicName: 'x' } } }, parseNotifyConfig({})),
    );
    expect(e.code).toBe('InvalidArgument');
  });
});

describe('parseNotificationTargets: request-level sinks and the allow-list', () => {
  it('accepts the four request sinks on allowed hosts', () => {
    const t = parseNotificationTargets(
      {
        Notification: JSON.stringify({
          Webhook: { URL: 'https://hooks.example.com:8443/imm?x=1', Secret: 'k' },
          AMQP: { URL: 'amqp://u:p@127.0.0.1:5672/vh', Exchange: 'ex', RoutingKey: 'rk' },
          NATS: { URL: 'nats://127.0.0.1:4222', Subject: 'imm.events' },
          MQTT: { URL: 'mqtt://a.internal.example', Topic: 'imm/events' },
        }),
      },
      cfg,
    );
    expect(t).toEqual([
      { kind: 'webhook', url: 'https://hooks.example.com:8443/imm?x=1', secret: 'k' },
      { kind: 'amqp', url: 'amqp://u:p@127.0.0.1:5672/vh', exchange: 'ex', routingKey: 'rk' },
      { kind: 'nats', url: 'nats://127.0.0.1:4222', subject: 'imm.events' },
      { kind: 'mqtt', url: 'mqtt://a.internal.example', topic: 'imm/events' },
    ]);
  });

  it('refuses any host not in the allow-list, naming the setting', () => {
    for (const n of [
      { Webhook: { URL: 'http://169.254.169.254/latest' } },
      { Webhook: { URL: 'https://hooks.example.com/imm' } }, // default port 443, pattern says 8443
      { AMQP: { URL: 'amqp://10.0.0.1', Exchange: 'x' } },
      { NATS: { URL: 'nats://internal.example:4222', Subject: 's' } }, // apex not matched by *.internal.example
      { MQTT: { URL: 'mqtt://example.org', Topic: 't' } },
    ]) {
      const e = codeOf(() => parseNotificationTargets({ Notification: n }, cfg));
      expect(e.code).toBe('InvalidArgument');
      expect(e.message).toContain('OPENIMM_NOTIFY_ALLOW_HOSTS');
    }
  });

  it('refuses every request sink when no host is allowed (the default)', () => {
    const e = codeOf(() =>
      parseNotificationTargets(
        { Notification: { Webhook: { URL: 'http://127.0.0.1/' } } },
        parseNotifyConfig({}),
      ),
    );
    expect(e.message).toContain('Notification.Webhook.URL');
  });
});

describe('parseNotificationTargets: malformed targets return the spec codes', () => {
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['unparsable JSON', { Notification: '{"MNS":' }, 'InvalidJSON', 'Notification'],
    ['not an object', { Notification: '[1,2]' }, 'InvalidArgument', 'Notification'],
    ['MNS not an object', { Notification: '{"MNS":"t"}' }, 'InvalidArgument', 'Notification.MNS'],
    [
      'MNS without TopicName',
      { Notification: '{"MNS":{}}' },
      'InvalidArgument',
      'Notification.MNS.TopicName',
    ],
    [
      'MNS TopicName not a string',
      { Notification: '{"MNS":{"TopicName":5}}' },
      'InvalidArgument',
      'TopicName',
    ],
    ['MNS bad topic name', { Notification: '{"MNS":{"TopicName":"a b"}}' }, 'InvalidArgument', 'TopicName'],
    ['legacy bad topic name', { NotifyTopicName: '-x' }, 'InvalidArgument', 'NotifyTopicName'],
    [
      'MNS bad endpoint',
      { Notification: '{"MNS":{"TopicName":"t","Endpoint":"ftp://x"}}' },
      'InvalidArgument',
      'Endpoint',
    ],
    [
      'RocketMQ without InstanceId',
      { Notification: '{"RocketMQ":{"TopicName":"t"}}' },
      'InvalidArgument',
      'InstanceId',
    ],
    [
      'RocketMQ without TopicName',
      { Notification: '{"RocketMQ":{"InstanceId":"i"}}' },
      'InvalidArgument',
      'TopicName',
    ],
    [
      'Webhook without URL',
      { Notification: '{"Webhook":{}}' },
      'InvalidArgument',
      'Notification.Webhook.URL',
    ],
    [
      'Webhook bad scheme',
      { Notification: '{"Webhook":{"URL":"ftp://127.0.0.1/"}}' },
      'InvalidArgument',
      'scheme',
    ],
    [
      'Webhook not a URL',
      { Notification: '{"Webhook":{"URL":"127.0.0.1"}}' },
      'InvalidArgument',
      'absolute URL',
    ],
    [
      'Webhook credentials',
      { Notification: '{"Webhook":{"URL":"http://a:b@127.0.0.1/"}}' },
      'InvalidArgument',
      'credentials',
    ],
    [
      'AMQP no exchange/key',
      { Notification: '{"AMQP":{"URL":"amqp://127.0.0.1"}}' },
      'InvalidArgument',
      'Exchange',
    ],
    [
      'NATS wildcard',
      { Notification: '{"NATS":{"URL":"nats://127.0.0.1","Subject":"a.*"}}' },
      'InvalidArgument',
      'Subject',
    ],
    [
      'MQTT wildcard',
      { Notification: '{"MQTT":{"URL":"mqtt://127.0.0.1","Topic":"a/#"}}' },
      'InvalidArgument',
      'Topic',
    ],
    ['MQTT no topic', { Notification: '{"MQTT":{"URL":"mqtt://127.0.0.1"}}' }, 'InvalidArgument', 'Topic'],
    [
      'bad ExtendedMessageURI',
      { Notification: '{"ExtendedMessageURI":"http://b/x"}' },
      'InvalidArgument',
      'ExtendedMessageURI',
    ],
    [
      'prefix ExtendedMessageURI',
      { Notification: '{"ExtendedMessageURI":"oss://bkt/dir/"}' },
      'InvalidArgument',
      'ExtendedMessageURI',
    ],
  ];
  for (const [name, params, code, mention] of cases) {
    it(name, () => {
      const e = codeOf(() => parseNotificationTargets(params, cfg));
      expect(e.code).toBe(code);
      expect(e.message).toContain(mention);
    });
  }

  it('returns the ExtendedMessageURI when valid', () => {
    expect(parseExtendedMessageUri({ Notification: '{"ExtendedMessageURI":"oss://bkt/res/x.json"}' })).toBe(
      'oss://bkt/res/x.json',
    );
    expect(parseExtendedMessageUri({})).toBeUndefined();
  });
});

describe('isHostAllowed', () => {
  const allowed = (patterns: string[], url: string) => isHostAllowed(patterns, new URL(url));
  it('matches hosts, ports, wildcards and IPv6', () => {
    expect(allowed(['example.com'], 'http://EXAMPLE.com:81/')).toBe(true);
    expect(allowed(['example.com:80'], 'http://example.com/')).toBe(true);
    expect(allowed(['example.com:80'], 'https://example.com/')).toBe(false);
    expect(allowed(['example.com:*'], 'https://example.com:9/')).toBe(true);
    expect(allowed(['*.example.com'], 'http://a.b.example.com/')).toBe(true);
    expect(allowed(['*.example.com'], 'http://example.com/')).toBe(false);
    expect(allowed(['*.example.com'], 'http://badexample.com/')).toBe(false);
    expect(allowed(['[::1]:8080'], 'http://[::1]:8080/')).toBe(true);
    expect(allowed(['::1'], 'http://[::1]:9/')).toBe(true);
    expect(allowed(['[::1]:8080'], 'http://[::1]:8081/')).toBe(false);
    expect(allowed(['*'], 'amqp://anything:1')).toBe(true);
    expect(allowed([], 'http://127.0.0.1/')).toBe(false);
  });
});

describe('notify config', () => {
  it('fills defaults and reads the env form of allowHosts', () => {
    const c = parseNotifyConfig({ allowHosts: 'a.example, b.example:80' });
    expect(c.allowHosts).toEqual(['a.example', 'b.example:80']);
    expect(c.retry.maxAttempts).toBe(36);
    expect(c.dispatcher.concurrency).toBe(64);
    expect(c.unrouted).toBe('reject');
  });

  it('refuses routes to unknown sinks and passThrough without credentials', () => {
    expect(() => parseNotifyConfig({ routes: [{ source: 'mns', topicName: 't', sinks: ['nope'] }] })).toThrow(
      /unknown sink "nope"/,
    );
    expect(() =>
      parseNotifyConfig({ routes: [{ source: 'mns', topicName: 't', passThrough: true }] }),
    ).toThrow(/passThrough needs the mns credentials/);
  });
});

describe('natsOptions', () => {
  it('moves credentials out of the URL and keeps TLS', async () => {
    const { natsOptions } = await import('../../src/notify/sinks/nats.ts');
    expect(natsOptions('nats://u%40x:p%3Aw@h.example:4333')).toMatchObject({
      servers: 'h.example:4333',
      user: 'u@x',
      pass: 'p:w',
    });
    expect(natsOptions('nats://tok@h.example').token).toBe('tok');
    expect(natsOptions('tls://h.example').tls).toEqual({});
    expect(natsOptions('nats://h.example').servers).toBe('h.example:4222');
  });

  it('accepts only nats/tls URLs for configured NATS sinks', () => {
    expect(() =>
      parseNotifyConfig({ sinks: { n: { kind: 'nats', url: 'http://h', subject: 's' } } }),
    ).toThrow();
    expect(
      parseNotifyConfig({ sinks: { n: { kind: 'nats', url: 'nats://h:4222', subject: 's' } } }).sinks.n,
    ).toBeTruthy();
  });
});

describe('redactNotificationParam', () => {
  it('masks webhook secrets and strips URL credentials, keeping the wire form', async () => {
    const { redactNotificationParam } = await import('../../src/notify/redact.ts');
    const wire = JSON.stringify({
      MNS: { TopicName: 't' },
      Webhook: { URL: 'https://h.example/x', Secret: 'k' },
      AMQP: { URL: 'amqp://user:pw@h.example:5672/v', Exchange: 'e' },
    });
    const out = redactNotificationParam(wire) as string;
    expect(typeof out).toBe('string');
    expect(out).not.toContain('pw');
    expect(JSON.parse(out)).toEqual({
      MNS: { TopicName: 't' },
      Webhook: { URL: 'https://h.example/x', Secret: '******' },
      AMQP: { URL: 'amqp://h.example:5672/v', Exchange: 'e' },
    });
    expect(redactNotificationParam('{bad')).toBe('{bad');
    expect(redactNotificationParam({ NATS: { URL: 'nats://t@h:1', Subject: 's' } })).toEqual({
      NATS: { URL: 'nats://h:1', Subject: 's' },
    });
  });
});

describe('dispatcher settings', () => {
  it('keeps the lease well above one delivery attempt', () => {
    expect(() => parseNotifyConfig({ dispatcher: { leaseMs: 5_000, publishTimeoutMs: 4_000 } })).toThrow(
      /leaseMs must be at least twice publishTimeoutMs/,
    );
    expect(
      parseNotifyConfig({ dispatcher: { leaseMs: 8_000, publishTimeoutMs: 4_000 } }).dispatcher.leaseMs,
    ).toBe(8_000);
  });
});
