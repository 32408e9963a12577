/**
 * Streams a zip archive with yazl: entries are pulled one at a time from `open()` callbacks, so memory
 * stays flat whatever the sizes (yazl keeps only the central directory records). Names are written in
 * UTF-8 with the language-encoding flag (yazl always sets bit 11); Zip64 records appear by themselves when
 * an entry or the archive passes 4 GiB or 65,535 entries, because every entry's size is announced.
 */
import { PassThrough, type Readable } from 'node:stream';
import yazl from 'yazl';

export interface ZipFileEntry {
  /** Path inside the archive: `/`-separated, relative, already checked. */
  path: string;
  size: number;
  mtime: Date;
  /** 0 = store, 1–9 = deflate level. */
  level: number;
  /** Opens the entry's bytes when the writer reaches it. */
  open(): Promise<Readable>;
}

export interface ZipWriter {
  /** The archive bytes; errors of any entry arrive here. */
  output: Readable;
  addFile(entry: ZipFileEntry): void;
  addDirectory(path: string, mtime: Date): void;
  /** No more entries. */
  end(): void;
  /** Stops writing: the output errors with `reason`. */
  abort(reason: Error): void;
}

export function createZipWriter(): ZipWriter {
  const zip = new yazl.ZipFile();
  const output = new PassThrough({ highWaterMark: 1024 * 1024 });
  // The consumer may give up first (a failed write); later errors must not be unhandled events.
  output.on('error', () => {});
  let failed = false;
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    output.destroy(err);
  };
  zip.on('error', fail);
  (zip.outputStream as unknown as Readable).on('error', fail).pipe(output);

  return {
    output,
    addFile(entry) {
      zip.addReadStreamLazy(
        entry.path,
        { size: entry.size, mtime: entry.mtime, mode: 0o100644, compressionLevel: entry.level },
        (cb) => {
          if (failed) return;
          entry.open().then(
            (stream) => {
              stream.on('error', fail);
              cb(null, stream);
            },
            (err: Error) => fail(err),
          );
        },
      );
    },
    addDirectory(path, mtime) {
      zip.addEmptyDirectory(path, { mtime, mode: 0o40755 });
    },
    end() {
      zip.end();
    },
    abort: fail,
  };
}
