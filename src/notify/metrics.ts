/**
 * Process-wide notification counters, for the logs and a metrics endpoint. Each dispatcher also keeps
 * its own (see `stats()`); these add up every dispatcher of the process and the redrives.
 */
export interface NotifyCounters {
  delivered: number;
  /** Failed attempts that were scheduled again. */
  retried: number;
  deadLettered: number;
  redriven: number;
}

export const notifyCounters: NotifyCounters = { delivered: 0, retried: 0, deadLettered: 0, redriven: 0 };

export function snapshotCounters(): NotifyCounters {
  return { ...notifyCounters };
}
