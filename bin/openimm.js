#!/usr/bin/env node
// Inflate, deflate and file writes share libuv's thread pool (4 threads by default); archive and storage work
// needs more. It must be set before the pool's first use, so before any import below.
process.env.UV_THREADPOOL_SIZE ??= '16';

// Runs the compiled bundle (dist/, rebuilt here when a source file is newer); where it cannot be built, the
// TypeScript sources through tsx, which compiles each module on load.
const { ensureBundle, BUNDLE_MAIN } = await import('../scripts/build-bundle.mjs');
const { pathToFileURL } = await import('node:url');
let main;
if (process.env.OPENIMM_BUNDLE !== 'off' && (await ensureBundle())) {
  ({ main } = await import(pathToFileURL(BUNDLE_MAIN).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
await main(process.argv);
