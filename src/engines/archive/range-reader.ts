/**
 * yauzl's random access over any ranged source (an object store's ranged GET). The central directory and
 * local headers are many tiny reads: they are served from a small cache of aligned blocks, so a zip of
 * 80,000 entries costs a few dozen range requests for its metadata, not 160,000. Large entry data is
 * streamed straight from the source.
 */
import { PassThrough, type Readable } from 'node:stream';
import yauzl from 'yauzl';

export interface RangeSource {
  size: number;
  /** Bytes `start`..`end` inclusive. */
  read(start: number, end: number): Promise<Readable>;
  /** The local file holding these bytes, when there is one (an object of a bucket kept in local files). */
  localPath?: string | null;
}

/** Blocks of 1 MiB: whole small entries are read from them, one ranged read per MiB of the archive. */
const BLOCK = 1024 * 1024;
/** Blocks kept: the entries being extracted at once (8 by default, most far below 1 MiB) span a few of them. */
const MAX_BLOCKS = 8;
/** Entry data up to this size is served from cached blocks (neighbouring small entries share them). */
const SMALL_RANGE = 64 * 1024;

export class RangeReader extends yauzl.RandomAccessReader {
  private readonly blocks = new Map<number, Promise<Buffer>>();

  constructor(private readonly source: RangeSource) {
    super();
  }

  get size(): number {
    return this.source.size;
  }

  get localPath(): string | null {
    return this.source.localPath ?? null;
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    if (end - start <= SMALL_RANGE) {
      this.bytes(start, end).then(
        (buf) => out.end(buf),
        (err: Error) => out.destroy(err),
      );
      return out;
    }
    let upstream: Readable | null = null;
    out._destroy = (err, cb) => {
      upstream?.destroy();
      cb(err);
    };
    this.source.read(start, end - 1).then(
      (stream) => {
        upstream = stream;
        if (out.destroyed) {
          stream.destroy();
          return;
        }
        stream.on('error', (err) => out.destroy(err));
        stream.pipe(out);
      },
      (err: Error) => out.destroy(err),
    );
    return out;
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ): void {
    this.bytes(position, position + length).then(
      (data) => {
        data.copy(buffer, offset);
        callback(null);
      },
      (err: Error) => callback(err),
    );
  }

  /** Bytes [start, end) straight from the source, not cached (a large entry's data). */
  stream(start: number, end: number): Promise<Readable> {
    if (end > this.source.size || start < 0 || end <= start)
      throw new Error('read past the end of the archive');
    return this.source.read(start, end - 1);
  }

  /** Bytes [start, end) from cached blocks (a view of a block when they lie in one). */
  async bytes(start: number, end: number): Promise<Buffer> {
    if (end > this.source.size || start < 0) throw new Error('read past the end of the archive');
    const parts: Buffer[] = [];
    for (let b = Math.floor(start / BLOCK); b * BLOCK < end; b++) {
      const block = await this.block(b);
      const from = Math.max(start - b * BLOCK, 0);
      const to = Math.min(end - b * BLOCK, block.length);
      parts.push(block.subarray(from, to));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private block(index: number): Promise<Buffer> {
    const cached = this.blocks.get(index);
    if (cached) {
      // refresh its place in the LRU order
      this.blocks.delete(index);
      this.blocks.set(index, cached);
      return cached;
    }
    const start = index * BLOCK;
    const end = Math.min(start + BLOCK, this.source.size) - 1;
    const loading = this.source.read(start, end).then(async (stream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      // A block is usually one chunk of the source's 1 MiB reads: kept as is, not copied into a new MiB.
      return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    });
    loading.catch(() => this.blocks.delete(index));
    this.blocks.set(index, loading);
    while (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    return loading;
  }
}
