import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../db/types.ts';
import type { ProcessorLimits, RunContext, TaskScope } from '../processors/types.ts';
import type { ScopedStorage } from '../storage/scoped-storage.ts';
import type { ClaimedTask } from './sql/claim-tasks.ts';
import { updateProgress } from './sql/leases.ts';
import type { StopSwitch } from './stop-switch.ts';

/** What a task's context needs from the worker. */
export interface RunContextDeps {
  db: Db;
  owner: string;
  tmpRoot: string;
  limits: ProcessorLimits;
  /** Progress is written at most this often per task. */
  progressIntervalMs?: number;
}

/**
 * The context a processor runs with. Its costly parts are made on first use: the abort signal, the scratch
 * folder (a mkdtemp + rm per task was most of the engine's cost under load) and the progress writer. Most
 * short tasks use none of them, and every object made per task showed in the drain's profile.
 */
export class TaskRunContext implements RunContext {
  readonly accountId: string;
  readonly projectName: string;
  readonly serviceRole: string;
  readonly region: string;
  readonly taskId: string;
  readonly taskType: string;
  readonly createdAt: Date;
  readonly tags: Record<string, string>;
  readonly storage: ScopedStorage;
  readonly limits: ProcessorLimits;
  readonly #stop: StopSwitch;
  readonly #deps: RunContextDeps;
  readonly #parentLog: Logger;
  #log: Logger | undefined;
  readonly #attempt: number;
  readonly #leaseId: string;
  #tmpDir: string | undefined;
  #progress: ProgressWriter | undefined;
  #closed = false;

  constructor(
    scope: TaskScope,
    task: ClaimedTask,
    storage: ScopedStorage,
    stop: StopSwitch,
    parentLog: Logger,
    deps: RunContextDeps,
  ) {
    this.accountId = scope.accountId;
    this.projectName = scope.projectName;
    this.serviceRole = scope.serviceRole;
    this.region = scope.region;
    this.taskId = task.id;
    this.taskType = task.type;
    this.#attempt = task.attempts;
    this.#leaseId = task.lease_id;
    this.createdAt = task.created_at;
    this.tags = task.tags ?? {};
    this.storage = storage;
    this.#parentLog = parentLog;
    this.limits = deps.limits;
    this.#stop = stop;
    this.#deps = deps;
  }

  /** The task's child logger, made when first used: most attempts never log. */
  get log(): Logger {
    this.#log ??= this.#parentLog.child({ taskId: this.taskId, attempt: this.#attempt });
    return this.#log;
  }

  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  get tmpDir(): string {
    this.#tmpDir ??= mkdtempSync(path.join(this.#deps.tmpRoot, 'task-'));
    return this.#tmpDir;
  }

  /** A function of its own (processors pass it on as a callback), made on first use. */
  get progress(): (percent: number) => void {
    this.#progress ??= new ProgressWriter(this.#deps, this.taskId, this.#leaseId, this.log, this.#closed);
    return this.#progress.report;
  }

  /**
   * After the processor returned: no more progress writes, and the scratch folder is removed. Returns the
   * removal to wait for, or nothing when there is no folder (most tasks: no promise made for them).
   */
  close(): Promise<void> | undefined {
    this.#closed = true;
    this.#progress?.stop();
    if (this.#tmpDir) return rm(this.#tmpDir, { recursive: true, force: true }).catch(() => {});
    return undefined;
  }
}

/**
 * Keeps only the latest value and writes it at most once per interval. The timer starts with the first
 * report: most tasks never report, and a timer per task was a visible cost of short tasks.
 */
class ProgressWriter {
  #latest = -1;
  #written = 0;
  #timer: NodeJS.Timeout | undefined;
  private readonly deps: RunContextDeps;
  private readonly taskId: string;
  private readonly leaseId: string;
  private readonly log: Logger;
  private stopped: boolean;

  constructor(deps: RunContextDeps, taskId: string, leaseId: string, log: Logger, stopped: boolean) {
    this.deps = deps;
    this.taskId = taskId;
    this.leaseId = leaseId;
    this.log = log;
    this.stopped = stopped;
  }

  readonly report = (percent: number): void => {
    if (!Number.isFinite(percent)) return;
    this.#latest = Math.max(this.#latest, Math.min(99, Math.floor(percent)));
    if (!this.#timer && !this.stopped) {
      this.#timer = setInterval(this.#tick, this.deps.progressIntervalMs ?? 1000);
      this.#timer.unref();
    }
  };

  stop(): void {
    this.stopped = true;
    if (this.#timer) clearInterval(this.#timer);
  }

  readonly #tick = (): void => {
    if (this.#latest <= this.#written) return;
    this.#written = this.#latest;
    void updateProgress(this.deps.db, {
      id: this.taskId,
      leaseId: this.leaseId,
      owner: this.deps.owner,
      progress: this.#latest,
    }).catch((err) => this.log.debug({ err }, 'progress write failed'));
  };
}
