#!/usr/bin/env node
// Inflate, deflate and file writes share libuv's thread pool (4 threads by default); archive and storage work
// needs more. It must be set before the pool's first use, so before any import below.
process.env.UV_THREADPOOL_SIZE ??= '16';

// Runs the TypeScript sources directly: tsx compiles each module on load (and caches it).
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
