/**
 * An inflate thread (`inflate-threads.ts`): inflates a small zip entry's raw deflate bytes, found at the
 * start of a shared slot, into the same slot past them, and computes their CRC-32; extracts large entries
 * file to file (`inflate-file.ts`), several at once, between those. One zlib context serves
 * the thread's whole life (reset between entries) and the output goes into the caller's reused memory: no
 * buffer, stream or zlib object is allocated per entry, so none has to be collected or faulted in afresh.
 */
import { parentPort } from 'node:worker_threads';
import { crc32, inflateRawSync } from 'node:zlib';
import { inflateToFile } from './inflate-file.ts';
import type { InflateFileRequest, InflateReply, InflateRequest } from './inflate-protocol.ts';
import { RawInflate } from './raw-inflate.ts';

const port = parentPort!;

/** One zlib context for the thread's whole life, reset between entries (null: Node's internals differ). */
const raw = RawInflate.open();

/** Inflates `input` into `out`; the output's length. Longer than `out` can hold: `out.length` (the caller refuses it). */
function inflateInto(input: Uint8Array, out: Uint8Array): number {
  if (!raw) {
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
  raw.reset();
  return raw.write(input, 0, input.length, out, true).produced;
}

/** File extractions running, by job, to abort. */
const running = new Map<number, AbortController>();

function extractFile(req: InflateFileRequest): void {
  const abort = new AbortController();
  running.set(req.job, abort);
  inflateToFile(req, abort.signal)
    .then(
      ({ length, crc }) => port.postMessage({ id: req.id, length, crc } satisfies InflateReply),
      (err: unknown) =>
        port.postMessage({
          id: req.id,
          error: String((err as Error)?.message ?? err),
        } satisfies InflateReply),
    )
    .finally(() => running.delete(req.job));
}

port.on('message', (req: InflateRequest) => {
  if (req.op === 'file') {
    extractFile(req);
    return;
  }
  if (req.op === 'abort') {
    running.get(req.job)?.abort();
    port.postMessage({ id: req.id, length: 0, crc: 0 } satisfies InflateReply);
    return;
  }
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
