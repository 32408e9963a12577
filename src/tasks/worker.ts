import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { ServerConfig } from '../config/config.ts';
import type { WorkClass } from '../processors/types.ts';
import { createCompletionBatcher, type OnFinished } from './completion-batcher.ts';
import { reapExpiredLeases } from './reaper.ts';
import { type RunTaskDeps, runClaimedTask, type StopReason } from './run-task.ts';
import { type ClaimedTask, claimTasks, type TaskPayload } from './sql/claim-tasks.ts';
import { TASK_READY_CHANNEL } from './sql/insert-task.ts';
import { renewLeases, TASK_CANCEL_CHANNEL } from './sql/leases.ts';

export type WorkerOptions = Omit<RunTaskDeps, 'batcher' | 'owner'> & {
  config: ServerConfig['worker'];
  onFinished: OnFinished;
  /** Safety sweep: claims missed wake-ups and reaps expired leases (not on the hot path). */
  sweepMs?: number;
};

const WORK_CLASSES: WorkClass[] = ['light', 'archive', 'image', 'office', 'media'];

/**
 * A worker: claims tasks when woken by LISTEN/NOTIFY (and by a slow safety sweep), runs them within its
 * global and per-class concurrency, renews their leases, and commits outcomes in batches.
 */
export function createWorker(opts: WorkerOptions) {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = opts.log.child({ worker: owner });
  const batcher = createCompletionBatcher({ db: opts.db, owner, onFinished: opts.onFinished, log });
  const deps: RunTaskDeps = { ...opts, owner, batcher, log };
  const running = new Map<string, { task: ClaimedTask; controller: AbortController; done: Promise<void> }>();
  const perClass = new Map<string, number>();
  /** Slots taken: tasks whose processor is running (a finished task waiting for its commit has freed its slot). */
  let busy = 0;
  const cfg = opts.config;
  let stopping = false;
  let fetching = false;
  let fetchAgain = false;
  let fetchScheduled = false;
  /** One claim round for all the slots freed in this turn of the event loop (a batch frees hundreds). */
  function scheduleFetch() {
    if (fetchScheduled) return;
    fetchScheduled = true;
    setImmediate(() => {
      fetchScheduled = false;
      void fetchTasks();
    });
  }
  const timers: NodeJS.Timeout[] = [];
  const unlisteners: Array<() => Promise<void>> = [];

  function freeSlots(): Array<{ cls: WorkClass; free: number }> {
    const globalFree = cfg.concurrency - busy;
    if (globalFree <= 0) return [];
    return WORK_CLASSES.map((cls) => ({
      cls,
      free: Math.min(globalFree, cfg.classConcurrency[cls] - (perClass.get(cls) ?? 0)),
    })).filter((s) => s.free > 0);
  }

  let currentFetch: Promise<void> = Promise.resolve();

  function fetchTasks(): Promise<void> {
    if (stopping) return currentFetch;
    if (fetching) {
      fetchAgain = true;
      return currentFetch;
    }
    fetching = true;
    currentFetch = fetchLoop();
    return currentFetch;
  }

  async function fetchLoop(): Promise<void> {
    try {
      do {
        fetchAgain = false;
        // One claim per round for every class with free slots: each class up to its own cap.
        const slots = freeSlots();
        const limit = cfg.concurrency - busy;
        if (slots.length === 0 || limit <= 0 || stopping) break;
        const claimed = await claimTasks(opts.db, {
          owner,
          classes: slots.map((s) => ({ workClass: s.cls, free: s.free })),
          limit,
          leaseSeconds: cfg.leaseSeconds,
        });
        for (const c of claimed) start(c.task, c.payload);
        if (claimed.length === limit) fetchAgain = true;
      } while (fetchAgain && !stopping);
    } catch (err) {
      log.error({ err }, 'claiming tasks failed');
    } finally {
      fetching = false;
    }
  }

  function start(task: ClaimedTask, payload: TaskPayload | undefined) {
    const processor = opts.processors.get(task.type);
    const cls = processor?.workClass ?? 'light';
    perClass.set(cls, (perClass.get(cls) ?? 0) + 1);
    busy++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      busy--;
      perClass.set(cls, (perClass.get(cls) ?? 1) - 1);
      scheduleFetch();
    };
    const controller = new AbortController();
    const done = runClaimedTask(task, payload, controller, deps, release)
      .catch((err) => log.error({ err, taskId: task.id }, 'task runner failed'))
      .finally(() => {
        running.delete(task.id);
        release();
      });
    running.set(task.id, { task, controller, done });
  }

  async function heartbeat() {
    if (running.size === 0) return;
    try {
      const held = await renewLeases(opts.db, {
        owner,
        ids: [...running.keys()],
        leaseSeconds: cfg.leaseSeconds,
      });
      const heldIds = new Map(held.map((h) => [h.id, h.cancel_requested_by]));
      for (const [id, r] of running) {
        if (!heldIds.has(id)) abort(r.controller, { kind: 'lease-lost' });
        else if (heldIds.get(id)) abort(r.controller, { kind: 'cancel', by: heldIds.get(id)! });
      }
    } catch (err) {
      log.warn({ err }, 'renewing leases failed');
    }
  }

  function abort(controller: AbortController, reason: StopReason) {
    if (!controller.signal.aborted) controller.abort(reason);
  }

  return {
    owner,
    get runningCount() {
      return running.size;
    },
    async start() {
      await mkdir(opts.tmpRoot, { recursive: true });
      unlisteners.push(await opts.db.listen(TASK_READY_CHANNEL, () => void fetchTasks()));
      unlisteners.push(
        await opts.db.listen(TASK_CANCEL_CHANNEL, (payload) => {
          const [id, by] = payload.split('|');
          const r = running.get(id ?? '');
          if (r) abort(r.controller, { kind: 'cancel', by: by || 'a CancelTask request' });
        }),
      );
      const beat = Math.max(500, (cfg.leaseSeconds * 1000) / 3);
      timers.push(setInterval(() => void heartbeat(), beat));
      timers.push(
        setInterval(() => {
          void fetchTasks();
          void reapExpiredLeases(opts.db, { onFinished: opts.onFinished, log }).catch((err) =>
            log.warn({ err }, 'reaping expired leases failed'),
          );
        }, opts.sweepMs ?? 5000),
      );
      for (const t of timers) t.unref();
      await fetchTasks();
    },
    /** Stops claiming, gives running tasks `graceMs` to finish, then hands the rest back to the queue. */
    async stop(graceMs = cfg.shutdownGraceSeconds * 1000) {
      stopping = true;
      for (const t of timers) clearInterval(t);
      // A claim in flight finishes first, so the tasks it took are among those we wait for or hand back.
      await currentFetch;
      const all = Promise.all([...running.values()].map((r) => r.done));
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      if (timedOut) {
        for (const r of running.values()) abort(r.controller, { kind: 'shutdown' });
        await all;
      }
      await batcher.drain();
      for (const u of unlisteners) await u().catch(() => {});
    },
    /** Wakes the claim loop (tests and the embedded API use it after a local insert). */
    poke() {
      void fetchTasks();
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
