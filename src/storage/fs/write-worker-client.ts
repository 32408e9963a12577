/**
 * The main-thread side of the fs backend's writer thread (`write-worker.ts`): one thread per process,
 * started on first use, holding the process open only while it has requests. A crashed thread fails its
 * pending requests and is started again by the next one.
 */
import { type RequestBody, RequestThread } from '../../engines/archive/request-thread.ts';
import type { WriteWorkerReply, WriteWorkerRequest } from './write-worker-protocol.ts';

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './write-worker.ts' : './fs-write-worker.js',
  import.meta.url,
);

/** Bodies up to this size are written through the thread (larger ones take the pool's path). */
export const SLOT_BYTES = 1024 * 1024;
/** Slots kept for reuse: the writes in flight at once, about (the slots of more are collected). */
const MAX_FREE_SLOTS = 8;

class WriteWorker {
  readonly #thread = new RequestThread<WriteWorkerRequest, WriteWorkerReply>(
    WORKER_URL,
    'the fs writer thread',
    (reply) => ('error' in reply ? Object.assign(new Error(reply.error.message), reply.error) : undefined),
  );
  readonly #freeSlots: SharedArrayBuffer[] = [];

  /**
   * Creates `path` (failing with EEXIST when it exists) holding `data` (at most `SLOT_BYTES`); resolves to
   * its descriptor, still open. The bytes are copied into a shared buffer the thread writes from, reused
   * for the next body: no buffer is allocated per write on either side. Bytes already in shared memory (an
   * inflate thread's output) are written from there, not copied: they stay untouched until this resolves.
   */
  async create(path: string, data: Uint8Array): Promise<number> {
    if (data.buffer instanceof SharedArrayBuffer) {
      const body = { data: data.buffer, offset: data.byteOffset, length: data.length };
      return (await this.#request({ op: 'create', path, ...body }))!;
    }
    if (data.length > SLOT_BYTES)
      throw new RangeError(`a body of ${data.length} bytes is larger than a slot`);
    const slot = this.#freeSlots.pop() ?? new SharedArrayBuffer(SLOT_BYTES);
    new Uint8Array(slot, 0, data.length).set(data);
    try {
      return (await this.#request({ op: 'create', path, data: slot, offset: 0, length: data.length }))!;
    } finally {
      if (this.#freeSlots.length < MAX_FREE_SLOTS) this.#freeSlots.push(slot);
    }
  }

  /**
   * fsyncs the descriptors, `parallel` at once, and closes them all; once every fsync succeeded, renames each
   * `[tmp, target]` in order. A failure rejects with `renamed`, how many renames were done before it (0 when
   * an fsync failed).
   */
  async publish(fds: number[], renames: Array<[string, string]>, parallel: number): Promise<void> {
    await this.#request({ op: 'publish', fds, parallel, renames });
  }

  /** Closes the descriptors, ignoring failures. */
  async close(fds: number[]): Promise<void> {
    await this.#request({ op: 'close', fds });
  }

  async #request(body: RequestBody<WriteWorkerRequest>): Promise<number | undefined> {
    const reply = await this.#thread.request(body);
    return reply.fd;
  }
}

let shared: WriteWorker | undefined;

/** The process's writer thread. */
export function writeWorker(): WriteWorker {
  shared ??= new WriteWorker();
  return shared;
}
