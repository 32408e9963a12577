/**
 * The task's time limit (`limits.officeTimeoutMs`, IMM's 120 s) as a pausable budget: time spent waiting
 * for a free LibreOffice process is not the task's own work and is not counted, so a burst of tasks
 * does not time out in the queue.
 */
export interface Budget {
  /** Aborted when the budget is spent. */
  readonly signal: AbortSignal;
  readonly limitMs: number;
  remaining(): number;
  pause(): void;
  resume(): void;
  stop(): void;
}

export function createBudget(limitMs: number): Budget {
  const controller = new AbortController();
  let left = limitMs;
  let since = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    since = Date.now();
    timer = setTimeout(() => controller.abort(new Error('time limit reached')), Math.max(0, left));
    timer.unref();
  };
  arm();
  return {
    signal: controller.signal,
    limitMs,
    remaining: () => (timer ? left - (Date.now() - since) : left),
    pause() {
      if (!timer) return;
      clearTimeout(timer);
      timer = undefined;
      left -= Date.now() - since;
    },
    resume() {
      if (!timer && !controller.signal.aborted) arm();
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
