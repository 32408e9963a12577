/**
 * The document converter as the rest of openimm uses it: one pool per server process, configured at
 * start-up (`configureOffice`), started on first use, stopped by `close()` on shutdown.
 */
import type { Logger } from 'pino';
import { defaultOfficeConfig, type OfficeConfig, officeConfigSchema } from './config.ts';
import type { OfficeConvertRequest, OfficeConvertResult, OfficeJobOptions } from './job.ts';
import { OfficePool } from './pool.ts';

export { defaultOfficeConfig, type OfficeConfig, officeConfigSchema } from './config.ts';
export { detectLibreOffice } from './detect.ts';
export { OfficeError, type OfficeErrorKind } from './errors.ts';
export type * from './job.ts';
export { OfficePool, type OfficePoolStats } from './pool.ts';

let config: OfficeConfig = defaultOfficeConfig;
let logger: Logger | undefined;
let pool: OfficePool | undefined;

/** Sets the settings (the `office` section of the server config); takes effect for a pool not yet started. */
export function configureOffice(
  settings: Partial<OfficeConfig> = {},
  opts: { log?: Logger } = {},
): OfficeConfig {
  config = officeConfigSchema.parse(settings);
  logger = opts.log;
  return config;
}

export function officeConfig(): OfficeConfig {
  return config;
}

/** The shared pool, created on first call (its processes start on the first conversion). */
export function officePool(): OfficePool {
  pool ??= new OfficePool(config, { log: logger });
  return pool;
}

export function convertDocument(
  req: OfficeConvertRequest,
  opts?: OfficeJobOptions,
): Promise<OfficeConvertResult> {
  return officePool().convert(req, opts);
}

/** Stops the shared pool's processes; the next conversion starts a new pool. */
export async function close(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.close();
}

export { close as closeOffice };
