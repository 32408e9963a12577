import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { ServerConfig } from '../config/config.ts';
import { ClaimAccounts, type ClaimRound } from './claim-accounts.ts';
import { createCompletionBatcher, type OnFinished } from './completion-batcher.ts';
import { reapExpiredLeases } from './reaper.ts';
import { type RunTaskDeps, runClaimedTask } from './run-task.ts';
import { type Claim, type ClaimedTask, claimTasks, type TaskPayload } from './sql/claim-tasks.ts';
import { TASK_READY_CHANNEL } from './sql/insert-task.ts';
import { renewLeases, TASK_CANCEL_CHANNEL } from './sql/leases.ts';
import { StopSwitch } from './stop-switch.ts';

export type WorkerOptions = Omit<RunTaskDeps, 'batcher' | 'owner'> & {
  config: ServerConfig['worker'];
  onFinished: OnFinished;
  /** Safety sweep: claims missed wake-ups and reaps expired leases (not on the hot path). */
  sweepMs?: number;
};

/** A task whose processor runs here: how to stop it, whether its slot is free, its end (awaited at shutdown). */
class RunningTask {
  readonly stop = new StopSwitch();
  released = false;
  done: Promise<void> = Promise.resolve();
}

/**
 * A worker: claims tasks when woken by LISTEN/NOTIFY (and by a slow safety sweep), runs them within its
 * global and per-class concurrency, renews their leases, and commits outcomes in batches.
 */
export function createWorker(opts: WorkerOptions) {
  const owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = opts.log.child({ worker: owner });
  const batcher = createCompletionBatcher({ db: opts.db, owner, onFinished: opts.onFinished, log });
  const deps: RunTaskDeps = { ...opts, owner, batcher, log };
  const running = new Map<string, RunningTask>();
  const perClass = new Map<string, number>();
  /** Slots taken: tasks whose processor is running (a finished task waiting for its commit has freed its slot). */
  let busy = 0;
  const cfg = opts.config;
  let stopping = false;
  const claims = new ClaimAccounts(cfg);
  /**
   * The claim in flight (one at a time: two at once would make the second step over the rows the first has
   * locked), awaited at shutdown: the tasks it takes are waited for or handed back.
   */
  let claiming: Promise<void> | undefined;
  /** A wake-up (NOTIFY, freed slots) came while a claim was out. */
  let wanted = false;
  let fetchScheduled = false;
  /** One claim round for all the slots freed in this turn of the event loop (a batch frees hundreds). */
  function scheduleFetch() {
    if (fetchScheduled) return;
    fetchScheduled = true;
    setImmediate(() => {
      fetchScheduled = false;
      fetchTasks();
    });
  }
  const timers: NodeJS.Timeout[] = [];
  const unlisteners: Array<() => Promise<void>> = [];

  /** Sends a claim for the free slots, unless one is out already (then it is sent when that one returns). */
  function fetchTasks(): void {
    if (stopping) return;
    if (claiming) {
      wanted = true;
      return;
    }
    wanted = false;
    const round = claims.reserve(busy, perClass);
    if (round) claiming = claimRound(round);
  }

  async function claimRound(round: ClaimRound): Promise<void> {
    let claimed: Claim[] = [];
    try {
      claimed = await claimTasks(opts.db, {
        owner,
        classes: round.classes,
        limit: round.limit,
        leaseSeconds: cfg.leaseSeconds,
      });
    } catch (err) {
      log.error({ err }, 'claiming tasks failed');
    }
    claims.release(round);
    claiming = undefined;
    const launches = claimed.map((c) => admit(c.task, c.payload));
    const launchAll = () => {
      for (const launch of launches) launch();
    };
    // While claims come back full the next one goes out at once, before these tasks run: it is claimed in
    // the database while they run here. A wake-up that came meanwhile is served now too. The pool writes a
    // query from a later tick, and short tasks would run to their end in this turn's microtasks before it:
    // when a claim went out, the tasks start in the next turn of the event loop.
    if (claimed.length === round.limit || wanted) fetchTasks();
    if (claiming) setImmediate(launchAll);
    else launchAll();
  }

  /**
   * Takes a slot for a claimed task and registers it as running (so that a shutdown waits for it); its
   * processor runs once the returned launch function is called.
   */
  function admit(task: ClaimedTask, payload: TaskPayload | undefined): () => void {
    const cls = opts.processors.get(task.type)?.workClass ?? 'light';
    perClass.set(cls, (perClass.get(cls) ?? 0) + 1);
    busy++;
    const r = new RunningTask();
    const release = () => {
      if (r.released) return;
      r.released = true;
      busy--;
      perClass.set(cls, (perClass.get(cls) ?? 1) - 1);
      scheduleFetch();
    };
    let launch!: () => void;
    const launched = new Promise<void>((resolve) => {
      launch = resolve;
    });
    r.done = launched
      .then(() => runClaimedTask(task, payload, r.stop, deps, release))
      .then(
        () => {
          running.delete(task.id);
          release();
        },
        (err) => {
          log.error({ err, taskId: task.id }, 'task runner failed');
          running.delete(task.id);
          release();
        },
      );
    running.set(task.id, r);
    return launch;
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
        if (!heldIds.has(id)) r.stop.stop({ kind: 'lease-lost' });
        else if (heldIds.get(id)) r.stop.stop({ kind: 'cancel', by: heldIds.get(id)! });
      }
    } catch (err) {
      log.warn({ err }, 'renewing leases failed');
    }
  }

  return {
    owner,
    get runningCount() {
      return running.size;
    },
    async start() {
      await mkdir(opts.tmpRoot, { recursive: true });
      unlisteners.push(await opts.db.listen(TASK_READY_CHANNEL, () => fetchTasks()));
      unlisteners.push(
        await opts.db.listen(TASK_CANCEL_CHANNEL, (payload) => {
          const [id, by] = payload.split('|');
          const r = running.get(id ?? '');
          r?.stop.stop({ kind: 'cancel', by: by || 'a CancelTask request' });
        }),
      );
      const beat = Math.max(500, (cfg.leaseSeconds * 1000) / 3);
      timers.push(setInterval(() => void heartbeat(), beat));
      timers.push(
        setInterval(() => {
          fetchTasks();
          void reapExpiredLeases(opts.db, { onFinished: opts.onFinished, log }).catch((err) =>
            log.warn({ err }, 'reaping expired leases failed'),
          );
        }, opts.sweepMs ?? 5000),
      );
      for (const t of timers) t.unref();
      fetchTasks();
      await claiming;
    },
    /** Stops claiming, gives running tasks `graceMs` to finish, then hands the rest back to the queue. */
    async stop(graceMs = cfg.shutdownGraceSeconds * 1000) {
      stopping = true;
      for (const t of timers) clearInterval(t);
      // A claim in flight finishes first, so the tasks it took are among those we wait for or hand back.
      // A claim in flight finishes first, so the tasks it took are among those we wait for or hand back.
      while (claiming) await claiming;
      const all = Promise.all([...running.values()].map((r) => r.done));
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      if (timedOut) {
        for (const r of running.values()) r.stop.stop({ kind: 'shutdown' });
        await all;
      }
      await batcher.drain();
      for (const u of unlisteners) await u().catch(() => {});
    },
    /** Wakes the claim loop (tests and the embedded API use it after a local insert). */
    poke() {
      fetchTasks();
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
