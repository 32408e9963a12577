import type { NotifyConfig } from './config.ts';

/**
 * Delay before the next try after `attempt` failed ones: exponential, capped, with "equal jitter" (half
 * fixed, half random) so the delay keeps growing while a burst of failures spreads out instead of
 * retrying in lockstep against a recovering receiver.
 */
export function backoffDelay(
  attempt: number,
  retry: NotifyConfig['retry'],
  random: () => number = Math.random,
): number {
  const exp = retry.initialDelayMs * retry.multiplier ** Math.max(0, attempt - 1);
  const base = Math.min(retry.maxDelayMs, exp);
  return Math.round(base / 2 + (random() * base) / 2);
}
