/**
 * An inflate thread (`inflate-threads.ts`): inflates a small zip entry's raw deflate bytes, found at the
 * start of a shared slot, into the same slot past them, and computes their CRC-32. One zlib context serves
 * the thread's whole life (reset between entries) and the output goes into the caller's reused memory: no
 * buffer, stream or zlib object is allocated per entry, so none has to be collected or faulted in afresh.
 */
import { parentPort } from 'node:worker_threads';
import { constants, crc32, InflateRaw, inflateRawSync } from 'node:zlib';
import type { InflateReply, InflateRequest } from './inflate-protocol.ts';

const port = parentPort!;

/**
 * zlib's context of an `InflateRaw`, driven directly (`writeSync` into a given buffer, `reset`): Node's
 * public zlib calls allocate their output. Where this Node's internals differ, `null`, and every entry takes
 * `inflateRawSync` and a copy instead.
 */
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

let handle: RawHandle | null = null;
let state: Uint32Array | null = null;
let failure: string | null = null;

function openHandle(): void {
  const engine = new InflateRaw() as unknown as { _handle?: RawHandle; _writeState?: Uint32Array };
  const h = engine._handle;
  if (!h || typeof h.writeSync !== 'function' || typeof h.reset !== 'function' || !engine._writeState) {
    handle = null;
    return;
  }
  // Errors are recorded here rather than destroying the stream around the context: it is reset and reused.
  h.onerror = (message) => {
    failure = message;
  };
  handle = h;
  state = engine._writeState;
}

/** Inflates `input` into `out`; the output's length. Longer than `out` can hold: `out.length` (the caller refuses it). */
function inflateInto(input: Uint8Array, out: Uint8Array): number {
  if (!handle) {
    let data: Buffer;
    try {
      data = inflateRawSync(input, { maxOutputLength: out.length });
    } catch (err) {
      // Past the limit: report it as the handle does (a full output), for the caller to refuse.
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return out.length;
      throw err;
    }
    out.set(data);
    return data.length;
  }
  failure = null;
  handle.reset();
  handle.writeSync(constants.Z_FINISH, input, 0, input.length, out, 0, out.length);
  if (failure !== null) throw new Error(failure);
  return out.length - state![0]!;
}

port.on('message', (req: InflateRequest) => {
  try {
    const input = new Uint8Array(req.slot, 0, req.inLength);
    const out = new Uint8Array(req.slot, req.outOffset, req.outCapacity);
    const length = inflateInto(input, out);
    port.postMessage({ id: req.id, length, crc: crc32(out.subarray(0, length)) } satisfies InflateReply);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // an output larger than allowed is a length the caller refuses, not a failure of the thread
    if (e?.code === 'ERR_BUFFER_TOO_LARGE') {
      port.postMessage({ id: req.id, length: req.outCapacity, crc: 0 } satisfies InflateReply);
    } else port.postMessage({ id: req.id, error: String(e?.message ?? err) } satisfies InflateReply);
  }
});

openHandle();
