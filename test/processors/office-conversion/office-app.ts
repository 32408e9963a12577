/**
 * openimm in this process (HTTP API, worker, PGlite, fs buckets), for tests and the benchmark that go
 * through the whole API path to OfficeConversion.
 */
import { pino } from 'pino';
import { type RunningApp, startApp } from '../../../src/app/app.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { close as closeOffice } from '../../../src/engines/office/index.ts';
import { type ImmClient, makeImmClient } from '../../helpers/imm-clients.ts';

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
  return makeImmClient('acs3', endpoint, OFFICE_APP_KEYS, {
    readTimeoutMs: timeoutMs,
    connectTimeoutMs: timeoutMs,
  });
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
