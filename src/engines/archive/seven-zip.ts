/**
 * 7z archives (and zip archives yauzl cannot decode: encrypted, Deflate64, bzip2, LZMA…) through `7zz`.
 * Listing parses `l -slt` as it streams. Extraction runs one `x -so` for all wanted entries and cuts its
 * stdout by the listed sizes into one stream per entry: a single pass over the archive (solid blocks are
 * decoded once), no temporary files, and stdout back-pressure keeps memory flat. Each cut entry is then
 * checked against its listed size and CRC by the caller's verifier, so a misaligned cut cannot pass.
 */
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import type { ArchiveEntry, EntryKind, ExtractOptions } from './entry.ts';
import { ArchiveErrors } from './errors.ts';
import { runSevenZip } from './seven-zip-process.ts';

export interface SevenZipOptions {
  bin: string;
  archivePath: string;
  password?: string;
  /** For zip archives: the code page of names without the UTF-8 flag (e.g. 936 for GBK). */
  codePage?: number;
  signal: AbortSignal;
}

function baseArgs(opts: SevenZipOptions): string[] {
  const args = ['-sccUTF-8', '-scsUTF-8', '-bd'];
  if (opts.codePage) args.push(`-mcp=${opts.codePage}`);
  return args;
}

function kindOf(attributes: string, folder: string): EntryKind {
  // `Attributes = D drwxr-xr-x`, `A lrwxrwxrwx`: the unix type letter follows the DOS letters.
  const unix = /(?:^|\s)([-dlcbps])[-r][-w][-xsS]/.exec(attributes)?.[1];
  if (folder === '+' || attributes.startsWith('D') || unix === 'd') return 'dir';
  if (unix === 'l') return 'symlink';
  if (unix && unix !== '-') return 'special';
  return 'file';
}

function parseTime(value: string | undefined): Date | null {
  if (!value) return null;
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?$/.exec(value.trim());
  if (!m) return null;
  const ms = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms));
}

/** One `l -slt` block (key → value) as an entry. */
export function sevenZipEntry(fields: Map<string, string>, index: number): ArchiveEntry {
  const crc = fields.get('CRC');
  const hardLink = fields.get('Hard Link');
  const symLink = fields.get('Symbolic Link');
  let kind = kindOf(fields.get('Attributes') ?? '', fields.get('Folder') ?? '');
  if (hardLink) kind = 'hardlink';
  else if (symLink) kind = 'symlink';
  return {
    index,
    name: fields.get('Path') ?? '',
    kind,
    size: Number(fields.get('Size') || 0),
    compressedSize: Number(fields.get('Packed Size') || 0),
    mtime: parseTime(fields.get('Modified')),
    encrypted: fields.get('Encrypted') === '+',
    crc32: crc ? Number.parseInt(crc, 16) : undefined,
  };
}

/** Lists the archive's entries; stops (and kills 7-Zip) past `maxEntries`. */
export async function listSevenZip(opts: SevenZipOptions, maxEntries: number): Promise<ArchiveEntry[]> {
  const run = runSevenZip(opts.bin, ['l', '-slt', '-ba', ...baseArgs(opts), '--', opts.archivePath], opts);
  const entries: ArchiveEntry[] = [];
  let fields = new Map<string, string>();
  const flush = () => {
    if (fields.has('Path')) entries.push(sevenZipEntry(fields, entries.length));
    fields = new Map();
    if (entries.length > maxEntries) {
      run.kill();
      throw ArchiveErrors.limit(`The archive holds more than ${maxEntries} entries.`);
    }
  };
  try {
    for await (const line of createInterface({
      input: run.child.stdout,
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      if (line === '') {
        flush();
        continue;
      }
      const eq = line.indexOf(' = ');
      if (eq > 0) {
        const key = line.slice(0, eq);
        // `Path` starts a new entry even if the blank separator line is missing
        if (key === 'Path' && fields.has('Path')) flush();
        fields.set(key, line.slice(eq + 3));
      } else if (line.endsWith(' =')) fields.set(line.slice(0, -2), '');
    }
    flush();
  } catch (err) {
    run.kill();
    await run.done.catch(() => {});
    throw err;
  }
  await run.done;
  return entries;
}

/**
 * Extracts `opts.entries` (files only; the caller has refused links) through one `x -so`. `all` says the
 * selection is the whole archive, which avoids passing a name list.
 */
export async function extractSevenZip(
  sz: SevenZipOptions,
  opts: ExtractOptions & { all: boolean; tmpDir: string; maxInFlight: number },
): Promise<void> {
  const files = opts.entries.filter((e) => e.kind === 'file');
  const args = ['x', '-so', '-spd', ...baseArgs(sz), '--', sz.archivePath];
  if (!opts.all) {
    const list = path.join(opts.tmpDir, `7z-list-${process.hrtime.bigint()}.txt`);
    await writeFile(list, files.map((e) => e.name).join('\n'));
    args.splice(args.indexOf('--'), 0, `-i@${list}`);
  }
  const run = runSevenZip(sz.bin, args, { password: sz.password, signal: opts.signal });
  const cutter = new StreamCutter(run.child.stdout);
  const inFlight = new Set<Promise<void>>();
  let sinkFailure: unknown = null;
  let cutFailure: unknown = null;
  const track = (p: Promise<void>) => {
    const t = p.catch((err: unknown) => {
      sinkFailure ??= err;
      // A sink that failed on its own (limit, storage) stops 7-Zip; one failed by a short stream does not.
      if (!cutter.exhausted) run.kill();
    });
    inFlight.add(t);
    t.finally(() => inFlight.delete(t));
  };
  try {
    for (const entry of files) {
      while (inFlight.size >= opts.maxInFlight && sinkFailure === null) await Promise.race(inFlight);
      if (sinkFailure !== null) break;
      if (entry.size === 0) {
        track(opts.sink(entry, Readable.from([])));
        continue;
      }
      const out = new PassThrough();
      track(opts.sink(entry, out));
      await cutter.cut(out, entry.size, entry.name);
    }
    if (sinkFailure === null && (await cutter.hasMore())) {
      throw ArchiveErrors.corrupt('7-Zip produced more data than the archive lists.');
    }
  } catch (err) {
    cutFailure = err;
  }
  await Promise.all(inFlight);
  if (sinkFailure !== null && !cutter.exhausted) {
    run.kill();
    await run.done.catch(() => {});
    throw sinkFailure;
  }
  if (cutFailure !== null) run.child.stdout.destroy();
  // 7-Zip's own verdict (wrong password, CRC failure) explains a short stream better than the cut does.
  await run.done;
  if (cutFailure !== null) throw cutFailure;
  if (sinkFailure !== null) throw sinkFailure;
}

/** Hands out exactly `n` bytes of a stream at a time, respecting the consumer's back-pressure. */
class StreamCutter {
  private readonly it: AsyncIterator<Buffer>;
  private rest: Buffer | null = null;
  /** Set when the stream ended before the listed data did. */
  exhausted = false;

  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async next(): Promise<Buffer | null> {
    if (this.rest) {
      const b = this.rest;
      this.rest = null;
      return b;
    }
    const r = await this.it.next();
    return r.done ? null : r.value;
  }

  async cut(out: PassThrough, n: number, name: string): Promise<void> {
    let remaining = n;
    while (remaining > 0) {
      const chunk = await this.next();
      if (chunk === null) {
        this.exhausted = true;
        out.destroy(ArchiveErrors.corrupt('the data ends before the entry does.', name));
        throw ArchiveErrors.corrupt('the data ends before the entry does.', name);
      }
      const take = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
      if (chunk.length > remaining) this.rest = chunk.subarray(remaining);
      remaining -= take.length;
      if (!out.write(take) && !out.destroyed) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      if (out.destroyed) throw ArchiveErrors.corrupt('the entry could not be written.', name);
    }
    out.end();
  }

  async hasMore(): Promise<boolean> {
    const chunk = await this.next();
    return chunk !== null && chunk.length > 0;
  }
}
