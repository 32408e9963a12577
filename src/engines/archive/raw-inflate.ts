/**
 * zlib's context of an `InflateRaw`, driven directly (`writeSync` into a given buffer): Node's public zlib
 * calls allocate every output chunk, and in the inflate threads that churn (fresh buffers faulted in, then
 * collected) cost more than the inflating. Where this Node's internals differ, `open()` gives null and
 * callers take the public API instead.
 */
import { constants, InflateRaw } from 'node:zlib';

interface RawHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  reset(): void;
  onerror: (message: string, errno: number) => void;
}

export class RawInflate {
  #failure: string | null = null;

  private constructor(
    private readonly engine: InflateRaw,
    private readonly handle: RawHandle,
    /** zlib's `avail_out` and `avail_in` after each write. */
    private readonly state: Uint32Array,
  ) {
    // Errors are recorded here rather than destroying the stream around the context: callers throw them.
    handle.onerror = (message) => {
      this.#failure = message;
    };
  }

  static #available: boolean | undefined;

  /** Whether `open()` works on this Node.js (tried once). */
  static available(): boolean {
    if (RawInflate.#available === undefined) {
      const probe = RawInflate.open();
      probe?.close();
      RawInflate.#available = probe !== null;
    }
    return RawInflate.#available;
  }

  static open(): RawInflate | null {
    const engine = new InflateRaw();
    const internals = engine as unknown as { _handle?: RawHandle; _writeState?: Uint32Array };
    const h = internals._handle;
    if (!h || typeof h.writeSync !== 'function' || typeof h.reset !== 'function' || !internals._writeState) {
      engine.close();
      return null;
    }
    return new RawInflate(engine, h, internals._writeState);
  }

  /**
   * Inflates from `input[inOff, inOff + inLen)` into `out` (from its start) until the input is used up or
   * `out` is full; `finish` when no input follows (a stream not complete by then fails). Throws zlib's
   * error for damaged data.
   */
  write(
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    finish: boolean,
  ): { consumed: number; produced: number } {
    this.#failure = null;
    const flush = finish ? constants.Z_FINISH : constants.Z_NO_FLUSH;
    this.handle.writeSync(flush, input, inOff, inLen, out, 0, out.length);
    if (this.#failure !== null) throw new Error(this.#failure);
    return { consumed: inLen - this.state[1]!, produced: out.length - this.state[0]! };
  }

  /** Ready for a new stream. */
  reset(): void {
    this.handle.reset();
  }

  close(): void {
    this.engine.close();
  }
}
