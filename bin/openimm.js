#!/usr/bin/env node
// Runs the TypeScript sources directly: tsx compiles each module on load (and caches it).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
