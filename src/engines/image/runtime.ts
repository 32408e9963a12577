/**
 * The image engine's process-wide state: its settings, the decode limiter and whether the second
 * path (the `vips` command) is usable. `configureImageEngine` is called once at start-up; code that
 * runs before (tests, benchmarks) gets the defaults.
 */
import { defaultImageConfig, type ImageConfig, imageConfigSchema } from './config.ts';
import { createLimiter, type Limiter } from './limiter.ts';
import { configureSharp, detectSharpInChild } from './sharp-setup.ts';
import { detectVipsCli, type EngineStatus } from './vips-cli.ts';

export interface ImageRuntime {
  config: ImageConfig;
  limiter: Limiter;
  /** Resolves to the `vips` command's status; detection runs once. */
  vipsCli(): Promise<EngineStatus>;
}

let current: ImageRuntime | null = null;

function makeRuntime(config: ImageConfig): ImageRuntime {
  let vips: Promise<EngineStatus> | null = null;
  return {
    config,
    limiter: createLimiter(config.maxParallelImages),
    vipsCli: () => {
      vips ??= detectVipsCli(config.vipsCommand);
      return vips;
    },
  };
}

/** Applies the settings and probes the engines; returns their status for the start-up log. */
export async function configureImageEngine(input: Partial<ImageConfig> = {}): Promise<EngineStatus[]> {
  const config = imageConfigSchema.parse(input);
  configureSharp(config);
  current = makeRuntime(config);
  return Promise.all([detectSharpInChild(), current.vipsCli()]);
}

export function getImageRuntime(): ImageRuntime {
  if (!current) {
    configureSharp(defaultImageConfig);
    current = makeRuntime(defaultImageConfig);
  }
  return current;
}
