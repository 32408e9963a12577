#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): inflate, deflate and file writes share libuv's thread pool (4
// threads by default), and archive and storage work needs more. The size is read when the pool first starts,
// and the ES module loader starts it to read the entry file, before an ES module's first line runs: only a
// CommonJS entry can still set it.
process.env.UV_THREADPOOL_SIZE ??= '16';

// Runs the compiled bundle (dist/, rebuilt here when a source file is newer); where it cannot be built, the
// TypeScript sources through tsx, which compiles each module on load.
async function start() {
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
}

start().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
