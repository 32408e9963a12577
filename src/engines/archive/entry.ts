/** What the archive engines report of one entry, whatever the format. */
import type { Readable } from 'node:stream';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'special';

export interface ArchiveEntry {
  /** Position in the archive's own order. */
  index: number;
  /** The name as stored (decoded to text), not yet checked. */
  name: string;
  kind: EntryKind;
  /** Uncompressed size as declared by the archive (verified while extracting). */
  size: number;
  compressedSize: number;
  mtime: Date | null;
  encrypted: boolean;
  /** CRC-32 of the content when the format stores one. */
  crc32?: number;
}

export type ArchiveFormat = 'zip' | '7z' | 'rar';

/**
 * A large entry of an archive that is itself a local file: a thread extracts it straight into a local
 * file, so its bytes never pass through the event loop; `open()` gives them as a stream instead.
 */
export class EntryFile {
  constructor(
    /**
     * Extracts into the existing empty file at `path`: the bytes written and their CRC-32. Output past the
     * entry's declared size is not written: at most one byte more is, for the caller to refuse. `onBytes`
     * hears of the bytes as they are written (for progress; they are not checked yet).
     */
    readonly extractTo: (
      path: string,
      signal?: AbortSignal,
      onBytes?: (n: number) => void,
    ) => Promise<{ size: number; crc: number }>,
    readonly open: () => Promise<Readable>,
  ) {}
}

/** An extracted entry's bytes, in one of the shapes the engines give them. */
export type EntryData = Readable | Buffer | EntryFile;

/**
 * Receives each extracted entry: a stream, which must be consumed (or destroyed) before the promise
 * settles, (small entries some engines read whole) the bytes themselves, which may be reused once the
 * promise settles (`crc`: their CRC-32, when the engine computed it), or an `EntryFile`. In every case not
 * yet checked against the declared size and CRC (`entry-verifier.ts`).
 */
export type EntrySink = (entry: ArchiveEntry, data: EntryData, crc?: number) => Promise<void>;

export interface ExtractOptions {
  /** Entries to extract (by `index`), in archive order. */
  entries: ArchiveEntry[];
  sink: EntrySink;
  password?: string;
  signal: AbortSignal;
}

/** One opened archive. */
export interface ArchiveReader {
  readonly format: ArchiveFormat;
  /** All entries, in archive order. */
  list(): Promise<ArchiveEntry[]>;
  extract(opts: ExtractOptions): Promise<void>;
  close(): Promise<void>;
}
