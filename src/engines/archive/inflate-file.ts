/**
 * A large zip entry extracted file to file inside an inflate thread (`inflate-worker.ts`): its stored bytes
 * are read from the archive's own file, inflated and written to the object's temp file, with their CRC-32.
 * Nothing passes through the main thread, where every 64 MiB of fresh buffers set off a full collection of
 * the whole server's heap, and nothing is allocated per chunk here either: each extraction reads into and
 * inflates into two reused 1 MiB buffers, so memory stays flat whatever the entry's size.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { EarlyWriteBack } from '../../storage/fs/write-back.ts';
import type { InflateFileRequest } from './inflate-protocol.ts';
import { RawInflate } from './raw-inflate.ts';

const CHUNK = 1024 * 1024;
/** Buffers kept for reuse: two per extraction running at once (a few). */
const MAX_FREE_BUFFERS = 8;
const freeBuffers: Buffer[] = [];

const takeBuffer = () => freeBuffers.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
const giveBack = (buf: Buffer) => {
  if (freeBuffers.length < MAX_FREE_BUFFERS) freeBuffers.push(buf);
};

/** The output file: bytes counted and checksummed as written, stopping at `maxOutput`. */
class Output {
  length = 0;
  crc = 0;
  readonly #writeBack: EarlyWriteBack;

  constructor(
    private readonly fh: FileHandle,
    private readonly maxOutput: number,
    /** Where the bytes written so far are published for the main thread's progress. */
    private readonly written: BigInt64Array,
  ) {
    this.#writeBack = new EarlyWriteBack(fh);
  }

  /** Writes `data[0, n)` (cut at the limit); false once the limit is reached: the caller stops. */
  async write(data: Buffer, n: number): Promise<boolean> {
    const part = data.subarray(0, Math.min(n, this.maxOutput - this.length));
    this.length += part.length;
    this.crc = crc32(part, this.crc);
    for (let offset = 0; offset < part.length; ) {
      offset += (await this.fh.write(part, offset, part.length - offset)).bytesWritten;
    }
    this.#writeBack.wrote(part.length);
    Atomics.store(this.written, 0, BigInt(this.length));
    return this.length < this.maxOutput;
  }

  settle = () => this.#writeBack.settle();
  idle = () => this.#writeBack.idle();
}

export async function inflateToFile(
  req: InflateFileRequest,
  signal: AbortSignal,
): Promise<{ length: number; crc: number }> {
  const inflater = req.deflated ? RawInflate.open() : null;
  // the caller checks `RawInflate.available()` before it asks
  if (req.deflated && !inflater) throw new Error('this Node.js cannot inflate into given buffers');
  const input = takeBuffer();
  const output = inflater ? takeBuffer() : input;
  let source: FileHandle | undefined;
  let dest: FileHandle | undefined;
  let out: Output | undefined;
  try {
    source = await open(req.source, 'r');
    dest = await open(req.dest, 'r+');
    out = new Output(dest, req.maxOutput, new BigInt64Array(req.written));
    await copyRange(source, req, input, output, inflater, out, signal);
    await out.settle();
    return { length: out.length, crc: out.crc };
  } catch (err) {
    await out?.idle();
    throw err;
  } finally {
    inflater?.close();
    await source?.close().catch(() => {});
    await dest?.close().catch(() => {});
    giveBack(input);
    if (output !== input) giveBack(output);
  }
}

/** The entry's range of `source`, inflated when `inflater` is given, into `out`. */
async function copyRange(
  source: FileHandle,
  req: InflateFileRequest,
  input: Buffer,
  output: Buffer,
  inflater: RawInflate | null,
  out: Output,
  signal: AbortSignal,
): Promise<void> {
  const end = req.start + req.length;
  if (req.length === 0 && inflater) throw new Error('unexpected end of file');
  for (let pos = req.start; pos < end; ) {
    signal.throwIfAborted();
    const { bytesRead } = await source.read(input, 0, Math.min(CHUNK, end - pos), pos);
    if (bytesRead === 0) throw new Error('the archive ends inside the entry');
    pos += bytesRead;
    if (!inflater) {
      if (!(await out.write(input, bytesRead))) return;
      continue;
    }
    // Inflate this chunk to the end: the output buffer may fill several times over.
    for (let used = 0; ; ) {
      const available = bytesRead - used;
      const step = inflater.write(input, used, available, output, pos >= end);
      used += step.consumed;
      if (step.produced > 0 && !(await out.write(output, step.produced))) return;
      if (step.consumed === 0 && step.produced === 0) {
        // Input left that zlib no longer takes: the deflate stream ended before its stored range did.
        if (available > 0) return;
        break;
      }
      if (used >= bytesRead && step.produced < output.length) break;
    }
  }
}
