/**
 * One entry point for reading an archive object: the format is recognised from its first bytes, zip is
 * read in place through ranged reads, 7z and RAR (and zips yauzl cannot decode) are first copied to the
 * task's scratch folder for their engines. The caller gets the entry list and an `extract` that streams
 * the chosen files to its sink.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArchiveConfig } from './config.ts';
import { formatFromName, SNIFF_BYTES, sniffFormat } from './detect-format.ts';
import type { ArchiveEntry, ArchiveFormat, EntrySink } from './entry.ts';
import { ArchiveErrors } from './errors.ts';
import { extractRar, listRar } from './rar.ts';
import { extractSevenZip, listSevenZip, type SevenZipOptions } from './seven-zip.ts';
import { openZip, type ZipArchive } from './zip-reader.ts';

export interface ArchiveSource {
  /** Object key or file name (the extension is a fallback when the bytes are not recognised). */
  name: string;
  size: number;
  /** Bytes `start`..`end` inclusive. */
  read(start: number, end: number): Promise<Readable>;
  /** The local file that holds the object, when it has one: read in place rather than copied. */
  localPath?: string | null;
}

export interface OpenArchiveOptions {
  config: ArchiveConfig;
  password?: string;
  maxEntries: number;
  tmpDir: string;
  signal: AbortSignal;
}

export interface ExtractRequest {
  /** Entries to write, from `entries`, in archive order. */
  entries: ArchiveEntry[];
  /** True when `entries` is every file of the archive. */
  all: boolean;
  sink: EntrySink;
  /** Expanded bytes the engine may produce at most (engines that write scratch files stop there). */
  maxTotalBytes: number;
}

export interface OpenedArchive {
  format: ArchiveFormat;
  entries: ArchiveEntry[];
  extract(req: ExtractRequest): Promise<void>;
  close(): void;
}

const CODE_PAGES = { gbk: 936, cp437: 437 } as const;

export async function openArchive(src: ArchiveSource, opts: OpenArchiveOptions): Promise<OpenedArchive> {
  const format = await detect(src);
  const maxBytes = format === '7z' ? opts.config.maxSevenZipBytes : opts.config.maxZipRarBytes;
  if (src.size > maxBytes) {
    throw ArchiveErrors.limit(`The ${format} archive is ${src.size} bytes; at most ${maxBytes} are allowed.`);
  }
  if (format === 'zip') return openZipArchive(src, opts);
  const local = await localArchive(src, opts);
  if (format === '7z') return openWithSevenZip('7z', sevenZipOptions(local, opts), opts);
  const entries = await listRar(local, {
    password: opts.password,
    maxEntries: opts.maxEntries,
    signal: opts.signal,
  });
  return {
    format,
    entries,
    extract: (req) =>
      extractRar(local, {
        entries: req.entries,
        sink: req.sink,
        password: opts.password,
        signal: opts.signal,
        tmpDir: opts.tmpDir,
        maxEntries: opts.maxEntries,
        maxTotalBytes: req.maxTotalBytes,
      }),
    close: () => {},
  };
}

async function detect(src: ArchiveSource): Promise<ArchiveFormat> {
  let head = Buffer.alloc(0);
  if (src.size > 0) {
    const chunks: Buffer[] = [];
    for await (const chunk of await src.read(0, Math.min(src.size, SNIFF_BYTES) - 1))
      chunks.push(chunk as Buffer);
    head = Buffer.concat(chunks);
  }
  const format = sniffFormat(head) ?? formatFromName(src.name);
  if (!format) throw ArchiveErrors.unsupported('The object is not a zip, rar or 7z archive.');
  return format;
}

function sevenZipOptions(archivePath: string, opts: OpenArchiveOptions, codePage?: number): SevenZipOptions {
  return {
    bin: opts.config.sevenZipPath,
    archivePath,
    password: opts.password,
    codePage,
    signal: opts.signal,
  };
}

async function openWithSevenZip(
  format: ArchiveFormat,
  sz: SevenZipOptions,
  opts: OpenArchiveOptions,
): Promise<OpenedArchive> {
  const entries = await listSevenZip(sz, opts.maxEntries);
  return {
    format,
    entries,
    extract: (req) =>
      extractSevenZip(sz, {
        entries: req.entries,
        all: req.all,
        sink: req.sink,
        password: opts.password,
        signal: opts.signal,
        tmpDir: opts.tmpDir,
        maxInFlight: opts.config.extractConcurrency,
      }),
    close: () => {},
  };
}

async function openZipArchive(src: ArchiveSource, opts: OpenArchiveOptions): Promise<OpenedArchive> {
  const zip: ZipArchive = await openZip(
    { size: src.size, read: src.read, localPath: src.localPath },
    opts.maxEntries,
  );
  return {
    format: 'zip',
    entries: zip.entries,
    async extract(req) {
      if (!zip.needsSevenZip(req.entries)) {
        await zip.extract({
          entries: req.entries,
          sink: req.sink,
          signal: opts.signal,
          concurrency: opts.config.extractConcurrency,
        });
        return;
      }
      // Encrypted entries or methods beyond store/deflate: 7-Zip reads them, told the same code page.
      const local = await localArchive(src, opts);
      const codePage = zip.encoding === 'utf8' ? undefined : CODE_PAGES[zip.encoding];
      const sz = sevenZipOptions(local, opts, codePage);
      const listed = new Map((await listSevenZip(sz, opts.maxEntries)).map((e) => [e.name, e]));
      const wanted = req.entries
        .filter((e) => e.kind === 'file')
        .map((e) => {
          const match = listed.get(e.name);
          if (!match || match.size !== e.size)
            throw ArchiveErrors.corrupt('7-Zip lists the archive differently.', e.name);
          // Names and checks stay those of the zip's own directory; 7-Zip supplies the bytes, in its order.
          return { entry: { ...e, crc32: e.crc32 || match.crc32 }, order: match.index };
        })
        .sort((a, b) => a.order - b.order)
        .map((w) => w.entry);
      await extractSevenZip(sz, {
        entries: wanted,
        all: req.all,
        sink: req.sink,
        password: opts.password,
        signal: opts.signal,
        tmpDir: opts.tmpDir,
        maxInFlight: opts.config.extractConcurrency,
      });
    },
    close: () => zip.close(),
  };
}

/**
 * The archive as a local file (7-Zip and unRAR need a seekable one): the object's own file where it has
 * one, else a copy in the scratch folder.
 */
async function localArchive(src: ArchiveSource, opts: OpenArchiveOptions): Promise<string> {
  if (src.localPath) return src.localPath;
  const file = path.join(opts.tmpDir, `archive-${process.hrtime.bigint()}${path.extname(src.name)}`);
  let copied = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      copied += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(await src.read(0, Math.max(src.size - 1, 0)), counter, createWriteStream(file), {
    signal: opts.signal,
  });
  if (copied !== src.size) throw ArchiveErrors.corrupt('the archive object changed while it was read.');
  return file;
}
