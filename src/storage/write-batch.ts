/**
 * Deferred durability for runs of many object writes (e.g. the files of an extracted archive). A write
 * given a `WriteBatch` (`WriteOptions.batch`) may return once its bytes are handed to the backend; the
 * object becomes durable and visible when the backend publishes it, at the latest on `flush()`. A
 * backend that cannot defer ignores the batch: its writes are durable and visible when they return.
 *
 * Callers flush before they report success (a task's outputs are durable before its status commits);
 * `discard()` drops what was written but not yet published. Either way no object is ever half-written:
 * backends publish an object only after its bytes are durable.
 */

/** A backend's share of a batch. */
export interface BatchPart {
  /** Makes every write handed to this part durable and visible; throws the first failure. */
  flush(): Promise<void>;
  /** Removes what is not yet published (published objects stay). */
  discard(): Promise<void>;
}

export class WriteBatch {
  readonly #parts = new Map<unknown, BatchPart>();

  /** The part of `owner` (a backend, keyed by identity or root), made on first use. */
  part<T extends BatchPart>(owner: unknown, make: () => T): T {
    let part = this.#parts.get(owner);
    if (!part) {
      part = make();
      this.#parts.set(owner, part);
    }
    return part as T;
  }

  /** Every write so far durable and visible; throws the first failure (all parts are flushed anyway). */
  async flush(): Promise<void> {
    const results = await Promise.allSettled([...this.#parts.values()].map((p) => p.flush()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Drops every write not yet published; never throws. */
  async discard(): Promise<void> {
    await Promise.allSettled([...this.#parts.values()].map((p) => p.discard()));
  }
}
