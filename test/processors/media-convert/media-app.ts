/**
 * openimm in this process (HTTP API, worker, PGlite, fs buckets) for the MediaConvert acceptance tests and
 * the benchmark, driven through Alibaba Cloud's openapi-core client exactly as the IMM SDK drives it.
 */
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import { pino } from 'pino';
import { type RunningApp, startApp } from '../../../src/app/app.ts';
import { loadConfig } from '../../../src/config/config.ts';
import type { ImmClient } from '../../helpers/imm-clients.ts';

type OpenApiClient = typeof OpenApiModule.default;
const OpenApi = ((OpenApiModule as unknown as { default?: OpenApiClient }).default ??
  OpenApiModule) as OpenApiClient;

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
  const client = new OpenApi(
    new $OpenApiUtil.Config({
      ...MEDIA_APP_KEYS,
      endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      connectTimeout: timeoutMs,
      readTimeout: timeoutMs,
    }),
  );
  const params = (action: string) =>
    new $OpenApiUtil.Params({
      action,
      version: '2020-09-30',
      protocol: 'HTTP',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
  return {
    flavor: 'acs3',
    async call(action, query = {}) {
      const encoded: Record<string, string> = {};
      for (const [k, v] of Object.entries(query))
        encoded[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
      try {
        const r = await client.callApi(params(action), new $OpenApiUtil.OpenApiRequest({ query: encoded }), {
          autoretry: false,
        } as any);
        return r.body as Record<string, any>;
      } catch (e: any) {
        throw {
          code: e.code,
          statusCode: e.statusCode ?? 0,
          message: e.data?.Message ?? e.message,
          data: e.data,
        };
      }
    },
  };
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
