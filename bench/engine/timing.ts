/** Pacing, waiting and timing functions shared by the measured systems. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `cond` every `stepMs` until it holds (true) or `timeoutMs` passes (false). */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  stepMs: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (performance.now() > deadline) return false;
    await sleep(stepMs);
  }
}

/**
 * Calls `create` `count` times at `rate` per second on a fixed schedule (not after each other: a slow
 * create does not slow the trickle down). Resolves when every call has settled.
 */
export async function trickle(count: number, rate: number, create: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(create());
  }
  await Promise.all(pending);
}

export interface Throughput {
  rate: number;
  done: number;
  /** CPU milliseconds per task (this process + database backends), when metered. */
  cpuMsPerTask?: number;
  /** The PostgreSQL backends' share of it. */
  dbCpuMsPerTask?: number;
}

/**
 * Keeps `inFlight` calls of `one` outstanding for `durationMs`; returns completed calls per second (calls
 * still in flight at the end are awaited and counted with the time they took).
 */
export async function closedLoopFor(
  durationMs: number,
  inFlight: number,
  one: () => Promise<unknown>,
): Promise<Throughput> {
  let done = 0;
  const started = performance.now();
  const end = started + durationMs;
  const lane = async () => {
    while (performance.now() < end) {
      await one();
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { rate: (done * 1000) / (performance.now() - started), done };
}

export interface DrainResult extends Throughput {
  total: number;
}

/**
 * Times a drain that began at `started`: waits until `ran()` reaches `total` (cheap, in memory), then until
 * `committed()` does (a query), within `budgetMs`. Past the budget the rate covers what was committed.
 */
export async function timeDrain(opts: {
  started: number;
  total: number;
  budgetMs: number;
  ran: () => number;
  committed: () => Promise<number>;
}): Promise<DrainResult> {
  const left = () => opts.started + opts.budgetMs - performance.now();
  await waitUntil(() => opts.ran() >= opts.total, 1, Math.max(0, left()));
  let done = 0;
  await waitUntil(
    async () => {
      done = await opts.committed();
      return done >= opts.total;
    },
    2,
    Math.max(0, left()),
  );
  return { rate: (done * 1000) / (performance.now() - opts.started), done, total: opts.total };
}

export interface LatencySamples {
  /** From just before the create call to the moment the processor started. */
  fromCall: number[];
  /** From the create call's return (the task committed) to the moment the processor started. */
  fromCommit: number[];
  expected: number;
}

/** Records create-call and start moments per task key, and turns them into latency samples. */
export function latencyRecorder(expected: number) {
  const calls = new Map<string, { t0: number; t1?: number }>();
  const starts = new Map<string, number>();
  return {
    called(key: string, t0: number) {
      calls.set(key, { t0 });
    },
    returned(key: string, t1: number) {
      const c = calls.get(key);
      if (c) c.t1 = t1;
    },
    started(key: string, at: number) {
      if (!starts.has(key)) starts.set(key, at);
    },
    get startedCount() {
      return starts.size;
    },
    samples(): LatencySamples {
      const fromCall: number[] = [];
      const fromCommit: number[] = [];
      for (const [key, at] of starts) {
        const c = calls.get(key);
        if (!c) continue;
        fromCall.push(at - c.t0);
        // A worker may see the NOTIFY before the creator sees its COMMIT acknowledged: that is no wait.
        if (c.t1 !== undefined) fromCommit.push(Math.max(0, at - c.t1));
      }
      return { fromCall, fromCommit, expected };
    },
  };
}
