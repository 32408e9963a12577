/**
 * Runs one poppler command as a child process: killed at once on abort or timeout, stdout collected up
 * to a cap, stderr kept only as a short head (a damaged file makes poppler print one line per bad byte).
 */
import { spawn } from 'node:child_process';
import { PdfError } from './errors.ts';

const STDERR_KEEP = 4096;

export interface ToolRun {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

export interface ToolOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** stdout beyond this is an error (bounds memory for hostile input). */
  maxStdoutBytes?: number;
}

export function runTool(cmd: string, args: string[], opts: ToolOptions = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new PdfError('aborted', 'The task was aborted.'));
      return;
    }
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let failure: PdfError | undefined;
    const stop = (err: PdfError) => {
      failure ??= err;
      child.kill('SIGKILL');
    };
    const onAbort = () => stop(new PdfError('aborted', 'The task was aborted.'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs
      ? setTimeout(() => stop(new PdfError('timeout', `${cmd} did not finish in time.`)), opts.timeoutMs)
      : undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (opts.maxStdoutBytes !== undefined && outBytes > opts.maxStdoutBytes) {
        stop(new PdfError('too-large', `${cmd} produced more output than allowed.`));
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_KEEP) stderr += chunk.toString('utf8').slice(0, STDERR_KEEP - stderr.length);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      failure ??=
        err.code === 'ENOENT'
          ? new PdfError('unavailable', `${cmd} is not installed (apt-get install -y poppler-utils).`, {
              cause: err,
            })
          : new PdfError('failed', `${cmd} could not be started.`, { cause: err });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else resolve({ stdout: Buffer.concat(out), stderr, code });
    });
  });
}

/** Turns a failed poppler run into a typed error (password problems are told apart from damage). */
export function toolFailure(run: ToolRun, password: string | undefined, what: string): PdfError {
  if (/Incorrect password/i.test(run.stderr)) {
    return password
      ? new PdfError('password-wrong', 'The password is wrong for this PDF.')
      : new PdfError('password-required', 'The PDF is password-protected.');
  }
  if (run.code === 1) return new PdfError('damaged', 'The PDF is damaged or not a PDF file.');
  return new PdfError('failed', `${what} failed (exit code ${run.code}).`);
}

/** poppler's password options: the same secret tried as user and owner password. */
export function passwordArgs(password: string | undefined): string[] {
  return password ? ['-upw', password] : [];
}
