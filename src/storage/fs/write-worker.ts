/**
 * The fs backend's writer thread: creates the temp files of small batched writes, and later fsyncs,
 * closes and renames them into place, with plain synchronous calls (but for the fsyncs, several at once on
 * the pool). Through libuv's thread pool every object cost the event loop a pool hand-off and a wake-up per
 * step (open, write, fsync, close, rename); here the create and write are one message, and the publication
 * of a whole group another.
 */
import { closeSync, fsync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { WriteWorkerReply, WriteWorkerRequest } from './write-worker-protocol.ts';

const port = parentPort!;

function failure(id: number, err: unknown, renamed?: number): WriteWorkerReply {
  const e = err as NodeJS.ErrnoException;
  return { id, error: { message: String(e?.message ?? err), code: e?.code, syscall: e?.syscall, renamed } };
}

/** Renames each durable temp file over its target, in order, stopping at the first failure. */
function renameAll(id: number, renames: Array<[string, string]>): WriteWorkerReply {
  for (let i = 0; i < renames.length; i++) {
    try {
      renameSync(renames[i]![0], renames[i]![1]);
    } catch (err) {
      return failure(id, err, i);
    }
  }
  return { id };
}

function create(path: string, data: Uint8Array): number {
  const fd = openSync(path, 'wx', 0o644);
  try {
    for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
    return fd;
  } catch (err) {
    closeQuietly(fd);
    try {
      unlinkSync(path);
    } catch {
      // the caller's cleanup tries again; the write's own failure is what to report
    }
    throw err;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed or never valid: nothing to release
  }
}

/** fsyncs every descriptor (at most `parallel` at once), closes them all; rejects with the first failure. */
async function syncAll(fds: number[], parallel: number): Promise<void> {
  let next = 0;
  let first: unknown;
  const run = async () => {
    while (next < fds.length) {
      const fd = fds[next++]!;
      await new Promise<void>((resolve) =>
        fsync(fd, (err) => {
          if (err) first ??= err;
          closeQuietly(fd);
          resolve();
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, fds.length)) }, run));
  if (first) throw first;
}

port.on('message', (req: WriteWorkerRequest) => {
  if (req.op === 'create') {
    try {
      const data = new Uint8Array(req.data, req.offset, req.length);
      port.postMessage({ id: req.id, fd: create(req.path, data) } satisfies WriteWorkerReply);
    } catch (err) {
      port.postMessage(failure(req.id, err));
    }
  } else if (req.op === 'publish') {
    syncAll(req.fds, req.parallel).then(
      () => port.postMessage(renameAll(req.id, req.renames)),
      (err: unknown) => port.postMessage(failure(req.id, err, 0)),
    );
  } else {
    for (const fd of req.fds) closeQuietly(fd);
    port.postMessage({ id: req.id } satisfies WriteWorkerReply);
  }
});
