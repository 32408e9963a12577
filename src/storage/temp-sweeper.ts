/**
 * Worker processes sweep the temp files that writes cut short by a crash left in fs buckets: once at
 * start-up, then every hour. Only files older than any live write (a day by default) are removed.
 */
import type { Logger } from 'pino';
import type { StorageRegistry } from './registry.ts';

export const TEMP_MAX_AGE_MS = 24 * 3600_000;
export const TEMP_SWEEP_INTERVAL_MS = 3600_000;

export interface TempSweeper {
  /** One sweep now (a sweep already running is not doubled); resolves to the files removed. */
  sweep(): Promise<number>;
  stop(): void;
}

export function startTempSweeper(
  registry: StorageRegistry,
  log: Logger,
  opts: { maxAgeMs?: number; intervalMs?: number } = {},
): TempSweeper {
  const maxAgeMs = opts.maxAgeMs ?? TEMP_MAX_AGE_MS;
  let running: Promise<number> | undefined;
  const sweep = () => {
    running ??= registry
      .sweepTemp(maxAgeMs, (bucket, removed) =>
        log.info({ bucket, removed, olderThanHours: maxAgeMs / 3600_000 }, 'removed stale temp files'),
      )
      .catch((err) => {
        log.warn({ err }, 'temp file sweep failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void sweep(), opts.intervalMs ?? TEMP_SWEEP_INTERVAL_MS);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
