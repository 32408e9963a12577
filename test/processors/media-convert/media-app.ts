/**
 * openimm in this process (HTTP API, worker, PGlite, fs buckets) for the MediaConvert acceptance tests and
 * the benchmark, driven through Alibaba Cloud's openapi-core client exactly as the IMM SDK drives it.
 */
import { pino } from 'pino';
import { type RunningApp, startApp } from '../../../src/app/app.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { type ImmClient, makeImmClient } from '../../helpers/imm-clients.ts';

export const MEDIA_APP_KEYS = {
  accessKeyId: 'LTAImediaConvert000001',
  accessKeySecret: 'mediaConvertSecret0000000001',
};

export interface MediaApp {
  app: RunningApp;
  endpoint: string;
  client: ImmClient;
  stop(): Promise<void>;
}

export async function startMediaApp(dataDir: string, opts: { concurrency?: number } = {}): Promise<MediaApp> {
  const config = await loadConfig({
    env: {
      OPENIMM_ACCESS_KEY_ID: MEDIA_APP_KEYS.accessKeyId,
      OPENIMM_ACCESS_KEY_SECRET: MEDIA_APP_KEYS.accessKeySecret,
      OPENIMM_MEDIA_CONCURRENCY: String(opts.concurrency ?? 1),
    },
    flags: { dataDir, host: '127.0.0.1', port: '0' },
  });
  const app = await startApp(config, pino({ level: 'silent' }));
  const endpoint = (app.url ?? '').replace(/^http:\/\//, '');
  return { app, endpoint, client: makeMediaClient(endpoint), stop: () => app.stop() };
}

export function makeMediaClient(endpoint: string, timeoutMs = 120_000): ImmClient {
  return makeImmClient('acs3', endpoint, MEDIA_APP_KEYS, {
    readTimeoutMs: timeoutMs,
    connectTimeoutMs: timeoutMs,
  });
}

/** Awaits a MediaConvert task with WaitTask long-polls. */
export async function waitMediaTask(
  client: ImmClient,
  project: string,
  taskId: string,
): Promise<Record<string, any>> {
  for (;;) {
    const task = await client.call('WaitTask', {
      ProjectName: project,
      TaskId: taskId,
      TaskType: 'MediaConvert',
      Timeout: 30,
    });
    if (task.Status !== 'Running') return task;
  }
}
