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
import type { Worker } from 'node:worker_threads';
import type { InflateReply, InflateRequest } from './inflate-protocol.ts';
import { startWorker } from './ts-worker.ts';

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './inflate-worker.ts' : './inflate-worker.js',
  import.meta.url,
);

/** Deflated bytes and output each at most this much (the whole-entry limit). */
export const INFLATE_SLOT_BYTES = 1024 * 1024;
/** A slot: the input, then room for the output and the one byte more that reveals an oversized entry. */
const SLOT_SIZE = 2 * INFLATE_SLOT_BYTES + 4096;
/** Slots kept for reuse: about the entries extracted at once (`extractConcurrency`, 8 by default). */
const MAX_FREE_SLOTS = 8;

export interface InflatedEntry {
  /** A view of the slot: valid until `release`. */
  data: Buffer;
  crc: number;
  release(): void;
}

type Waiter = { resolve: (r: { length: number; crc: number }) => void; reject: (err: Error) => void };

class InflateThread {
  #worker: Worker | undefined;
  readonly #waiting = new Map<number, Waiter>();

  get pending(): number {
    return this.#waiting.size;
  }

  request(body: Omit<InflateRequest, 'id'>, id: number): Promise<{ length: number; crc: number }> {
    const worker = this.#start();
    return new Promise((resolve, reject) => {
      if (this.#waiting.size === 0) worker.ref();
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...body } satisfies InflateRequest);
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    // It holds nothing but the request at hand: small heap limits keep it near a bare thread's footprint.
    const worker = startWorker(WORKER_URL, {
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
    });
    worker.unref();
    worker.on('message', (reply: InflateReply) => this.#settle(reply));
    worker.on('error', (err) => this.#fail(worker, err));
    worker.on('exit', (code) => this.#fail(worker, new Error(`an inflate thread exited (${code})`)));
    this.#worker = worker;
    return worker;
  }

  #settle(reply: InflateReply): void {
    const waiter = this.#waiting.get(reply.id);
    if (!waiter) return;
    this.#waiting.delete(reply.id);
    if (this.#waiting.size === 0) this.#worker?.unref();
    if ('error' in reply) waiter.reject(new Error(reply.error));
    else waiter.resolve(reply);
  }

  #fail(worker: Worker, err: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(err);
  }
}

class InflateThreads {
  readonly #threads: InflateThread[];
  readonly #freeSlots: SharedArrayBuffer[] = [];
  #nextId = 0;

  constructor(count: number) {
    this.#threads = Array.from({ length: count }, () => new InflateThread());
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
    const thread = this.#threads.reduce((a, b) => (b.pending < a.pending ? b : a));
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (this.#freeSlots.length < MAX_FREE_SLOTS) this.#freeSlots.push(slot);
    };
    try {
      const body = { slot, inLength: input.length, outOffset: INFLATE_SLOT_BYTES, outCapacity: maxOutput };
      const { length, crc } = await thread.request(body, ++this.#nextId);
      return { data: Buffer.from(slot, INFLATE_SLOT_BYTES, length), crc, release };
    } catch (err) {
      release();
      throw err;
    }
  }
}

let shared: InflateThreads | undefined;

/** The process's inflate threads. */
export function inflateThreads(): InflateThreads {
  shared ??= new InflateThreads(Math.max(1, Math.min(2, os.availableParallelism() - 1)));
  return shared;
}
