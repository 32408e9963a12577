import type { Logger } from 'pino';
import { detectFfmpeg } from '../engines/ffmpeg/detect.ts';
import { configureImageEngine } from '../engines/image/runtime.ts';
import { closeOffice, configureOffice, detectLibreOffice } from '../engines/office/index.ts';
import { detectPoppler } from '../engines/poppler/detect.ts';

export interface EngineSettings {
  office?: Record<string, unknown>;
  media?: Record<string, unknown>;
  image?: Record<string, unknown>;
  archive?: Record<string, unknown>;
}

/**
 * Configures the process-wide engines (LibreOffice pool, libvips) and reports which engines this machine has:
 * a missing one is logged with the command that installs it, and its tasks fail with a clear error.
 */
export async function setUpEngines(
  settings: EngineSettings,
  log: Logger,
): Promise<{ close(): Promise<void> }> {
  const office = configureOffice((settings.office ?? {}) as any, { log: log.child({ engine: 'office' }) });
  const statuses = [
    ...(await configureImageEngine((settings.image ?? {}) as any)),
    await detectFfmpeg(settings.media as any),
    await detectLibreOffice({ sofficeCommand: office.sofficeCommand, pythonCommand: office.pythonCommand }),
    await detectPoppler(),
  ];
  for (const s of statuses) {
    if (s.available) log.info({ engine: s.name, version: s.version }, 'engine available');
    else log.warn({ engine: s.name, install: s.installHint }, 'engine missing: its tasks will fail');
  }
  return { close: () => closeOffice() };
}
