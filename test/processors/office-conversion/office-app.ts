/**
 * openimm in this process (HTTP API, worker, PGlite, fs buckets) with OfficeConversion among its
 * processors, for tests and the benchmark that go through the whole API path.
 */
import { pino } from 'pino';
import { type RunningApp, startApp } from '../../../src/app/app.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { close as closeOffice, configureOffice } from '../../../src/engines/office/index.ts';
import { officeConversionProcessor } from '../../../src/processors/office-conversion/index.ts';
import { processors } from '../../../src/processors/registry.ts';
import type { TaskProcessor } from '../../../src/processors/types.ts';

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
  opts: { poolSize?: number; officeConcurrency?: number } = {},
): Promise<OfficeApp> {
  // The registry is the integrator's list; until it names OfficeConversion, add it for this process.
  if (!processors.some((p) => p.type === 'OfficeConversion')) {
    (processors as TaskProcessor[]).push(officeConversionProcessor);
  }
  const poolSize = opts.poolSize ?? 2;
  configureOffice({ poolSize });
  const config = await loadConfig({
    env: {
      OPENIMM_ACCESS_KEY_ID: OFFICE_APP_KEYS.accessKeyId,
      OPENIMM_ACCESS_KEY_SECRET: OFFICE_APP_KEYS.accessKeySecret,
      // Twice the LibreOffice processes: a task that downloads, rasterises or uploads does not hold one.
      OPENIMM_OFFICE_CONCURRENCY: String(opts.officeConcurrency ?? poolSize * 2),
    },
    flags: { dataDir, host: '127.0.0.1', port: '0' },
  });
  const app = await startApp(config, pino({ level: 'silent' }));
  return {
    app,
    endpoint: (app.url ?? '').replace(/^http:\/\//, ''),
    async stop() {
      await app.stop();
      await closeOffice();
    },
  };
}
