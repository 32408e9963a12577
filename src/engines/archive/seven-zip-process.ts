/**
 * Runs Debian's `7zz` as a child process. The password goes through stdin (7-Zip prompts for it), never
 * the command line where `ps` would show it; with no password an empty `-p` is passed so 7-Zip never
 * prompts. Callers put `--` before the archive path. Output times are UTC and names UTF-8. Abort kills it.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { ArchiveErrors } from './errors.ts';

export interface SevenZipRun {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Settles when the process exits: resolves on exit code 0, rejects with a classified ArchiveError. */
  done: Promise<void>;
  kill(): void;
}

const STDERR_KEEP = 16 * 1024;

export function runSevenZip(
  bin: string,
  args: string[],
  opts: { password?: string; signal: AbortSignal },
): SevenZipRun {
  opts.signal.throwIfAborted();
  const hasPassword = opts.password !== undefined && opts.password !== '';
  // An explicit empty password stops 7-Zip from prompting; an encrypted archive then fails at once.
  const dash = args.indexOf('--');
  const fullArgs = hasPassword ? args : [...args.slice(0, dash), '-p', ...args.slice(dash)];
  const child = spawn(bin, fullArgs, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < STDERR_KEEP) stderr += text;
  });
  child.stdin.on('error', () => {}); // 7-Zip may exit before reading the password
  if (hasPassword) child.stdin.end(`${opts.password}\n`);
  else child.stdin.end();
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  opts.signal.addEventListener('abort', kill, { once: true });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      opts.signal.removeEventListener('abort', kill);
      if (err.code === 'ENOENT') {
        reject(ArchiveErrors.engineMissing('7-Zip', 'apt-get install -y --no-install-recommends 7zip'));
      } else reject(err);
    });
    child.on('close', (code, signal) => {
      opts.signal.removeEventListener('abort', kill);
      if (opts.signal.aborted) return reject(opts.signal.reason);
      if (code === 0) return resolve();
      reject(classifySevenZipFailure(stderr, code, signal, opts.password));
    });
  });
  done.catch(() => {});
  return { child, done, kill };
}

/** Turns 7-Zip's complaint into a typed failure; its stderr itself is never shown to clients. */
export function classifySevenZipFailure(
  stderr: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  password?: string,
): Error {
  const hasPassword = password !== undefined && password !== '';
  if (
    /Wrong password|Can ?not open encrypted archive/i.test(stderr) ||
    (/Enter password/i.test(stderr) && code === 255)
  ) {
    return hasPassword ? ArchiveErrors.wrongPassword() : ArchiveErrors.passwordRequired();
  }
  if (/Can ?not open (the )?file as (an )?archive|is not archive/i.test(stderr)) {
    return ArchiveErrors.corrupt('it is not a readable archive of its format.');
  }
  if (
    /Unexpected end of (archive|data)|Headers Error|Data Error|CRC Failed|Unconfirmed start of archive/i.test(
      stderr,
    )
  ) {
    const entry = /(?:Data Error|CRC Failed)[^:]*: (.+)$/m.exec(stderr)?.[1]?.trim();
    return ArchiveErrors.corrupt('7-Zip reports damaged data.', entry);
  }
  if (/Unsupported Method/i.test(stderr))
    return ArchiveErrors.unsupported('The archive uses a compression method 7-Zip cannot extract.');
  return ArchiveErrors.corrupt(`7-Zip failed (exit ${code ?? signal}).`);
}
