/**
 * Runs ffmpeg or ffprobe as a child process: off the event loop, killed with SIGKILL at once on abort or
 * timeout, stderr kept as a bounded tail (hostile input can make ffmpeg print without end).
 */
import { spawn } from 'node:child_process';
import { FfmpegError } from './errors.ts';

export interface RunToolOptions {
  command: string;
  args: string[];
  cwd?: string;
  signal?: AbortSignal;
  /** Kill the process after this long; 0 or absent = no limit. */
  timeoutMs?: number;
  /** Each stdout chunk as text (progress); when absent stdout is captured up to `maxStdoutBytes`. */
  onStdout?: (chunk: string) => void;
  maxStdoutBytes?: number;
  /** Bytes of stderr kept (the end of it). */
  stderrTailBytes?: number;
}

export interface RunToolResult {
  stdout: string;
  stderr: string;
}

export function runTool(opts: RunToolOptions): Promise<RunToolResult> {
  const name = opts.command;
  if (opts.signal?.aborted) {
    return Promise.reject(new FfmpegError({ kind: 'aborted', message: `${name} was not started: aborted` }));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(opts.command, opts.args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = new BoundedText(opts.maxStdoutBytes ?? 16 * 1024 * 1024, 'head');
    const err = new BoundedText(opts.stderrTailBytes ?? 16 * 1024, 'tail');
    let settled = false;
    let killedFor: 'timeout' | 'aborted' | null = null;

    const kill = (why: 'timeout' | 'aborted') => {
      if (killedFor || child.exitCode !== null) return;
      killedFor = why;
      child.kill('SIGKILL');
    };
    const onAbort = () => kill('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs ? setTimeout(() => kill('timeout'), opts.timeoutMs) : undefined;
    timer?.unref?.();

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (opts.onStdout ? opts.onStdout(chunk) : out.push(chunk)));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => err.push(chunk));

    const finish = (e: FfmpegError | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (e) reject(e);
      else resolve({ stdout: out.text(), stderr: err.text() });
    };
    child.on('error', (cause) =>
      finish(new FfmpegError({ kind: 'spawn', message: `${name} could not be started`, cause })),
    );
    child.on('close', (code, signal) => {
      const stderr = err.text();
      if (killedFor === 'timeout') {
        finish(
          new FfmpegError({ kind: 'timeout', message: `${name} ran over ${opts.timeoutMs} ms`, stderr }),
        );
      } else if (killedFor === 'aborted') {
        finish(new FfmpegError({ kind: 'aborted', message: `${name} was killed: aborted`, stderr }));
      } else if (code !== 0) {
        const how = signal ? `signal ${signal}` : `code ${code}`;
        finish(
          new FfmpegError({ kind: 'exit', message: `${name} exited with ${how}`, stderr, exitCode: code }),
        );
      } else finish(null);
    });
  });
}

/** Text kept within a byte budget: the first bytes (`head`) or the last ones (`tail`). */
class BoundedText {
  private parts: string[] = [];
  private size = 0;

  constructor(
    private readonly limit: number,
    private readonly keep: 'head' | 'tail',
  ) {}

  push(chunk: string): void {
    if (this.keep === 'head') {
      if (this.size >= this.limit) return;
      const piece = chunk.slice(0, this.limit - this.size);
      this.parts.push(piece);
      this.size += piece.length;
      return;
    }
    this.parts.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.parts.length > 1) this.size -= this.parts.shift()!.length;
    if (this.size > this.limit) {
      this.parts[0] = this.parts[0]!.slice(this.size - this.limit);
      this.size = this.limit;
    }
  }

  text(): string {
    return this.parts.join('');
  }
}
