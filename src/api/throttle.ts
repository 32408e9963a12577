import { Errors } from '../protocol/errors.ts';

/**
 * A token bucket per account and action, in this process. With several API processes each enforces its own
 * share; the limit is per process (documented), which keeps the hot path free of database writes.
 */
export interface Throttle {
  /** Throws IMM's throttling error when the bucket is empty. */
  take(accountId: string, action: string): void;
}

export function createThrottle(opts: { ratePerSecond: number; burst: number; now?: () => number }): Throttle {
  const now = opts.now ?? (() => performance.now());
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(accountId, action) {
      if (opts.ratePerSecond <= 0) return;
      const key = `${accountId}\u0000${action}`;
      const t = now();
      let b = buckets.get(key);
      if (!b) {
        b = { tokens: opts.burst, at: t };
        buckets.set(key, b);
        if (buckets.size > 100_000) buckets.clear(); // bounded memory under key churn
      }
      b.tokens = Math.min(opts.burst, b.tokens + ((t - b.at) / 1000) * opts.ratePerSecond);
      b.at = t;
      if (b.tokens < 1) {
        throw Errors.throttled(((1 - b.tokens) / opts.ratePerSecond) * 1000);
      }
      b.tokens -= 1;
    },
  };
}
