/**
 * Starts a worker thread from a module of this project. Under tsx (how openimm runs) a `.ts` worker needs
 * tsx's loader registered inside the worker too: Node does not pass it on, so a tiny bootstrap registers
 * it, then imports the module.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startWorker(moduleUrl: URL, opts: WorkerOptions): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, opts);
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(
    path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  );
  const source = [
    `const { register } = await import(${JSON.stringify(tsxApi.href)});`,
    'register();',
    `await import(${JSON.stringify(moduleUrl.href)});`,
  ].join('\n');
  return new Worker(source, { ...opts, eval: true });
}
