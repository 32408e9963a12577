#!/usr/bin/env node
// Compiles the server into dist/ (one ES module per entry point, npm packages left as imports) so that
// `openimm` runs plain JavaScript: no TypeScript loader thread, no compiled-source caches in memory. An idle
// server on PostgreSQL holds about 80 MiB less this way than under tsx (docs/architecture.md, "Decisions").
// bin/openimm.js calls `ensureBundle` on every start and rebuilds only when a source file is newer.
import { copyFile, mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
export const DIST = path.join(ROOT, 'dist');
export const BUNDLE_MAIN = path.join(DIST, 'main.js');

/** Entry points: the CLI, and the modules that run in worker threads (started by URL beside the bundle). */
const ENTRY_POINTS = {
  main: 'src/cli/main.ts',
  'rar-worker': 'src/engines/archive/rar-worker.ts',
  'inflate-worker': 'src/engines/archive/inflate-worker.ts',
  'fs-write-worker': 'src/storage/fs/write-worker.ts',
};
/** Files the code opens relative to its own module, copied to the same place relative to the bundle. */
const ASSETS = [
  { from: 'src/db/migrations', to: 'migrations', match: /\.sql$/ },
  // the UNO bridge script and the helper modules it loads from its own folder
  { from: 'src/engines/office', to: '.', match: /\.py$/ },
];

async function newestMtime(dir) {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const s = await stat(path.join(entry.parentPath ?? entry.path, entry.name));
    newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

/** True when `outDir`/main.js exists and no file under src/ (or this script) is newer than it. */
export async function bundleIsFresh(outDir = DIST) {
  const built = await stat(path.join(outDir, 'main.js')).catch(() => undefined);
  if (!built) return false;
  const self = (await stat(fileURLToPath(import.meta.url))).mtimeMs;
  return built.mtimeMs >= Math.max(self, await newestMtime(SRC));
}

/**
 * Builds dist/. Each output is written to a temporary name and renamed, so processes starting at the same
 * time (a cluster on one machine) never import a half-written file, whichever of them builds.
 */
export async function buildBundle(outDir = DIST) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ENTRY_POINTS,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Code behind a dynamic import() becomes a chunk of its own, loaded on first use together with the npm
    // packages it imports (the S3 SDK, for one): without splitting, esbuild hoists those packages' imports
    // into main.js and every server loads them at start-up.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    write: false,
    logLevel: 'warning',
  });
  await mkdir(outDir, { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  for (const asset of ASSETS) await copyAssets(asset, outDir, suffix);
  // main.js last: its mtime is what marks the bundle fresh.
  const isMain = (f) => path.basename(f.path) === 'main.js';
  const outputs = [...result.outputFiles].sort((a, b) => isMain(a) - isMain(b));
  for (const file of outputs) {
    await mkdir(path.dirname(file.path), { recursive: true });
    await writeFile(file.path + suffix, file.contents);
    await rename(file.path + suffix, file.path);
  }
}

async function copyAssets({ from, to, match }, outDir, suffix) {
  const target = path.join(outDir, to);
  await mkdir(target, { recursive: true });
  for (const name of await readdir(path.join(ROOT, from))) {
    if (!match.test(name)) continue;
    await copyFile(path.join(ROOT, from, name), path.join(target, name + suffix));
    await rename(path.join(target, name + suffix), path.join(target, name));
  }
}

/** Builds when stale; returns false when the bundle cannot be had (no esbuild, read-only folder). */
export async function ensureBundle() {
  try {
    if (!(await bundleIsFresh())) await buildBundle();
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildBundle();
  console.log(`built ${path.relative(process.cwd(), DIST)}/`);
}
