/**
 * Capability detection of the archive engines, logged by the server at start-up: zip needs only Node's
 * zlib; 7z (and encrypted zips) need Debian's `7zz`; RAR runs the official unRAR code compiled to
 * WebAssembly (npm `node-unrar-js`).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';

export interface EngineStatus {
  name: string;
  available: boolean;
  version?: string;
  installHint?: string;
}

export async function detectSevenZip(bin = '7zz'): Promise<EngineStatus> {
  const installHint = 'apt-get install -y --no-install-recommends 7zip';
  return new Promise((resolve) => {
    execFile(bin, ['i'], { timeout: 10_000, env: { ...process.env, LC_ALL: 'C.UTF-8' } }, (err, stdout) => {
      const version = /7-Zip[^\d]*(\d+\.\d+)/.exec(stdout ?? '')?.[1];
      if (err && !version) resolve({ name: '7-Zip', available: false, installHint });
      else resolve({ name: '7-Zip', available: true, version });
    });
  });
}

export async function detectRar(): Promise<EngineStatus> {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require('node-unrar-js/package.json') as { version: string };
    return { name: 'unRAR (WebAssembly)', available: true, version: pkg.version };
  } catch {
    return { name: 'unRAR (WebAssembly)', available: false, installHint: 'npm install node-unrar-js' };
  }
}

export async function detectZip(): Promise<EngineStatus> {
  return { name: 'zip (zlib)', available: true, version: process.versions.zlib };
}

/** All three, for the start-up log. */
export async function detectArchiveEngines(sevenZipPath = '7zz'): Promise<EngineStatus[]> {
  return Promise.all([detectZip(), detectSevenZip(sevenZipPath), detectRar()]);
}
