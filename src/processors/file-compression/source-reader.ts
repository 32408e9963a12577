/**
 * Feeds source objects to the zip writer in archive order. The writer takes one entry at a time, so with
 * many small objects the cost is the latency of each open and read, not bandwidth: small objects are
 * therefore read ahead, several at once, into a bounded memory budget; large ones are streamed when their
 * turn comes (opened one entry early).
 */
import { Readable } from 'node:stream';
import type { ScopedStorage } from '../../storage/scoped-storage.ts';

export interface SourceReaderOptions {
  storage: ScopedStorage;
  signal: AbortSignal;
  /** Objects up to this size are read ahead whole. */
  smallBytes?: number;
  /** Bytes held by read-ahead at most. */
  budgetBytes?: number;
  /** Reads in flight at most. */
  concurrency?: number;
}

export interface SourceRef {
  uri: string;
  size: number;
}

export interface SourceReader {
  /** The bytes of entry `index` (entries are asked for in increasing order). */
  open(index: number): Promise<Readable>;
  close(): void;
}

type Slot = Promise<Buffer | Readable>;

export function createSourceReader(sources: SourceRef[], opts: SourceReaderOptions): SourceReader {
  const smallBytes = opts.smallBytes ?? 256 * 1024;
  const budget = opts.budgetBytes ?? 16 * 1024 * 1024;
  const concurrency = opts.concurrency ?? 8;
  const slots = new Map<number, Slot>();
  let next = 0;
  let held = 0;
  let inFlight = 0;
  let closed = false;

  const readWhole = async (uri: string): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of await opts.storage.read(uri, { signal: opts.signal }))
      chunks.push(chunk as Buffer);
    // a small object usually arrives as one chunk: kept as is, not copied
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  };

  const openStream = async (uri: string): Promise<Readable> => {
    const stream = await opts.storage.read(uri, { signal: opts.signal });
    // An abort may error a stream opened early, before anyone listens: never an unhandled event.
    stream.on('error', () => {});
    return stream;
  };

  /** Starts reads ahead of `current` while budget and concurrency allow. */
  const fill = (current: number) => {
    if (next < current) next = current;
    while (!closed && next < sources.length && inFlight < concurrency) {
      const src = sources[next]!;
      if (src.uri === '') {
        next++;
        continue;
      }
      const small = src.size <= smallBytes;
      if (small && next !== current && held + src.size > budget) break;
      // A large object is opened only as the next one due, so at most one stream waits open.
      if (!small && next > current + 1) break;
      const index = next++;
      inFlight++;
      if (small) held += src.size;
      const slot: Slot = (small ? readWhole(src.uri) : openStream(src.uri)).finally(() => {
        inFlight--;
        fill(current);
      });
      slot.catch(() => {}); // observed by open()
      slots.set(index, slot);
    }
  };

  return {
    async open(index) {
      fill(index);
      if (!slots.has(index)) {
        const src = sources[index]!;
        slots.set(index, src.size <= smallBytes ? readWhole(src.uri) : openStream(src.uri));
      }
      const slot = slots.get(index)!;
      slots.delete(index);
      const body = await slot;
      if (Buffer.isBuffer(body)) {
        held -= sources[index]!.size;
        fill(index + 1);
        return Readable.from(body.length === 0 ? [] : [body], { objectMode: false });
      }
      fill(index + 1);
      return body;
    },
    close() {
      closed = true;
      for (const slot of slots.values())
        slot.then(
          (b) => !Buffer.isBuffer(b) && b.destroy(),
          () => {},
        );
      slots.clear();
    },
  };
}
