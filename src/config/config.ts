/**
 * The server's settings: defaults, then the JSON config file (`--config`), then `OPENIMM_*` environment
 * variables, then command-line flags. Validated once here and passed down; nothing reads the environment later.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_SHARED_BUFFERS_MB } from '../db/pglite-db.ts';

export const serverConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  dataDir: z.string().default('./data'),
  region: z.string().default('cn-hangzhou'),
  /** `all` = API and worker in one process; `api` and `worker` split them across processes. */
  role: z.enum(['all', 'api', 'worker']).default('all'),
  databaseUrl: z.string().optional(),
  /** The embedded database's buffer cache (PostgreSQL's shared_buffers) in MiB; its memory is never returned. */
  pgliteSharedBuffersMb: z.coerce.number().int().min(1).max(4096).default(DEFAULT_SHARED_BUFFERS_MB),
  accessKeyId: z.string().optional(),
  accessKeySecret: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest allowed clock skew of signed requests, and the nonce replay window. */
  maxSkewSeconds: z.coerce.number().int().positive().default(900),
  worker: z
    .object({
      /** Tasks one worker process runs at once. */
      concurrency: z.coerce.number().int().min(1).max(1000).default(8),
      /** Per work class: at most this many at once in one worker (heavy engines). */
      classConcurrency: z
        .object({
          light: z.coerce.number().int().min(1).default(64),
          archive: z.coerce.number().int().min(1).default(2),
          image: z.coerce.number().int().min(1).default(2),
          office: z.coerce.number().int().min(1).default(2),
          media: z.coerce.number().int().min(1).default(1),
        })
        .prefault({}),
      leaseSeconds: z.coerce.number().int().min(2).default(30),
      maxAttempts: z.coerce.number().int().min(1).max(20).default(3),
      /** How long a stopping worker waits for running tasks before handing them back. */
      shutdownGraceSeconds: z.coerce.number().int().min(0).default(20),
    })
    .prefault({}),
  retention: z
    .object({
      /** Tasks are purged this long after they started (IMM keeps them 7 days). */
      days: z.coerce.number().positive().default(7),
      sweepSeconds: z.coerce.number().int().positive().default(300),
    })
    .prefault({}),
  throttle: z
    .object({
      /** Requests per second per account and action (token bucket); 0 disables. */
      ratePerSecond: z.coerce.number().min(0).default(100),
      burst: z.coerce.number().int().min(1).default(200),
    })
    .prefault({}),
  storage: z.record(z.string(), z.unknown()).default({}),
  notify: z.record(z.string(), z.unknown()).default({}),
  engines: z.record(z.string(), z.unknown()).default({}),
  limits: z.record(z.string(), z.unknown()).default({}),
});

export type ServerConfig = z.infer<typeof serverConfigSchema>;

/** Environment variables and the config path they set. */
const ENV_MAP: Record<string, string[]> = {
  OPENIMM_HOST: ['host'],
  OPENIMM_PORT: ['port'],
  OPENIMM_DATA_DIR: ['dataDir'],
  OPENIMM_REGION: ['region'],
  OPENIMM_ROLE: ['role'],
  OPENIMM_DATABASE_URL: ['databaseUrl'],
  OPENIMM_PGLITE_SHARED_BUFFERS_MB: ['pgliteSharedBuffersMb'],
  OPENIMM_ACCESS_KEY_ID: ['accessKeyId'],
  OPENIMM_ACCESS_KEY_SECRET: ['accessKeySecret'],
  OPENIMM_LOG_LEVEL: ['logLevel'],
  OPENIMM_MAX_SKEW_SECONDS: ['maxSkewSeconds'],
  OPENIMM_CONCURRENCY: ['worker', 'concurrency'],
  OPENIMM_LEASE_SECONDS: ['worker', 'leaseSeconds'],
  OPENIMM_MAX_ATTEMPTS: ['worker', 'maxAttempts'],
  OPENIMM_SHUTDOWN_GRACE_SECONDS: ['worker', 'shutdownGraceSeconds'],
  OPENIMM_OFFICE_CONCURRENCY: ['worker', 'classConcurrency', 'office'],
  OPENIMM_MEDIA_CONCURRENCY: ['worker', 'classConcurrency', 'media'],
  OPENIMM_IMAGE_CONCURRENCY: ['worker', 'classConcurrency', 'image'],
  OPENIMM_ARCHIVE_CONCURRENCY: ['worker', 'classConcurrency', 'archive'],
  OPENIMM_RETENTION_DAYS: ['retention', 'days'],
  OPENIMM_THROTTLE_RATE: ['throttle', 'ratePerSecond'],
  OPENIMM_THROTTLE_BURST: ['throttle', 'burst'],
  OPENIMM_NOTIFY_ALLOW_HOSTS: ['notify', 'allowHosts'],
  OPENIMM_STORAGE_EMBEDDED_BUCKETS: ['storage', 'embeddedBuckets'],
};

export const documentedEnv = Object.keys(ENV_MAP);

export interface ConfigSources {
  file?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Record<string, unknown>;
}

export async function loadConfig(sources: ConfigSources = {}): Promise<ServerConfig> {
  let merged: Record<string, any> = {};
  if (sources.file) {
    const text = await readFile(sources.file, 'utf8');
    merged = JSON.parse(text);
  }
  for (const [name, target] of Object.entries(ENV_MAP)) {
    const value = sources.env?.[name];
    if (value !== undefined && value !== '') setPath(merged, target, value);
  }
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value !== undefined) merged[key] = value;
  }
  const result = serverConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`Invalid configuration at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const config = result.data;
  config.dataDir = path.resolve(config.dataDir);
  return config;
}

function setPath(obj: Record<string, any>, keys: string[], value: unknown) {
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k];
  }
  cur[keys.at(-1)!] = value;
}
