/**
 * One warm LibreOffice: a headless `soffice` listening on a private UNO pipe, in its own process group
 * (so killing it takes oosplash and soffice.bin together), driven by a long-lived Python bridge
 * (`uno-bridge.py`, with `uno-sheets.py` and `uno-comments.py` beside it) that speaks JSON lines.
 * One job at a time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs';
import readline from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import type { OfficeConfig } from './config.ts';
import { OfficeError, type OfficeErrorKind } from './errors.ts';
import type { OfficeConvertRequest, OfficeConvertResult } from './job.ts';
import { officeEnv, prepareProfile } from './profile.ts';

const BRIDGE_PATH = fileURLToPath(new URL('./uno-bridge.py', import.meta.url));
/** After a graceful shutdown request, how long LibreOffice may take to exit before it is killed. */
const STOP_GRACE_MS = 3000;
const STDERR_TAIL = 4000;

interface Pending {
  id: number;
  resolve(result: unknown): void;
  reject(err: OfficeError): void;
}

export interface OfficeProcessOptions {
  slot: number;
  config: OfficeConfig;
  profileDir: string;
  log?: Logger;
}

let pipeCounter = 0;

export class OfficeProcess {
  readonly slot: number;
  /** Jobs completed by this process (restart-after-N counts them). */
  jobs = 0;
  private readonly opts: OfficeProcessOptions;
  private soffice?: ChildProcess;
  private bridge?: ChildProcess;
  private pipe?: string;
  private pending?: Pending;
  private nextId = 1;
  private dead = false;
  private deathReason: OfficeErrorKind = 'crashed';
  private stderrTail = '';
  private exitListeners: Array<() => void> = [];
  private readyWaiter?: { resolve(): void; reject(err: Error): void };

  constructor(opts: OfficeProcessOptions) {
    this.opts = opts;
    this.slot = opts.slot;
  }

  get alive(): boolean {
    return !this.dead && this.soffice !== undefined;
  }

  /** Process ids, for operators and tests: the soffice group leader and the bridge. */
  get pids(): { soffice?: number; bridge?: number } {
    return { soffice: this.soffice?.pid, bridge: this.bridge?.pid };
  }

  /** Called once when the process dies or is killed, whatever the reason. */
  onExit(listener: () => void): void {
    if (this.dead) listener();
    else this.exitListeners.push(listener);
  }

  async start(): Promise<void> {
    const { config, profileDir } = this.opts;
    await prepareProfile(profileDir);
    if (this.dead) throw new OfficeError('closed', 'The process was stopped before it started.');
    const pipe = `openimm_${process.pid}_${this.slot}_${++pipeCounter}_${randomBytes(4).toString('hex')}`;
    this.pipe = pipe;
    const soffice = spawn(
      config.sofficeCommand,
      [
        `-env:UserInstallation=${pathToFileURL(profileDir).href}`,
        '--headless',
        '--invisible',
        '--nologo',
        '--norestore',
        '--nodefault',
        '--nolockcheck',
        '--nofirststartwizard',
        `--accept=pipe,name=${pipe};urp;StarOffice.ComponentContext`,
      ],
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: officeEnv() },
    );
    this.soffice = soffice;
    soffice.stderr?.on('data', (chunk: Buffer) => this.keepStderr(chunk));
    soffice.on('error', (err) => this.die('unavailable', err));
    soffice.on('exit', () => this.die(this.deathReason));
    if (soffice.pid === undefined) {
      await new Promise((resolve) => setImmediate(resolve));
      throw new OfficeError('unavailable', 'LibreOffice (soffice) could not be started.');
    }
    registerForExitCleanup(this);
    this.startBridge(pipe, soffice.pid);
    await this.waitReady();
  }

  private startBridge(pipe: string, pgid: number): void {
    const { config } = this.opts;
    const timeoutSec = String(Math.ceil(config.startTimeoutMs / 1000));
    const bridge = spawn(
      config.pythonCommand,
      [BRIDGE_PATH, '--pipe', pipe, '--pgid', String(pgid), '--connect-timeout', timeoutSec],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.bridge = bridge;
    bridge.stderr?.on('data', (chunk: Buffer) => this.keepStderr(chunk));
    bridge.on('error', (err) => this.die('unavailable', err));
    bridge.on('exit', () => this.die(this.deathReason));
    bridge.stdin?.on('error', () => this.die(this.deathReason));
    const lines = readline.createInterface({ input: bridge.stdout! });
    lines.on('line', (line) => this.onLine(line));
  }

  private waitReady(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill('unavailable');
        reject(new OfficeError('unavailable', 'LibreOffice did not start in time.'));
      }, this.opts.config.startTimeoutMs);
      this.readyWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
    });
  }

  private onLine(line: string): void {
    let msg: any;
    try {
      msg = JSON.parse(line);
    } catch {
      this.opts.log?.warn({ slot: this.slot, line: line.slice(0, 200) }, 'office bridge: unreadable line');
      return;
    }
    if (msg.event === 'ready') {
      this.readyWaiter?.resolve();
      this.readyWaiter = undefined;
      return;
    }
    if (msg.event === 'failed') {
      this.opts.log?.warn({ slot: this.slot, message: msg.message }, 'office bridge could not connect');
      this.kill('unavailable');
      return;
    }
    const pending = this.pending;
    if (!pending || msg.id !== pending.id) return;
    this.pending = undefined;
    if (msg.ok) {
      pending.resolve(msg.result);
      return;
    }
    const kind = bridgeKind(msg.error?.kind);
    if (kind === 'crashed') this.kill('crashed');
    pending.reject(new OfficeError(kind, String(msg.error?.message ?? 'The conversion failed.')));
  }

  /** Sends one conversion; the caller (the pool) guarantees one at a time. */
  convert(req: OfficeConvertRequest, timeoutMs: number, signal?: AbortSignal): Promise<OfficeConvertResult> {
    return this.request({ op: 'convert', ...req }, timeoutMs, signal) as Promise<OfficeConvertResult>;
  }

  ping(timeoutMs = 5000): Promise<unknown> {
    return this.request({ op: 'ping' }, timeoutMs);
  }

  private request(body: Record<string, unknown>, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    if (!this.alive || !this.bridge?.stdin) {
      return Promise.reject(new OfficeError('crashed', 'The LibreOffice process is not running.'));
    }
    if (this.pending) return Promise.reject(new OfficeError('internal', 'The LibreOffice process is busy.'));
    if (signal?.aborted) return Promise.reject(new OfficeError('aborted', 'The conversion was aborted.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => this.failPending('aborted', 'The conversion was aborted.');
      const timer = setTimeout(
        () =>
          this.failPending(
            'timeout',
            `The conversion did not finish within ${Math.round(timeoutMs / 1000)} s.`,
          ),
        timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        id,
        resolve: (r) => {
          cleanup();
          resolve(r);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      };
      this.bridge!.stdin!.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }

  /** Timeout or abort: the only way to stop a UNO call mid-way is to kill the process. */
  private failPending(kind: OfficeErrorKind, message: string): void {
    const pending = this.pending;
    this.pending = undefined;
    this.kill(kind);
    pending?.reject(new OfficeError(kind, message));
  }

  /** Kills LibreOffice (its whole process group) and the bridge at once. */
  kill(reason: OfficeErrorKind = 'crashed'): void {
    this.deathReason = reason;
    const pid = this.soffice?.pid;
    if (pid !== undefined && this.soffice?.exitCode === null && this.soffice.signalCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (this.bridge && this.bridge.exitCode === null && this.bridge.signalCode === null)
      this.bridge.kill('SIGKILL');
    this.die(reason);
  }

  /** Asks LibreOffice to quit, then kills whatever is left after a grace period. */
  async stop(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise<void>((resolve) => this.onExit(resolve));
    if (!this.pending && this.bridge?.stdin?.writable) {
      this.deathReason = 'closed';
      this.bridge.stdin.write(`${JSON.stringify({ id: this.nextId++, op: 'shutdown' })}\n`);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
      await Promise.race([this.sofficeExited(), grace]);
    }
    this.kill('closed');
    await exited;
  }

  private sofficeExited(): Promise<void> {
    const child = this.soffice;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  private die(reason: OfficeErrorKind, cause?: unknown): void {
    if (this.dead) return;
    this.dead = true;
    this.deathReason = reason;
    unregisterForExitCleanup(this);
    if (reason !== 'closed') {
      this.opts.log?.warn(
        { slot: this.slot, reason, stderr: this.stderrTail.slice(-1000) },
        'office process ended',
      );
    }
    // The other half must not outlive this one.
    const pid = this.soffice?.pid;
    if (pid !== undefined && this.soffice?.exitCode === null && this.soffice.signalCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (this.bridge && this.bridge.exitCode === null && this.bridge.signalCode === null)
      this.bridge.kill('SIGKILL');
    // A killed LibreOffice leaves its UNO pipe's socket file behind in OSL's fixed folder.
    if (this.pipe) unlink(`/tmp/OSL_PIPE_${process.getuid?.() ?? 0}_${this.pipe}`, () => {});
    const message =
      reason === 'unavailable'
        ? 'LibreOffice could not be started.'
        : 'The LibreOffice process ended during the conversion.';
    this.readyWaiter?.reject(new OfficeError('unavailable', message, { cause }));
    this.readyWaiter = undefined;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(new OfficeError(reason === 'closed' ? 'closed' : 'crashed', message, { cause }));
    for (const listener of this.exitListeners.splice(0)) listener();
  }

  private keepStderr(chunk: Buffer): void {
    this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
  }
}

function bridgeKind(kind: unknown): OfficeErrorKind {
  switch (kind) {
    case 'password-required':
    case 'password-wrong':
    case 'load-failed':
    case 'not-a-document':
    case 'page-range':
    case 'sheet-range':
    case 'unsupported':
    case 'export-failed':
      return kind;
    case 'disconnected':
      return 'crashed';
    default:
      return 'internal';
  }
}

/**
 * LibreOffice runs in its own process group (so it can be killed whole), which also means it would
 * outlive a server that exits: kill every live group on the way out. (A server killed by SIGKILL is
 * covered by the bridge, which kills the group when its stdin closes.)
 */
const live = new Set<OfficeProcess>();
let exitHookInstalled = false;

function registerForExitCleanup(proc: OfficeProcess): void {
  live.add(proc);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) p.kill('closed');
  });
}

function unregisterForExitCleanup(proc: OfficeProcess): void {
  live.delete(proc);
}
