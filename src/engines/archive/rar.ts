/**
 * RAR archives (RAR 4 and 5, encrypted or not) through the official unRAR code compiled to WebAssembly
 * (npm `node-unrar-js`), run in a worker thread so it never blocks the event loop. Debian's `7zz` has no
 * RAR codec and `unrar-free` cannot decrypt, hence this engine. Workers are pooled (one job at a time
 * each) and terminated on abort.
 */

import { createReadStream } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { ArchiveEntry, ExtractOptions } from './entry.ts';
import { ArchiveError, ArchiveErrors } from './errors.ts';
import type { RarFailure, RarWorkerData, RarWorkerMessage } from './rar-protocol.ts';
import { startWorker } from './ts-worker.ts';

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './rar-worker.ts' : './rar-worker.js',
  import.meta.url,
);

function toError(f: RarFailure, hasPassword: boolean): Error {
  switch (f.kind) {
    case 'password-missing':
      return hasPassword ? ArchiveErrors.wrongPassword(f.entry) : ArchiveErrors.passwordRequired(f.entry);
    case 'password-wrong':
      return ArchiveErrors.wrongPassword(f.entry);
    case 'limit':
      return ArchiveErrors.limit(f.message);
    case 'unsafe':
      return ArchiveErrors.unsafe(f.entry ?? '(archive)', f.message);
    case 'corrupt':
      // unRAR cannot tell a wrong key from damage when headers or data are encrypted.
      if (hasPassword)
        return new ArchiveError('password', 'The Password is wrong, or the archive is damaged.');
      return ArchiveErrors.corrupt(f.message, f.entry);
    default:
      return ArchiveErrors.corrupt(f.message);
  }
}

interface WorkerSession {
  worker: Worker;
  next(): Promise<RarWorkerMessage>;
  /** `reusable`: the job ended cleanly (done, entries or a reported failure), the worker may serve again. */
  close(reusable: boolean): Promise<void>;
}

/**
 * Idle workers, kept a while so a stream of RAR tasks pays the worker start (the loader and the
 * WebAssembly compile, ~0.4 s, over 2 s under tsx) once. An aborted or crashed job's worker is never reused.
 */
const IDLE_MS = 60_000;
const MAX_IDLE = 2;
const idle: Array<{ worker: Worker; timer: NodeJS.Timeout }> = [];

function acquireWorker(): Worker {
  const kept = idle.pop();
  if (kept) {
    clearTimeout(kept.timer);
    kept.worker.ref();
    return kept.worker;
  }
  return startWorker(WORKER_URL, {});
}

function releaseWorker(worker: Worker): void {
  if (idle.length >= MAX_IDLE) {
    void worker.terminate();
    return;
  }
  worker.unref();
  const entry = {
    worker,
    timer: setTimeout(() => {
      idle.splice(idle.indexOf(entry), 1);
      void worker.terminate();
    }, IDLE_MS).unref(),
  };
  idle.push(entry);
}

function openSession(data: RarWorkerData, signal: AbortSignal): WorkerSession {
  signal.throwIfAborted();
  const worker = acquireWorker();
  const queue: RarWorkerMessage[] = [];
  const waiters: Array<{ resolve: (m: RarWorkerMessage) => void; reject: (e: unknown) => void }> = [];
  let ended: unknown = null;
  const fail = (err: unknown) => {
    ended ??= err;
    for (const w of waiters.splice(0)) w.reject(ended);
  };
  const onMessage = (m: RarWorkerMessage) => {
    const w = waiters.shift();
    if (w) w.resolve(m);
    else queue.push(m);
  };
  const onExit = () => fail(ArchiveErrors.corrupt('the RAR engine stopped unexpectedly.'));
  worker.on('message', onMessage);
  worker.on('error', fail);
  worker.on('exit', onExit);
  const onAbort = () => {
    fail(signal.reason);
    void worker.terminate();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  worker.postMessage({ type: 'job', data });
  return {
    worker,
    next() {
      const m = queue.shift();
      if (m) return Promise.resolve(m);
      if (ended !== null) return Promise.reject(ended);
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    async close(reusable) {
      signal.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', fail);
      worker.off('exit', onExit);
      if (reusable && ended === null && !signal.aborted) releaseWorker(worker);
      else await worker.terminate();
    },
  };
}

export async function listRar(
  archivePath: string,
  opts: { password?: string; maxEntries: number; signal: AbortSignal },
): Promise<ArchiveEntry[]> {
  const session = openSession(
    { archivePath, password: opts.password, mode: 'list', maxEntries: opts.maxEntries },
    opts.signal,
  );
  let reusable = false;
  try {
    const m = await session.next();
    reusable = m.type === 'failed' || m.type === 'entries';
    if (m.type === 'failed') throw toError(m.failure, Boolean(opts.password));
    if (m.type !== 'entries') throw ArchiveErrors.corrupt('unexpected answer of the RAR engine.');
    if (m.entries.length > opts.maxEntries) {
      throw ArchiveErrors.limit(`The archive holds more than ${opts.maxEntries} entries.`);
    }
    return m.entries;
  } finally {
    await session.close(reusable);
  }
}

/** Extracts the files of `opts.entries`, one at a time through a scratch folder under `tmpDir`. */
export async function extractRar(
  archivePath: string,
  opts: ExtractOptions & { tmpDir: string; maxTotalBytes: number; maxEntries: number },
): Promise<void> {
  const files = opts.entries.filter((e) => e.kind === 'file');
  const byName = new Map(files.map((e) => [e.name, e]));
  const outDir = await mkdtemp(path.join(opts.tmpDir, 'rar-'));
  const session = openSession(
    {
      archivePath,
      password: opts.password,
      mode: 'extract',
      outDir,
      names: [...byName.keys()],
      maxEntries: opts.maxEntries,
      maxTotalBytes: opts.maxTotalBytes,
    },
    opts.signal,
  );
  let reusable = false;
  try {
    for (;;) {
      const m = await session.next();
      reusable = m.type === 'done' || m.type === 'failed';
      if (m.type === 'done') return;
      if (m.type === 'failed') throw toError(m.failure, Boolean(opts.password));
      if (m.type !== 'file') continue;
      const entry = byName.get(m.name);
      if (!entry)
        throw ArchiveErrors.corrupt('the RAR engine returned an entry that was not asked for.', m.name);
      try {
        await opts.sink(entry, createReadStream(m.path));
      } finally {
        await unlink(m.path).catch(() => {});
      }
      session.worker.postMessage({ type: 'next' });
    }
  } finally {
    await session.close(reusable);
    await rm(outDir, { recursive: true, force: true });
  }
}
