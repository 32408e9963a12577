/**
 * Process-wide sharp settings, set once at start-up. libvips' thread pool and cache are global, so
 * they are configured here and nowhere else.
 */
import sharp from 'sharp';
import type { EngineStatus } from './vips-cli.ts';

export interface SharpSettings {
  /** libvips threads per operation; 0 keeps sharp's default. */
  threads: number;
  /** Operation cache in MiB; 0 disables it. */
  cacheMemoryMb: number;
}

export function configureSharp(opts: SharpSettings): void {
  if (opts.threads > 0) sharp.concurrency(opts.threads);
  if (opts.cacheMemoryMb > 0) sharp.cache({ memory: opts.cacheMemoryMb, files: 0, items: 100 });
  else sharp.cache(false);
}

/** sharp is a dependency, so it is always there; this reports its libvips and what it reads. */
export async function detectSharp(): Promise<EngineStatus> {
  const formats = Object.entries(sharp.format)
    .filter(([, f]) => f.input.buffer)
    .map(([name]) => name);
  return {
    name: 'sharp',
    available: true,
    version: `${sharp.versions.sharp} (libvips ${sharp.versions.vips})`,
    formats,
  };
}
