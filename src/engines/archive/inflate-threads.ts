/**
 * Inflate threads for small zip entries (read whole, `zip-whole-entry.ts`): the entry's deflated bytes are
 * copied into a reused shared slot, a thread inflates them into the same slot and computes their CRC-32,
 * and the caller gets a view of the slot, handed back once the entry is written. Inflating each entry with
 * `zlib.inflateRaw` on the pool made a zlib stream object and a fresh output buffer per entry on the main
 * thread: at thousands of entries that churn (the buffers' first-touch page faults, the collections that
 * free them, the CRC pass) cost more than the inflating. One thread per core but one (at least one, at most
 * two: each costs ~10 MiB, and small entries are a small share of the inflating) starts on first use and
 * does not hold the process open while idle; a crashed thread fails its requests and is replaced.
 */
import os from 'node:os';
import type { InflateFileRequest, InflateReply, InflateRequest } from './inflate-protocol.ts';
import { RequestThread } from './request-thread.ts';

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './inflate-worker.ts' : './inflate-worker.js',
  import.meta.url,
);

/** Deflated bytes and output each at most this much (the whole-entry limit). */
export const INFLATE_SLOT_BYTES = 1024 * 1024;
/** A slot: the input, then room for the output and the one byte more that reveals an oversized entry. */
const SLOT_SIZE = 2 * INFLATE_SLOT_BYTES + 4096;
/** How often a file extraction's progress is read. */
const PROGRESS_MS = 250;
/** Slots kept for reuse: about the entries extracted at once (`extractConcurrency`, 8 by default). */
const MAX_FREE_SLOTS = 8;

export interface InflatedEntry {
  /** A view of the slot: valid until `release`. */
  data: Buffer;
  crc: number;
  release(): void;
}

class InflateThreads {
  readonly #threads: Array<RequestThread<InflateRequest, InflateReply>>;
  readonly #freeSlots: SharedArrayBuffer[] = [];
  #jobs = 0;

  constructor(count: number) {
    this.#threads = Array.from(
      { length: count },
      () =>
        new RequestThread<InflateRequest, InflateReply>(WORKER_URL, 'an inflate thread', (reply) =>
          'error' in reply ? new Error(reply.error) : undefined,
        ),
    );
  }

  /**
   * Inflates raw deflate `input` (at most `INFLATE_SLOT_BYTES`) to at most `maxOutput` bytes (at most
   * `INFLATE_SLOT_BYTES + 1`): the output's view is `maxOutput` long when the data holds that much or more.
   */
  async inflate(input: Uint8Array, maxOutput: number): Promise<InflatedEntry> {
    if (input.length > INFLATE_SLOT_BYTES || maxOutput > INFLATE_SLOT_BYTES + 1) {
      throw new RangeError('an entry too large for an inflate slot');
    }
    const slot = this.#freeSlots.pop() ?? new SharedArrayBuffer(SLOT_SIZE);
    new Uint8Array(slot, 0, input.length).set(input);
    const thread = this.#idlest();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (this.#freeSlots.length < MAX_FREE_SLOTS) this.#freeSlots.push(slot);
    };
    try {
      const body = { slot, inLength: input.length, outOffset: INFLATE_SLOT_BYTES, outCapacity: maxOutput };
      const reply = await thread.request({ op: 'slot', ...body });
      return { data: Buffer.from(slot, INFLATE_SLOT_BYTES, reply.length), crc: reply.crc, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * Extracts a large entry file to file on a thread (`inflate-file.ts`): the bytes written to `dest`, at
   * most `maxOutput`, and their CRC-32. `onBytes` hears of the bytes written as they go (every
   * `progressMs`, and the rest at the end). Aborting `signal` stops it and rejects with the signal's reason.
   */
  async extractFile(
    req: Omit<InflateFileRequest, 'id' | 'op' | 'job' | 'written'>,
    signal?: AbortSignal,
    onBytes?: (n: number) => void,
    progressMs = PROGRESS_MS,
  ): Promise<{ size: number; crc: number }> {
    signal?.throwIfAborted();
    const thread = this.#idlest();
    const job = ++this.#jobs;
    const abort = () => {
      thread.request({ op: 'abort', job }).catch(() => {});
    };
    const written = new SharedArrayBuffer(8);
    const counter = new BigInt64Array(written);
    let reported = 0;
    const report = () => {
      const now = Number(Atomics.load(counter, 0));
      if (now > reported) onBytes?.(now - reported);
      reported = Math.max(reported, now);
    };
    const timer = onBytes ? setInterval(report, progressMs).unref() : undefined;
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const reply = await thread.request({ op: 'file', job, written, ...req });
      report();
      return { size: reply.length, crc: reply.crc };
    } catch (err) {
      signal?.throwIfAborted();
      throw err;
    } finally {
      clearInterval(timer);
      signal?.removeEventListener('abort', abort);
    }
  }

  #idlest(): RequestThread<InflateRequest, InflateReply> {
    return this.#threads.reduce((a, b) => (b.pending < a.pending ? b : a));
  }
}

let shared: InflateThreads | undefined;

/** The process's inflate threads. */
export function inflateThreads(): InflateThreads {
  shared ??= new InflateThreads(Math.max(1, Math.min(2, os.availableParallelism() - 1)));
  return shared;
}
