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

/**
 * A task whose processor runs here: how to stop it, whether its slot is free, its end (awaited at shutdown).
 * Its slot is given back through `release`, a method rather than a closure per task: the drain's allocation
 * profile counted every object made per task.
 */
class RunningTask {
  readonly stop = new StopSwitch();
  released = false;
  done: Promise<void> = Promise.resolve();
  constructor(
    readonly task: ClaimedTask,
    readonly payload: TaskPayload | undefined,
    readonly workClass: string,
    private readonly onRelease: (r: RunningTask) => void,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease(this);
  }
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
  /**
   * This worker's leases (one per claim), each with its tasks not yet dealt with. A lease is renewed while it
   * has some, then retired (deleted) by the completion batcher; one with a task whose outcome could not be
   * committed is left to expire instead, so that the reaper retries that task.
   */
  const leases = new Map<string, { open: number; abandoned: boolean }>();
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
  /** Claimed tasks that start in the next turn of the event loop (see claimRound). */
  let launching: Promise<void> | undefined;
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
    if (claimed.length > 0) leases.set(claimed[0]!.task.lease_id, { open: claimed.length, abandoned: false });
    const admitted = claimed.map((c) => admit(c.task, c.payload));
    // While claims come back full the next one goes out at once, before these tasks run: it is claimed in
    // the database while they run here. A wake-up that came meanwhile is served now too. The pool writes a
    // query from a later tick, and short tasks would run to their end in this turn's microtasks before it:
    // when a claim went out, the tasks start in the next turn of the event loop (a shutdown waits for that
    // turn: `launching`).
    if (claimed.length === round.limit || wanted) fetchTasks();
    if (!claiming) {
      for (const r of admitted) launch(r);
      return;
    }
    launching = new Promise<void>((resolve) =>
      setImmediate(() => {
        for (const r of admitted) launch(r);
        resolve();
      }),
    );
  }

  /** Takes a slot for a claimed task and registers it as running (so that a shutdown waits for it). */
  function admit(task: ClaimedTask, payload: TaskPayload | undefined): RunningTask {
    const cls = opts.processors.get(task.type)?.workClass ?? 'light';
    perClass.set(cls, (perClass.get(cls) ?? 0) + 1);
    busy++;
    const r = new RunningTask(task, payload, cls, releaseSlot);
    running.set(task.id, r);
    return r;
  }

  function releaseSlot(r: RunningTask): void {
    busy--;
    perClass.set(r.workClass, (perClass.get(r.workClass) ?? 1) - 1);
    scheduleFetch();
  }

  function launch(r: RunningTask): void {
    r.done = runSlot(r);
  }

  async function runSlot(r: RunningTask): Promise<void> {
    let settled = false;
    try {
      settled = await runClaimedTask(r.task, r.payload, r.stop, deps, r);
    } catch (err) {
      log.error({ err, taskId: r.task.id }, 'task runner failed');
    }
    running.delete(r.task.id);
    r.release();
    settleLeaseTask(r.task.lease_id, settled);
  }

  function settleLeaseTask(leaseId: string, settled: boolean): void {
    const lease = leases.get(leaseId);
    if (!lease) return;
    if (!settled) lease.abandoned = true;
    if (--lease.open > 0) return;
    leases.delete(leaseId);
    if (!lease.abandoned) batcher.retire(leaseId);
  }

  async function heartbeat() {
    if (leases.size === 0) return;
    // Only the leases asked about are judged: a claim that returns meanwhile adds a lease this answer cannot
    // hold.
    const asked = new Set(leases.keys());
    try {
      const { held, cancels } = await renewLeases(opts.db, {
        owner,
        leaseIds: [...asked],
        taskIds: [...running.keys()],
        leaseSeconds: cfg.leaseSeconds,
      });
      for (const [id, r] of running) {
        const lease = r.task.lease_id;
        if (asked.has(lease) && !held.has(lease)) r.stop.stop({ kind: 'lease-lost' });
        else if (cancels.has(id)) r.stop.stop({ kind: 'cancel', by: cancels.get(id)! });
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
      while (claiming) await claiming;
      await launching;
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
