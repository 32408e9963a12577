/**
 * The `notify` section of the server config: which hosts request-level sinks may reach, the named sinks
 * and the routing table that sends MNS/RocketMQ targets to them, the credentials for the real MNS and
 * RocketMQ services, and the retry/dispatch settings. Secrets stay here: outbox rows name a configured
 * sink and the dispatcher looks its settings up at delivery time.
 */
import { z } from 'zod';

/** `host[:port]` patterns, as a list or a comma-separated string (`OPENIMM_NOTIFY_ALLOW_HOSTS`). */
export const hostPatternsSchema = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value,
  z.array(z.string().min(1)),
);

const name = z.string().min(1);

export const webhookSinkSchema = z.object({
  kind: z.literal('webhook'),
  url: z.url({ protocol: /^https?$/ }),
  /** HMAC-SHA256 key for the `X-Openimm-Signature` header; no header without it. */
  secret: z.string().min(1).optional(),
});
export const amqpSinkSchema = z.object({
  kind: z.literal('amqp'),
  url: z.url({ protocol: /^amqps?$/ }),
  /** '' is the default exchange (the routing key then names a queue). */
  exchange: z.string().default(''),
  routingKey: z.string().default(''),
});
export const natsSinkSchema = z.object({
  kind: z.literal('nats'),
  url: z.url({ protocol: /^(nats|tls)$/ }),
  subject: name,
});
export const mqttSinkSchema = z.object({
  kind: z.literal('mqtt'),
  url: z.url({ protocol: /^(mqtts?|wss?)$/ }),
  topic: name,
});
export const mnsSinkSchema = z.object({
  kind: z.literal('mns'),
  /** `https://<account>.mns.<region>.aliyuncs.com` or any server speaking MNS's HTTP API. */
  endpoint: z.url({ protocol: /^https?$/ }),
  /** Absent: the topic named in the task's target. */
  topicName: name.optional(),
  accessKeyId: name,
  accessKeySecret: name,
});
export const rocketmqSinkSchema = z.object({
  kind: z.literal('rocketmq'),
  /** The instance's HTTP access point, e.g. `http://<id>.mqrest.<region>.aliyuncs.com`. */
  endpoint: z.url({ protocol: /^https?$/ }),
  topicName: name.optional(),
  instanceId: z.string().optional(),
  accessKeyId: name,
  accessKeySecret: name,
});

export const sinkSpecSchema = z.discriminatedUnion('kind', [
  webhookSinkSchema,
  amqpSinkSchema,
  natsSinkSchema,
  mqttSinkSchema,
  mnsSinkSchema,
  rocketmqSinkSchema,
]);
export type SinkSpec = z.infer<typeof sinkSpecSchema>;
export type SinkKind = SinkSpec['kind'];

/** A routing-table entry: an MNS or RocketMQ target named in a request, and where it really goes. */
export const routeSchema = z.object({
  source: z.enum(['mns', 'rocketmq']),
  /** The requested topic; `*` matches any topic of that source. */
  topicName: name,
  /** When set, the request's Endpoint must be this one (compared without scheme case or trailing `/`). */
  endpoint: z.string().min(1).optional(),
  /** RocketMQ only: when set, the request's InstanceId must match. */
  instanceId: z.string().min(1).optional(),
  /** Names of entries in `sinks`. */
  sinks: z.array(name).default([]),
  /** Also deliver to the real MNS/RocketMQ service (needs the `mns`/`rocketmq` credentials). */
  passThrough: z.boolean().default(false),
});
export type NotifyRoute = z.infer<typeof routeSchema>;

/** Credentials for delivering unrouted targets to the real Alibaba Cloud service. */
const serviceCredentialsSchema = z.object({
  accessKeyId: name,
  accessKeySecret: name,
  /** Used when the request names no Endpoint. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Hosts a request's own Endpoint may name. */
  endpointHosts: hostPatternsSchema.default(['*.aliyuncs.com']),
});

const int = (min: number, def: number) => z.coerce.number().int().min(min).default(def);

export const notifyConfigSchema = z
  .object({
    /** Hosts request-level sinks (Webhook, AMQP, NATS, MQTT) may reach; none by default. */
    allowHosts: hostPatternsSchema.default([]),
    sinks: z.record(name, sinkSpecSchema).default({}),
    routes: z.array(routeSchema).default([]),
    mns: serviceCredentialsSchema.optional(),
    rocketmq: serviceCredentialsSchema.optional(),
    /** An MNS/RocketMQ target with no route and no credentials: refuse the task, or accept and send nothing. */
    unrouted: z.enum(['reject', 'drop']).default('reject'),
    retry: z
      .object({
        /** Tries before a message becomes a dead letter. 36 with the defaults below spans about 25 hours. */
        maxAttempts: int(1, 36),
        initialDelayMs: int(1, 1000),
        maxDelayMs: int(1, 3_600_000),
        multiplier: z.coerce.number().min(1).default(2),
      })
      .prefault({}),
    dispatcher: z
      .object({
        /** Deliveries in flight per process. */
        concurrency: int(1, 64),
        /** Rows claimed per query. */
        batchSize: int(1, 100),
        /** A claimed row is hidden this long; a crashed process's rows come back after it. */
        leaseMs: int(1000, 60_000),
        /** One delivery attempt may take this long (connect + publish + acknowledgement). */
        publishTimeoutMs: int(100, 10_000),
        /** Safety sweep when no wake-up arrives (lost LISTEN connection, due retries). */
        pollIntervalMs: int(10, 5_000),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    // A row must stay hidden for the whole of its delivery, or another process could send it meanwhile.
    if (cfg.dispatcher.leaseMs < 2 * cfg.dispatcher.publishTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['dispatcher', 'leaseMs'],
        message: 'leaseMs must be at least twice publishTimeoutMs',
      });
    }
    cfg.routes.forEach((route, i) => {
      for (const sink of route.sinks) {
        if (!cfg.sinks[sink]) {
          ctx.addIssue({ code: 'custom', path: ['routes', i, 'sinks'], message: `unknown sink "${sink}"` });
        }
      }
      if (route.passThrough && !cfg[route.source]) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i],
          message: `passThrough needs the ${route.source} credentials`,
        });
      }
      if (route.sinks.length === 0 && !route.passThrough) {
        ctx.addIssue({ code: 'custom', path: ['routes', i], message: 'a route needs sinks or passThrough' });
      }
    });
  });

export type NotifyConfig = z.infer<typeof notifyConfigSchema>;

/** Parses a config object (file section merged with env), throwing a readable error. */
export function parseNotifyConfig(raw: unknown): NotifyConfig {
  const result = notifyConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new Error(`Invalid notify configuration at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
