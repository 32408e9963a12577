/**
 * Runs a FileUncompression task: open the archive, check every entry, then stream the chosen files to
 * `<target prefix><path>`, several at once. Each object is written atomically after its bytes passed the
 * size, CRC and expansion checks; objects already written stay when a later entry fails (spec 9.2).
 * Writes go through a `WriteBatch`, flushed before the run returns.
 */
import { pipeline, type Readable } from 'node:stream';
import type { ArchiveConfig } from '../../engines/archive/config.ts';
import { type ArchiveEntry, type EntryData, EntryFile } from '../../engines/archive/entry.ts';
import {
  createEntryVerifier,
  verifyEntryBytes,
  verifyEntryOutput,
} from '../../engines/archive/entry-verifier.ts';
import { ExpansionGuard } from '../../engines/archive/limits.ts';
import { ImmError } from '../../protocol/errors.ts';
import { FileBody } from '../../storage/backend.ts';
import { formatOssUri, MAX_KEY_BYTES } from '../../storage/oss-uri.ts';
import { WriteBatch } from '../../storage/write-batch.ts';
import { withTaskFailures } from '../file-compression/failures.ts';
import { TaskErrors } from '../task-error.ts';
import type { RunContext, TaskOutcome } from '../types.ts';
import { openSourceArchive } from './archive-source.ts';
import type { FileUncompressionParams } from './params.ts';
import { type PlannedFile, planSelection } from './selection.ts';
import { resolveTargetPrefix, type TargetPrefix } from './target.ts';

export interface WrittenFile {
  URI: string;
  Size: number;
}

export function fileUncompressionContent(
  p: FileUncompressionParams,
  targetUri: string,
): Record<string, unknown> {
  return { SourceURI: p.SourceURI, TargetURI: targetUri, SelectedFiles: p.SelectedFiles ?? null };
}

export function targetOf(
  p: FileUncompressionParams,
  createdAt: Date,
  tags: Record<string, string>,
): TargetPrefix {
  try {
    return resolveTargetPrefix(p.SourceURI, p.TargetURI, createdAt, tags);
  } catch (err) {
    throw err instanceof ImmError ? TaskErrors.invalidArgument(err.message) : err;
  }
}

export async function runFileUncompression(
  p: FileUncompressionParams,
  ctx: RunContext,
  config: ArchiveConfig,
): Promise<TaskOutcome> {
  const target = targetOf(p, ctx.createdAt, ctx.tags);
  const files = await withTaskFailures(async () => {
    const { archive, size } = await openSourceArchive(p.SourceURI, p.Password, ctx, config);
    try {
      const guard = new ExpansionGuard(
        {
          maxEntries: ctx.limits.archiveMaxEntries,
          maxTotalBytes: ctx.limits.archiveMaxTotalBytes,
          maxRatio: ctx.limits.archiveMaxRatio,
          ratioGraceBytes: config.ratioGraceBytes,
        },
        size,
      );
      guard.checkCount(archive.entries.length);
      const selection = planSelection(archive.entries, p.SelectedFiles);
      guard.checkDeclared(selection.files.map((f) => f.entry));
      checkKeyLengths(target, selection.files);
      return await extractAll(archive, selection.files, selection.all, target, guard, ctx);
    } finally {
      archive.close();
    }
  });
  return { content: fileUncompressionContent(p, target.uri), details: { Files: files } };
}

function checkKeyLengths(target: TargetPrefix, files: PlannedFile[]): void {
  const prefixBytes = Buffer.byteLength(target.key, 'utf8');
  for (const f of files) {
    if (prefixBytes + Buffer.byteLength(f.path, 'utf8') > MAX_KEY_BYTES) {
      throw TaskErrors.invalidArgument(
        `The entry "${f.path.slice(0, 200)}" would make an object key longer than ${MAX_KEY_BYTES} bytes under ${target.uri}.`,
      );
    }
  }
}

async function extractAll(
  archive: Awaited<ReturnType<typeof openSourceArchive>>['archive'],
  files: PlannedFile[],
  all: boolean,
  target: TargetPrefix,
  guard: ExpansionGuard,
  ctx: RunContext,
): Promise<WrittenFile[]> {
  const pathOf = new Map<number, string>(files.map((f) => [f.entry.index, f.path]));
  const written = new Map<number, WrittenFile>();
  const totalBytes = files.reduce((n, f) => n + f.entry.size, 0);
  let doneBytes = 0;
  let lastPercent = -1;
  const onBytes = (n: number) => {
    doneBytes += n;
    const percent = totalBytes === 0 ? 0 : Math.min(99, Math.floor((doneBytes * 100) / totalBytes));
    if (percent !== lastPercent) {
      lastPercent = percent;
      ctx.progress(percent);
    }
  };
  // Objects are published (synced, then visible) in groups by the backend, not one fsync per entry; the
  // batch is flushed before the task reports anything, so its outputs are durable before its status.
  const batch = new WriteBatch();
  const verified = (entry: ArchiveEntry, data: Readable) => {
    const verifier = createEntryVerifier(entry, guard, onBytes);
    pipeline(data, verifier, () => {});
    return verifier;
  };
  const sink = async (entry: ArchiveEntry, data: EntryData, crc?: number) => {
    const uri = formatOssUri(target.bucket, target.key + pathOf.get(entry.index)!);
    const opts = { size: entry.size, signal: ctx.signal, batch };
    if (Buffer.isBuffer(data)) {
      // Read whole: checked before the write starts, so a damaged entry never reaches storage.
      verifyEntryBytes(entry, data, guard, onBytes, crc);
      await ctx.storage.write(uri, data, opts);
    } else if (data instanceof EntryFile) {
      // Extracted by a thread into the object's temp file where storage keeps local files, and checked
      // before the write returns, so a damaged entry is discarded, never published.
      const fill = async (file: string, signal?: AbortSignal) => {
        // progress as the thread writes; the checks come once it is done
        const out = await data.extractTo(file, signal, onBytes);
        verifyEntryOutput(entry, out.size, () => out.crc, guard);
        return out.size;
      };
      await ctx.storage.write(uri, new FileBody(fill, async () => verified(entry, await data.open())), opts);
    } else {
      const verifier = verified(entry, data);
      try {
        await ctx.storage.write(uri, verifier, opts);
      } catch (err) {
        verifier.destroy();
        throw err;
      }
    }
    written.set(entry.index, { URI: uri, Size: entry.size });
  };
  try {
    await archive.extract({
      entries: files.map((f) => f.entry),
      all,
      sink,
      maxTotalBytes: Math.min(ctx.limits.archiveMaxTotalBytes, totalBytes),
    });
  } catch (err) {
    // Entries written before the failure stay (spec 9.2), as when each write was published at once.
    await batch.flush().catch(() => batch.discard());
    throw err;
  }
  await batch.flush();
  return files.filter((f) => written.has(f.entry.index)).map((f) => written.get(f.entry.index)!);
}
