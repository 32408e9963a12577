/**
 * Early write-back of large objects: while a big body is being written, its data is flushed to disk in the
 * background every `every` bytes (one `fdatasync` at a time, on the pool, not awaited by the writer). The
 * final fsync that makes the object durable then finds little left to write, instead of waiting for the
 * whole object at the end, after the CPU work is done: the disk works alongside the CPU.
 */
import type { FileHandle } from 'node:fs/promises';

const DEFAULT_EVERY = 32 * 1024 * 1024;

export class EarlyWriteBack {
  #since = 0;
  #inFlight: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;

  constructor(
    private readonly fh: FileHandle,
    private readonly every = DEFAULT_EVERY,
  ) {}

  /** Counts bytes written; starts a flush once `every` bytes have passed and none is running. */
  wrote(bytes: number): void {
    this.#since += bytes;
    if (this.#since < this.every || this.#inFlight) return;
    this.#since = 0;
    this.#inFlight = this.fh
      .datasync()
      .catch((error: unknown) => {
        // The first flush on a descriptor reports a write-back error; the final fsync might not see it again.
        this.#failure ??= { error };
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
  }

  /** Waits for the running flush (the handle must not be closed under it); throws a flush's failure. */
  async settle(): Promise<void> {
    await this.#inFlight;
    if (this.#failure) throw this.#failure.error;
  }

  /** Waits for the running flush, ignoring failures (the write is failing anyway). */
  async idle(): Promise<void> {
    await this.#inFlight;
  }
}
