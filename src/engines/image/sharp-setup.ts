/**
 * sharp, loaded on first use, and its process-wide settings. libvips' thread pool and cache are global, so
 * they are configured here and nowhere else. Loading it lazily keeps libvips (~28 MiB of native memory) out
 * of processes that never touch an image: API processes serving other task types, archive or media workers.
 */
import { execFile } from 'node:child_process';
import type SharpModule from 'sharp';
import type { EngineStatus } from './vips-cli.ts';

export type SharpFactory = typeof SharpModule;

export interface SharpSettings {
  /** libvips threads per operation; 0 keeps sharp's default. */
  threads: number;
  /** Operation cache in MiB; 0 disables it. */
  cacheMemoryMb: number;
}

let settings: SharpSettings | undefined;
let loading: Promise<SharpFactory> | undefined;

function apply(sharp: SharpFactory, opts: SharpSettings): void {
  if (opts.threads > 0) sharp.concurrency(opts.threads);
  if (opts.cacheMemoryMb > 0) sharp.cache({ memory: opts.cacheMemoryMb, files: 0, items: 100 });
  else sharp.cache(false);
}

/** The sharp function, with the configured settings applied before its first use. */
export function loadSharp(): Promise<SharpFactory> {
  loading ??= import('sharp').then(({ default: sharp }) => {
    if (settings) apply(sharp, settings);
    return sharp;
  });
  return loading;
}

/** Records the settings; they take effect when sharp loads (at once if it already has). */
export function configureSharp(opts: SharpSettings): void {
  settings = opts;
  if (loading) void loading.then((sharp) => apply(sharp, opts));
}

/**
 * The start-up report, made in a short-lived child process so that the server itself loads libvips only when
 * an image task needs it. A sharp whose native part cannot load is reported missing, as in-process.
 */
export function detectSharpInChild(): Promise<EngineStatus> {
  const script = `import(${JSON.stringify(import.meta.resolve('sharp'))}).then(({ default: s }) => {
    const formats = Object.entries(s.format).filter(([, f]) => f.input.buffer).map(([n]) => n);
    console.log(JSON.stringify({ sharp: s.versions.sharp, vips: s.versions.vips, formats }));
  })`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 }, (err, stdout) => {
      if (err) {
        resolve({
          name: 'sharp',
          available: false,
          installHint: 'npm ci (sharp could not load its libvips)',
        });
        return;
      }
      const r = JSON.parse(String(stdout)) as { sharp: string; vips: string; formats: string[] };
      resolve({
        name: 'sharp',
        available: true,
        version: `${r.sharp} (libvips ${r.vips})`,
        formats: r.formats,
      });
    });
  });
}
