/**
 * openimm in this process (HTTP API, worker, PGlite, fs buckets), for tests and the benchmark that go
 * through the whole API path to OfficeConversion.
 */
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import { pino } from 'pino';
import { type RunningApp, startApp } from '../../../src/app/app.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { close as closeOffice } from '../../../src/engines/office/index.ts';
import type { ImmClient } from '../../helpers/imm-clients.ts';

type OpenApiClient = typeof OpenApiModule.default;
const OpenApi = ((OpenApiModule as unknown as { default?: OpenApiClient }).default ??
  OpenApiModule) as OpenApiClient;

export const OFFICE_APP_KEYS = {
  accessKeyId: 'LTAIofficeConversion0001',
  accessKeySecret: 'officeConversionSecret00000001',
};

export interface OfficeApp {
  app: RunningApp;
  /** host:port, as SDK configs take it. */
  endpoint: string;
  stop(): Promise<void>;
}

export async function startOfficeApp(
  dataDir: string,
  opts: { poolSize?: number; officeConcurrency?: number; logLevel?: string } = {},
): Promise<OfficeApp> {
  const poolSize = opts.poolSize ?? 2;
  const config = await loadConfig({
    env: {
      OPENIMM_ACCESS_KEY_ID: OFFICE_APP_KEYS.accessKeyId,
      OPENIMM_ACCESS_KEY_SECRET: OFFICE_APP_KEYS.accessKeySecret,
      // Twice the LibreOffice processes: a task that downloads, rasterises or uploads does not hold one.
      OPENIMM_OFFICE_CONCURRENCY: String(opts.officeConcurrency ?? poolSize * 2),
    },
    flags: { dataDir, host: '127.0.0.1', port: '0' },
  });
  // The server configures the shared pool from its `engines.office` section at start-up.
  config.engines = { ...config.engines, office: { poolSize } };
  const app = await startApp(config, pino({ level: opts.logLevel ?? 'silent' }));
  return {
    app,
    endpoint: (app.url ?? '').replace(/^http:\/\//, ''),
    async stop() {
      await app.stop();
      await closeOffice();
    },
  };
}

/**
 * openapi-core as the IMM SDK configures it, with longer socket timeouts than its 3 s default: WaitTask
 * long-polls, and a loaded machine answers slowly.
 */
export function makeOfficeClient(endpoint: string, timeoutMs = 120_000): ImmClient {
  const client = new OpenApi(
    new $OpenApiUtil.Config({
      ...OFFICE_APP_KEYS,
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

/** Awaits a task with WaitTask long-polls. */
export async function waitTask(
  client: ImmClient,
  project: string,
  taskId: string,
): Promise<Record<string, any>> {
  for (;;) {
    const task = await client.call('WaitTask', {
      ProjectName: project,
      TaskId: taskId,
      TaskType: 'OfficeConversion',
      Timeout: 30,
    });
    if (task.Status !== 'Running') return task;
  }
}
