/** Capability detection of LibreOffice and its UNO bridge, logged at start-up by the integrator. */
import { execFile } from 'node:child_process';
import { defaultOfficeConfig } from './config.ts';

export interface EngineStatus {
  name: string;
  available: boolean;
  version?: string;
  installHint?: string;
}

const INSTALL_HINT =
  'apt-get install -y --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui ' +
  'libreoffice-impress-nogui python3-uno fonts-noto-cjk fonts-dejavu';

export async function detectLibreOffice(
  opts: { sofficeCommand?: string; pythonCommand?: string } = {},
): Promise<EngineStatus> {
  const soffice = opts.sofficeCommand ?? defaultOfficeConfig.sofficeCommand;
  const python = opts.pythonCommand ?? defaultOfficeConfig.pythonCommand;
  const version = await output(soffice, ['--version']);
  const uno = await output(python, ['-c', 'import uno; print("ok")']);
  if (!version || uno?.trim() !== 'ok')
    return { name: 'libreoffice', available: false, installHint: INSTALL_HINT };
  const match = /LibreOffice\s+([\d.]+)/.exec(version);
  return { name: 'libreoffice', available: true, version: match?.[1] ?? version.trim().split('\n')[0] };
}

function output(cmd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout) => resolve(err ? null : String(stdout)));
  });
}
