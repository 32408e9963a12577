/**
 * A zip writer that deflates on every core. Each entry's bytes are cut into 1 MiB chunks; each chunk is
 * deflated on libuv's thread pool with the previous 32 KiB as its dictionary and a sync flush at its end,
 * so the chunks join into one ordinary deflate stream (the technique of pigz). Chunks of one large file
 * and of many small files are thus compressed at once, while the archive is emitted strictly in order.
 * Memory is bounded by the chunks in flight. yazl (the first writer) compresses one entry at a time on
 * one thread and costs ~1 ms of stream set-up per entry; this writer measured ~2× faster on two cores
 * (numbers in docs/archive.md).
 */
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { crc32, deflateRaw, type ZlibOptions, constants as zc } from 'node:zlib';
import { type CentralRecord, centralHeader, dataDescriptor, endRecords, localHeader } from './zip-records.ts';

const deflateRawAsync = promisify<Buffer, ZlibOptions, Buffer>(deflateRaw);

export interface ZipStreamEntry {
  /** Path inside the archive: `/`-separated, relative; folders end with `/`. */
  path: string;
  size: number;
  mtime: Date;
  /** 0 = store, 1–9 = deflate level. */
  level: number;
  /** The entry's bytes (not called for folders). */
  open?(): Promise<Readable>;
}

export interface ZipStreamOptions {
  /** Chunks being deflated or waiting to be written, at most. */
  maxChunksInFlight?: number;
  chunkBytes?: number;
  /** Entries announced at or above this size get Zip64 local records (tests lower it). */
  zip64Above?: number;
  signal?: AbortSignal;
}

const WINDOW = 32 * 1024;
const COALESCE_BYTES = 256 * 1024;
/** Above this announced size the entry is written with Zip64 sizes (deflate may grow incompressible data). */
const ZIP64_THRESHOLD = 0xf0000000;

type Piece =
  | { kind: 'header'; data: Buffer }
  /** A whole small entry: header and data decided once its one chunk is deflated. */
  | { kind: 'single'; data: Promise<Buffer>; record: CentralRecord }
  | { kind: 'bytes'; data: Buffer }
  | { kind: 'chunk'; data: Promise<Buffer> }
  | { kind: 'end'; record: CentralRecord };

/** A bounded FIFO between the reading side and the writing side. */
class PieceQueue {
  private readonly items: Piece[] = [];
  private waitingReader: (() => void) | null = null;
  private waitingWriter: (() => void) | null = null;
  private closed = false;
  private cancelled = false;
  private chunks = 0;

  constructor(private readonly maxChunks: number) {}

  async push(p: Piece): Promise<void> {
    const counted = p.kind === 'chunk' || p.kind === 'single';
    while (counted && this.chunks >= this.maxChunks && !this.cancelled) {
      await new Promise<void>((resolve) => {
        this.waitingWriter = resolve;
      });
    }
    if (this.cancelled) throw new Error('the zip stream was closed');
    if (counted) this.chunks++;
    this.items.push(p);
    this.wake('reader');
  }

  close(): void {
    this.closed = true;
    this.wake('reader');
  }

  /** The reading side is gone: the writing side stops at its next push (closing its source). */
  cancel(): void {
    this.cancelled = true;
    this.wake('writer');
  }

  async shift(): Promise<Piece | null> {
    while (this.items.length === 0) {
      if (this.closed) return null;
      await new Promise<void>((resolve) => {
        this.waitingReader = resolve;
      });
    }
    const p = this.items.shift()!;
    if (p.kind === 'chunk' || p.kind === 'single') {
      this.chunks--;
      this.wake('writer');
    }
    return p;
  }

  private wake(side: 'reader' | 'writer'): void {
    const fn = side === 'reader' ? this.waitingReader : this.waitingWriter;
    if (side === 'reader') this.waitingReader = null;
    else this.waitingWriter = null;
    fn?.();
  }
}

/** The pieces as one buffer; a single piece is not copied. */
const joined = (pieces: Buffer[], bytes?: number) =>
  pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, bytes);

/** Re-cuts a stream into chunks of exactly `size` bytes (the last one shorter). */
async function* rechunk(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const piece of stream) {
    let buf = piece as Buffer;
    while (held + buf.length >= size) {
      const take = size - held;
      parts.push(buf.subarray(0, take));
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      parts = [];
      held = 0;
      buf = buf.subarray(take);
    }
    if (buf.length > 0) {
      parts.push(buf);
      held += buf.length;
    }
  }
  if (held > 0) yield Buffer.concat(parts, held);
}

export class ZipSizeMismatchError extends Error {
  constructor(readonly path: string) {
    super(`The source of "${path}" changed size while it was packed.`);
    this.name = 'ZipSizeMismatchError';
  }
}

type ProduceOptions = Required<Omit<ZipStreamOptions, 'signal'>> & { signal?: AbortSignal };

function newRecord(entry: ZipStreamEntry, zip64Above: number): CentralRecord {
  const isDir = entry.path.endsWith('/');
  return {
    name: Buffer.from(entry.path, 'utf8'),
    method: isDir || entry.level === 0 ? 0 : 8,
    mtime: entry.mtime,
    crc: 0,
    compressedSize: 0,
    size: 0,
    offset: 0,
    isDir,
    zip64Local: !isDir && entry.size >= zip64Above,
    descriptor: !isDir,
  };
}

/** Reads the entries (in order) and queues their headers, deflate jobs and ends. */
async function produce(
  entries: Iterable<ZipStreamEntry>,
  queue: PieceQueue,
  opts: ProduceOptions,
): Promise<void> {
  for (const entry of entries) {
    opts.signal?.throwIfAborted();
    const record = newRecord(entry, opts.zip64Above);
    if (record.isDir) {
      record.descriptor = false;
      await queue.push({ kind: 'header', data: localHeader(record) });
    } else if (entry.size <= opts.chunkBytes && !record.zip64Local) {
      await produceSmall(entry, record, queue);
      continue;
    } else {
      await queue.push({ kind: 'header', data: localHeader(record) });
      await produceChunks(entry, record, queue, opts);
    }
    await queue.push({ kind: 'end', record });
  }
}

/**
 * An entry of one chunk: read whole, deflated in one go, stored instead when deflate does not shrink it,
 * and written with its CRC and sizes in the local header (no data descriptor).
 */
async function produceSmall(entry: ZipStreamEntry, record: CentralRecord, queue: PieceQueue): Promise<void> {
  const parts: Buffer[] = [];
  for await (const piece of await entry.open!()) parts.push(piece as Buffer);
  const data = joined(parts);
  if (data.length !== entry.size) throw new ZipSizeMismatchError(entry.path);
  record.crc = crc32(data);
  record.size = data.length;
  record.descriptor = false;
  const body = (async () => {
    if (record.method === 8 && data.length > 0) {
      const packed = await deflateRawAsync(data, { level: entry.level });
      if (packed.length < data.length) return packed;
    }
    record.method = 0;
    return data;
  })();
  body.catch(() => {}); // awaited by the writing side
  await queue.push({ kind: 'single', data: body, record });
}

async function produceChunks(
  entry: ZipStreamEntry,
  record: CentralRecord,
  queue: PieceQueue,
  opts: ProduceOptions,
): Promise<void> {
  let crc = 0;
  let size = 0;
  let previous: Buffer | null = null;
  for await (const chunk of rechunk(await entry.open!(), opts.chunkBytes)) {
    opts.signal?.throwIfAborted();
    crc = crc32(chunk, crc);
    size += chunk.length;
    if (size > entry.size) throw new ZipSizeMismatchError(entry.path);
    const dictionary = previous ? previous.subarray(Math.max(0, previous.length - WINDOW)) : undefined;
    // The chunk that completes the announced size ends the stream; the others end on a byte boundary.
    const finishFlush = size === entry.size ? zc.Z_FINISH : zc.Z_SYNC_FLUSH;
    const data =
      record.method === 0
        ? Promise.resolve(chunk)
        : deflateRawAsync(chunk, { level: entry.level, dictionary, finishFlush });
    data.catch(() => {}); // awaited by the writing side
    previous = chunk;
    await queue.push({ kind: 'chunk', data });
  }
  if (size !== entry.size) throw new ZipSizeMismatchError(entry.path);
  record.crc = crc;
  record.size = size;
}

/**
 * The archive as a stream. Errors of any source (or an abort) error the stream; nothing is retried.
 */
export function createZipStream(entries: Iterable<ZipStreamEntry>, options: ZipStreamOptions = {}): Readable {
  const opts = {
    maxChunksInFlight: options.maxChunksInFlight ?? 8,
    chunkBytes: options.chunkBytes ?? 1024 * 1024,
    zip64Above: options.zip64Above ?? ZIP64_THRESHOLD,
    signal: options.signal,
  };
  const queue = new PieceQueue(opts.maxChunksInFlight);
  let produceError: unknown = null;
  const producing = produce(entries, queue, opts).then(
    () => queue.close(),
    (err: unknown) => {
      produceError = err;
      queue.close();
    },
  );

  async function* emit(): AsyncGenerator<Buffer> {
    const records: CentralRecord[] = [];
    let offset = 0;
    let entryStart = 0;
    let compressed = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    try {
      for (;;) {
        const piece = await queue.shift();
        if (piece === null) break;
        let out: Buffer;
        if (piece.kind === 'header') {
          entryStart = offset;
          compressed = 0;
          out = piece.data;
        } else if (piece.kind === 'single') {
          const body = await piece.data;
          const r = piece.record;
          r.offset = offset;
          r.compressedSize = body.length;
          records.push(r);
          const header = localHeader(r);
          offset += header.length;
          pending.push(header);
          pendingBytes += header.length;
          out = body;
        } else if (piece.kind === 'end') {
          const r = piece.record;
          r.offset = entryStart;
          r.compressedSize = compressed;
          records.push(r);
          out = r.descriptor ? dataDescriptor(r) : Buffer.alloc(0);
        } else {
          out = piece.kind === 'bytes' ? piece.data : await piece.data;
          compressed += out.length;
        }
        offset += out.length;
        // Small pieces (headers, small entries) go out together: one stream write per ~256 KiB. A piece
        // that large by itself goes out as it is (after those before it), never copied.
        if (out.length >= COALESCE_BYTES) {
          if (pendingBytes > 0) yield joined(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          yield out;
          continue;
        }
        if (out.length > 0) pending.push(out);
        pendingBytes += out.length;
        if (pendingBytes >= COALESCE_BYTES) {
          yield joined(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
        }
      }
      await producing;
      if (produceError !== null) throw produceError;
      const central = Buffer.concat(records.map(centralHeader));
      pending.push(central, endRecords(records.length, offset, central.length));
      yield Buffer.concat(pending);
    } finally {
      queue.cancel();
    }
  }

  return Readable.from(emit(), { objectMode: false, highWaterMark: 1024 * 1024 });
}
