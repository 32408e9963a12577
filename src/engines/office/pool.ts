/**
 * The warm LibreOffice pool: `poolSize` long-lived processes, started on first use, each taking one
 * job at a time from a FIFO queue. A process is replaced after `maxJobsPerProcess` jobs, when it dies,
 * when a job runs past its timeout (the job fails) or is aborted; a job whose process crashed under
 * it is retried once on a fresh process. A document error leaves the process in service.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { OfficeConfig } from './config.ts';
import { isDocumentError, OfficeError } from './errors.ts';
import type { OfficeConvertRequest, OfficeConvertResult, OfficeJobOptions } from './job.ts';
import { OfficeProcess } from './office-process.ts';

/** After a failed start, the slot waits this long before trying again (a broken install fails fast). */
const START_RETRY_DELAY_MS = 2000;

interface QueuedJob {
  req: OfficeConvertRequest;
  opts: OfficeJobOptions;
  attempt: number;
  resolve(result: OfficeConvertResult): void;
  reject(err: unknown): void;
  onAbort?: () => void;
}

interface Slot {
  index: number;
  proc?: OfficeProcess;
  /** The process being started (killed if the pool closes meanwhile). */
  starting?: OfficeProcess;
  state: 'stopped' | 'starting' | 'idle' | 'busy';
  startFailures: number;
  idleTimer?: NodeJS.Timeout;
}

export interface OfficePoolStats {
  size: number;
  running: number;
  busy: number;
  queued: number;
  started: number;
  restarts: number;
  completed: number;
  crashes: number;
  timeouts: number;
}

export class OfficePool {
  private readonly config: OfficeConfig;
  private readonly log?: Logger;
  private readonly profileRoot: string;
  private readonly slots: Slot[];
  private readonly queue: QueuedJob[] = [];
  private closed = false;
  private counters = { started: 0, restarts: 0, completed: 0, crashes: 0, timeouts: 0 };

  constructor(config: OfficeConfig, opts: { log?: Logger } = {}) {
    this.config = config;
    this.log = opts.log;
    this.profileRoot = path.join(
      config.profileRoot ?? os.tmpdir(),
      `openimm-office-${process.pid}-${poolSeq++}`,
    );
    this.slots = Array.from({ length: config.poolSize }, (_, index) => ({
      index,
      state: 'stopped',
      startFailures: 0,
    }));
  }

  /** Converts one document; waits for a free process (starting the pool on first use). */
  convert(req: OfficeConvertRequest, opts: OfficeJobOptions = {}): Promise<OfficeConvertResult> {
    if (this.closed) return Promise.reject(new OfficeError('closed', 'The document converter is shut down.'));
    if (opts.signal?.aborted)
      return Promise.reject(new OfficeError('aborted', 'The conversion was aborted.'));
    if (this.config.maxQueue > 0 && this.queue.length >= this.config.maxQueue && !this.hasIdle()) {
      return Promise.reject(new OfficeError('busy', 'Too many documents are waiting for conversion.'));
    }
    return new Promise((resolve, reject) => {
      const job: QueuedJob = { req, opts, attempt: 1, resolve, reject };
      this.enqueue(job, 'back');
    });
  }

  /** Queues a job; while it waits, an abort just takes it out of the queue. */
  private enqueue(job: QueuedJob, where: 'front' | 'back'): void {
    const signal = job.opts.signal;
    if (signal) {
      job.onAbort = () => {
        const at = this.queue.indexOf(job);
        if (at >= 0) {
          this.queue.splice(at, 1);
          job.reject(new OfficeError('aborted', 'The conversion was aborted.'));
        }
      };
      signal.addEventListener('abort', job.onAbort, { once: true });
    }
    if (where === 'front') this.queue.unshift(job);
    else this.queue.push(job);
    this.pump();
  }

  /** Starts every process now instead of on first use. */
  async warmUp(): Promise<void> {
    if (this.closed) return;
    await Promise.all(
      this.slots.map((slot) => (slot.state === 'stopped' ? this.startSlot(slot) : undefined)),
    );
  }

  stats(): OfficePoolStats {
    return {
      size: this.slots.length,
      running: this.slots.filter((s) => s.state === 'idle' || s.state === 'busy').length,
      busy: this.slots.filter((s) => s.state === 'busy').length,
      queued: this.queue.length,
      ...this.counters,
    };
  }

  /** The live processes (for operators and tests). */
  processes(): OfficeProcess[] {
    return this.slots.flatMap((s) => (s.proc?.alive ? [s.proc] : []));
  }

  /** Fails waiting jobs, stops every process and removes the profiles. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0))
      this.settle(job, new OfficeError('closed', 'The document converter is shut down.'));
    await Promise.all(
      this.slots.map(async (slot) => {
        clearTimeout(slot.idleTimer);
        slot.starting?.kill('closed');
        await slot.proc?.stop();
        slot.proc = undefined;
        slot.state = 'stopped';
      }),
    );
    await rm(this.profileRoot, { recursive: true, force: true });
  }

  private hasIdle(): boolean {
    return this.slots.some((s) => s.state === 'idle');
  }

  /** Hands queued jobs to idle processes; starts stopped slots when jobs wait. */
  private pump(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state === 'idle') this.runOn(slot, this.queue.shift()!);
    }
    if (this.queue.length === 0) return;
    // Warm every stopped slot while jobs wait: the benchmark shape (a burst) wants all processes.
    for (const slot of this.slots) if (slot.state === 'stopped') void this.startSlot(slot);
  }

  private async startSlot(slot: Slot): Promise<void> {
    if (slot.state !== 'stopped' || this.closed) return;
    slot.state = 'starting';
    const proc = new OfficeProcess({
      slot: slot.index,
      config: this.config,
      profileDir: path.join(this.profileRoot, `slot-${slot.index}`),
      log: this.log,
    });
    slot.starting = proc;
    try {
      await proc.start();
    } catch (err) {
      if (!this.closed) this.onStartFailure(slot, err);
      return;
    } finally {
      slot.starting = undefined;
    }
    if (this.closed) {
      await proc.stop();
      return;
    }
    this.counters.started++;
    if (this.counters.started > this.slots.length) this.counters.restarts++;
    slot.proc = proc;
    slot.startFailures = 0;
    slot.state = 'idle';
    proc.onExit(() => this.onProcessExit(slot, proc));
    this.becameIdle(slot);
  }

  private onStartFailure(slot: Slot, err: unknown): void {
    slot.state = 'stopped';
    slot.startFailures++;
    this.log?.error({ err, slot: slot.index }, 'LibreOffice failed to start');
    // When no slot can run at all, waiting jobs fail now rather than hang on a broken install.
    const anyUp = this.slots.some((s) => s.state === 'idle' || s.state === 'busy' || s.state === 'starting');
    if (!anyUp) {
      const failure =
        err instanceof OfficeError
          ? err
          : new OfficeError('unavailable', 'LibreOffice could not be started.', { cause: err });
      for (const job of this.queue.splice(0)) this.settle(job, failure);
      return;
    }
    const timer = setTimeout(() => {
      if (this.queue.length > 0) void this.startSlot(slot);
    }, START_RETRY_DELAY_MS * Math.min(slot.startFailures, 5));
    timer.unref();
  }

  private onProcessExit(slot: Slot, proc: OfficeProcess): void {
    if (slot.proc !== proc) return;
    clearTimeout(slot.idleTimer);
    slot.proc = undefined;
    // A busy slot is handled by its job's completion; an idle one just goes back to stopped.
    if (slot.state === 'idle') slot.state = 'stopped';
    if (!this.closed && this.queue.length > 0 && slot.state === 'stopped') void this.startSlot(slot);
  }

  private runOn(slot: Slot, job: QueuedJob): void {
    const proc = slot.proc!;
    clearTimeout(slot.idleTimer);
    slot.state = 'busy';
    if (job.onAbort) job.opts.signal?.removeEventListener('abort', job.onAbort);
    job.onAbort = undefined;
    const timeoutMs = Math.min(job.opts.timeoutMs ?? this.config.jobTimeoutMs, this.config.jobTimeoutMs);
    job.opts.onStart?.();
    proc.convert(job.req, timeoutMs, job.opts.signal).then(
      (result) => {
        proc.jobs++;
        this.counters.completed++;
        this.afterJob(slot, proc);
        job.resolve(result);
      },
      (err: unknown) => this.onJobError(slot, proc, job, err),
    );
  }

  private onJobError(slot: Slot, proc: OfficeProcess, job: QueuedJob, err: unknown): void {
    const kind = err instanceof OfficeError ? err.kind : 'internal';
    if (isDocumentError(kind)) {
      proc.jobs++;
      this.afterJob(slot, proc);
      job.reject(err);
      return;
    }
    if (kind === 'crashed') this.counters.crashes++;
    if (kind === 'timeout') this.counters.timeouts++;
    // Timeout, abort, crash, internal: the process is not trusted any more.
    proc.kill(kind);
    slot.proc = undefined;
    slot.state = 'stopped';
    if (kind === 'crashed' && job.attempt < 2 && !this.closed && !job.opts.signal?.aborted) {
      this.log?.warn(
        { slot: slot.index },
        'LibreOffice crashed during a conversion; retrying on a fresh process',
      );
      job.attempt++;
      this.enqueue(job, 'front');
    } else {
      job.reject(err);
    }
    if (!this.closed) void this.startSlot(slot);
    this.pump();
  }

  /** Restart-after-N, then the next job or the idle timer. */
  private afterJob(slot: Slot, proc: OfficeProcess): void {
    const max = this.config.maxJobsPerProcess;
    if (max > 0 && proc.jobs >= max && !this.closed) {
      slot.proc = undefined;
      slot.state = 'stopped';
      void proc.stop().then(() => {
        if (slot.state === 'stopped') void this.startSlot(slot);
      });
      this.pump();
      return;
    }
    slot.state = 'idle';
    this.becameIdle(slot);
  }

  private becameIdle(slot: Slot): void {
    if (this.queue.length > 0) {
      this.runOn(slot, this.queue.shift()!);
      return;
    }
    const idleMs = this.config.idleShutdownMs;
    if (idleMs > 0) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = setTimeout(() => {
        if (slot.state !== 'idle' || !slot.proc) return;
        const proc = slot.proc;
        slot.proc = undefined;
        slot.state = 'stopped';
        void proc.stop();
      }, idleMs);
      slot.idleTimer.unref();
    }
  }

  private settle(job: QueuedJob, err: unknown): void {
    if (job.onAbort) job.opts.signal?.removeEventListener('abort', job.onAbort);
    job.reject(err);
  }
}

let poolSeq = 0;
