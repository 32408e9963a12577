/**
 * Runs a FileCompression task: expand the rules, then stream a zip straight into the target object,
 * deflated on all cores (`zip-stream.ts`). The archive becomes visible only when complete (the storage
 * write is atomic), so a failure leaves no partial archive. Progress is the share of source bytes packed.
 */
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import type { ArchiveConfig } from '../../engines/archive/config.ts';
import { createZipStream, type ZipStreamEntry } from '../../engines/archive/zip-stream.ts';
import { ImmError } from '../../protocol/errors.ts';
import { TaskErrors } from '../task-error.ts';
import type { RunContext, TaskOutcome } from '../types.ts';
import { withTaskFailures } from './failures.ts';
import type { FileCompressionParams } from './params.ts';
import { type Plan, planEntries } from './plan.ts';
import { manifestRules, type SourceRule, toRule } from './rules.ts';
import { createSourceReader } from './source-reader.ts';
import { type ResolvedTarget, resolveTarget } from './target.ts';

export async function runFileCompression(
  p: FileCompressionParams,
  ctx: RunContext,
  config: ArchiveConfig,
): Promise<TaskOutcome> {
  let target: ResolvedTarget;
  try {
    target = resolveTarget(p, ctx.createdAt, ctx.tags);
  } catch (err) {
    throw err instanceof ImmError ? TaskErrors.invalidArgument(err.message) : err;
  }
  await withTaskFailures(async () => {
    const plan = await planEntries(rulesOf(p, ctx), {
      storage: ctx.storage,
      limits: ctx.limits,
      signal: ctx.signal,
    });
    await writeArchive(plan, target.uri, ctx, config);
  });
  return { content: fileCompressionContent(p, target.uri) };
}

/** The notification fields of spec 8.3.1 (echo of the request, the archive written). */
export function fileCompressionContent(p: FileCompressionParams, targetUri: string): Record<string, unknown> {
  return {
    Sources: p.Sources
      ? p.Sources.map((s) => ({ URI: s.URI, Alias: s.Alias ?? '', Mode: s.Mode ?? '' }))
      : null,
    SourceManifestURI: p.SourceManifestURI ?? '',
    TargetURI: targetUri,
  };
}

async function* rulesOf(p: FileCompressionParams, ctx: RunContext): AsyncGenerator<SourceRule> {
  if (p.Sources) {
    for (const [i, item] of p.Sources.entries()) yield toRule(item, `Sources[${i}]`);
    return;
  }
  const manifestUri = p.SourceManifestURI!;
  const body = await ctx.storage.read(manifestUri, { signal: ctx.signal });
  yield* manifestRules(body, manifestUri);
}

async function writeArchive(
  plan: Plan,
  targetUri: string,
  ctx: RunContext,
  config: ArchiveConfig,
): Promise<void> {
  const progress = makeProgress(plan.totalBytes, ctx);
  const reader = createSourceReader(plan.entries, {
    storage: ctx.storage,
    signal: ctx.signal,
    concurrency: config.compressReadAhead,
  });
  const store = new Set(config.storeExtensions.map((e) => e.toLowerCase()));
  const entries: ZipStreamEntry[] = plan.entries.map((entry, index) => ({
    path: entry.path,
    size: entry.size,
    mtime: entry.mtime,
    level: store.has(extensionOf(entry.path)) ? 0 : config.compressionLevel,
    open: async () => {
      const counter = progress.counter();
      // pipeline carries a failed read on to the counter, whose error fails the archive
      pipeline(await reader.open(index), counter, () => {});
      return counter;
    },
  }));
  const archive = createZipStream(entries, {
    signal: ctx.signal,
    maxChunksInFlight: config.compressChunksInFlight,
  });
  try {
    await ctx.storage.write(targetUri, archive, { contentType: 'application/zip', signal: ctx.signal });
  } finally {
    archive.destroy();
    reader.close();
  }
}

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function makeProgress(totalBytes: number, ctx: RunContext) {
  let done = 0;
  let last = -1;
  const report = () => {
    const percent = totalBytes === 0 ? 0 : Math.min(99, Math.floor((done * 100) / totalBytes));
    if (percent !== last) {
      last = percent;
      ctx.progress(percent);
    }
  };
  return {
    counter(): Transform {
      return new Transform({
        transform(chunk: Buffer, _enc, cb: TransformCallback) {
          done += chunk.length;
          report();
          cb(null, chunk);
        },
      });
    },
  };
}
