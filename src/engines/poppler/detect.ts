/** Capability detection of poppler-utils, logged at start-up by the integrator. */
import { runTool } from './run-tool.ts';

export interface EngineStatus {
  name: string;
  available: boolean;
  version?: string;
  installHint?: string;
}

const TOOLS = ['pdftoppm', 'pdftotext', 'pdfinfo'] as const;

export async function detectPoppler(): Promise<EngineStatus> {
  let version: string | undefined;
  for (const tool of TOOLS) {
    try {
      const run = await runTool(tool, ['-v'], { timeoutMs: 10_000 });
      const text = `${run.stdout.toString('utf8')}${run.stderr}`;
      version ??= /version\s+([\d.]+)/.exec(text)?.[1];
    } catch {
      return {
        name: 'poppler',
        available: false,
        installHint: 'apt-get install -y --no-install-recommends poppler-utils',
      };
    }
  }
  return { name: 'poppler', available: true, version };
}
