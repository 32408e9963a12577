/**
 * Zip archives through yauzl's central directory (names decoded per `zip-names.ts`); the entries' data
 * comes from ranged reads of the source (`zip-whole-entry.ts`, `zip-entry-stream.ts`), inflated by zlib on
 * libuv's thread pool; when the archive is a local file, large entries are extracted file to file by an
 * inflate thread (`inflate-file.ts`). Several entries are extracted at once, which is how this beats
 * single-threaded `unzip`. Entries that yauzl cannot decode (encrypted, or a method other than
 * store/deflate) are reported so the caller can hand the archive to 7-Zip.
 */
import yauzl from 'yauzl';
import {
  type ArchiveEntry,
  type EntryData,
  EntryFile,
  type EntryKind,
  type ExtractOptions,
} from './entry.ts';
import { ArchiveErrors } from './errors.ts';
import { inflateThreads } from './inflate-threads.ts';
import { RangeReader, type RangeSource } from './range-reader.ts';
import { RawInflate } from './raw-inflate.ts';
import { ThreadExitError } from './request-thread.ts';
import { openEntryStream } from './zip-entry-stream.ts';
import { decodeName, detectNameEncoding, type NameEncoding, type RawName } from './zip-names.ts';
import { entryDataStart, readsWhole, readWholeEntry } from './zip-whole-entry.ts';

export interface ZipArchive {
  entries: ArchiveEntry[];
  /** How names without the UTF-8 flag were decoded (7-Zip is told the same code page). */
  encoding: NameEncoding;
  /** True when some entry needs 7-Zip (encryption, an unusual compression method). */
  needsSevenZip(entries: ArchiveEntry[]): boolean;
  extract(opts: ExtractOptions & { concurrency: number }): Promise<void>;
  close(): void;
}

const S_IFMT = 0o170000;
const UNIX_KIND = new Map<number, EntryKind>([
  [0o040000, 'dir'],
  [0o100000, 'file'],
  [0o120000, 'symlink'],
  [0o010000, 'special'], // fifo
  [0o020000, 'special'], // character device
  [0o060000, 'special'], // block device
  [0o140000, 'special'], // socket
]);

function kindOf(entry: yauzl.Entry, name: string): EntryKind {
  const madeByUnix = entry.versionMadeBy >> 8 === 3;
  const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
  if (madeByUnix && mode !== 0) {
    const kind = UNIX_KIND.get(mode & S_IFMT);
    if (kind && kind !== 'file') return kind;
  }
  // MS-DOS directory attribute, or the universal trailing slash
  if (name.endsWith('/') || name.endsWith('\\') || (entry.externalFileAttributes & 0x10) !== 0) return 'dir';
  return 'file';
}

function zipFailure(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  return ArchiveErrors.corrupt(message.replace(/\s+/g, ' ').slice(0, 200), undefined, err);
}

/** Opens a zip; `maxEntries` is checked against the end record before the directory is read. */
export async function openZip(source: RangeSource, maxEntries: number): Promise<ZipArchive> {
  const reader = new RangeReader(source);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(reader, source.size, {
      lazyEntries: true,
      decodeStrings: false,
      validateEntrySizes: true,
      autoClose: false,
    });
  } catch (err) {
    throw zipFailure(err);
  }
  if (zip.entryCount > maxEntries) {
    zip.close();
    throw ArchiveErrors.limit(
      `The archive holds ${zip.entryCount} entries; at most ${maxEntries} are allowed.`,
    );
  }
  const raw: yauzl.Entry[] = [];
  try {
    for await (const entry of zip.eachEntry()) raw.push(entry);
  } catch (err) {
    zip.close();
    throw zipFailure(err);
  }
  checkOverlaps(raw);
  const names: RawName[] = raw.map((e) => ({
    bytes: e.fileName as unknown as Buffer,
    flags: e.generalPurposeBitFlag,
    extraFields: e.extraFields,
  }));
  const encoding = detectNameEncoding(names);
  const entries = raw.map((e, index): ArchiveEntry => {
    const name = decodeName(names[index]!, encoding);
    return {
      index,
      name,
      kind: kindOf(e, name),
      size: e.uncompressedSize,
      compressedSize: e.compressedSize,
      mtime: e.getLastModDate({ timezone: 'UTC' }),
      encrypted: e.isEncrypted(),
      crc32: e.crc32,
    };
  });
  return {
    entries,
    encoding,
    needsSevenZip: (selected) =>
      selected.some((e) => e.kind === 'file' && !raw[e.index]!.canDecodeFileData()),
    extract: (opts) => extractZip(reader, raw, opts),
    close: () => zip.close(),
  };
}

/**
 * Entries whose data ranges overlap are the signature of a "flat" zip bomb (many headers pointing at one
 * compressed kernel) or of a damaged directory; no honest writer produces them.
 */
function checkOverlaps(raw: yauzl.Entry[]): void {
  const byOffset = raw
    .map((e) => ({
      start: e.relativeOffsetOfLocalHeader,
      end: e.relativeOffsetOfLocalHeader + 30 + e.compressedSize,
    }))
    .sort((a, b) => a.start - b.start);
  for (let i = 1; i < byOffset.length; i++) {
    if (byOffset[i]!.start < byOffset[i - 1]!.end) {
      throw ArchiveErrors.corrupt('entries overlap each other (a zip bomb or a damaged central directory).');
    }
  }
}

async function extractZip(
  reader: RangeReader,
  raw: yauzl.Entry[],
  opts: ExtractOptions & { concurrency: number },
): Promise<void> {
  const files = opts.entries.filter((e) => e.kind === 'file');
  // Streamed (large) entries first: the longest jobs start at once and run beside the small ones, rather
  // than last with nothing left to overlap them (and their fsyncs) with.
  const streamed = (e: ArchiveEntry) => !readsWhole(raw[e.index]!);
  const queue = [...files.filter(streamed), ...files.filter((e) => !streamed(e))];
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && next < queue.length) {
      opts.signal.throwIfAborted();
      const entry = queue[next++]!;
      const opened = await openEntry(reader, raw[entry.index]!, entry);
      try {
        await opts.sink(entry, opened.data, opened.crc);
      } finally {
        opened.release?.();
      }
    }
  };
  const workers = Array.from({ length: Math.min(opts.concurrency, queue.length) }, () =>
    worker().catch((err: unknown) => {
      failure ??= err;
    }),
  );
  await Promise.all(workers);
  if (failure !== null) throw failure;
}

/** A small entry's whole bytes, or a stream of a large one; failures are reported as a damaged entry. */
async function openEntry(
  reader: RangeReader,
  rawEntry: yauzl.Entry,
  entry: ArchiveEntry,
): Promise<{ data: EntryData; crc?: number; release?: () => void }> {
  try {
    if (readsWhole(rawEntry)) return await readWholeEntry(reader, rawEntry);
    if (reader.localPath && extractsToFile(rawEntry)) {
      return { data: await entryFile(reader, reader.localPath, rawEntry, entry) };
    }
    return { data: await openEntryStream(reader, rawEntry, entry) };
  } catch (err) {
    if (err instanceof ThreadExitError) throw err;
    throw ArchiveErrors.corrupt(String((err as Error).message ?? err).slice(0, 200), entry.name, err);
  }
}

/** Stored, or deflated where zlib can inflate into given buffers, and unencrypted: extracted file to file. */
function extractsToFile(rawEntry: yauzl.Entry): boolean {
  const method = rawEntry.compressionMethod;
  return (method === 0 || (method === 8 && RawInflate.available())) && !rawEntry.isEncrypted();
}

/** A large entry of a local archive file, extracted file to file by an inflate thread. */
async function entryFile(
  reader: RangeReader,
  archiveFile: string,
  rawEntry: yauzl.Entry,
  entry: ArchiveEntry,
): Promise<EntryFile> {
  const start = await entryDataStart(reader, rawEntry);
  const extractTo = async (dest: string, signal?: AbortSignal, onBytes?: (n: number) => void) => {
    try {
      return await inflateThreads().extractFile(
        {
          source: archiveFile,
          start,
          length: rawEntry.compressedSize,
          deflated: rawEntry.compressionMethod === 8,
          dest,
          maxOutput: entry.size + 1,
        },
        signal,
        onBytes,
      );
    } catch (err) {
      // a thread that died is this process's failure, not the entry's
      if (signal?.aborted || err instanceof ThreadExitError) throw err;
      throw ArchiveErrors.corrupt(String((err as Error).message ?? err).slice(0, 200), entry.name, err);
    }
  };
  return new EntryFile(extractTo, () => openEntryStream(reader, rawEntry, entry));
}
