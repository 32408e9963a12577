/**
 * Uploads the produced files through the scoped storage (each write atomic). Segments and images go
 * first, playlists last, a few at a time. If any upload fails or the task is cancelled meanwhile, the
 * objects already written by this attempt are deleted, so a failed task leaves no partial output set.
 */
import { createReadStream } from 'node:fs';
import type { ScopedStorage } from '../../storage/scoped-storage.ts';
import type { ProducedFile } from './job.ts';
import { extensionOf } from './naming.ts';

const TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  m4s: 'video/iso.segment',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  ts: 'video/mp2t',
  flv: 'video/x-flv',
  avi: 'video/x-msvideo',
  asf: 'video/x-ms-asf',
  mxf: 'application/mxf',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  oga: 'audio/ogg',
  ac3: 'audio/ac3',
  opus: 'audio/opus',
  m3u8: 'application/vnd.apple.mpegurl',
  mpd: 'application/dash+xml',
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  vtt: 'text/vtt',
  srt: 'application/x-subrip',
  ass: 'text/x-ssa',
};

export function contentTypeOf(uri: string): string {
  return TYPES[(extensionOf(uri) ?? '').toLowerCase()] ?? 'application/octet-stream';
}

export async function uploadAll(
  storage: ScopedStorage,
  files: ProducedFile[],
  opts: { signal: AbortSignal; parallel?: number; onUploaded?: (done: number, total: number) => void },
): Promise<void> {
  const written: string[] = [];
  const early = files.filter((f) => !f.late);
  const late = files.filter((f) => f.late);
  let done = 0;
  const put = async (f: ProducedFile) => {
    opts.signal.throwIfAborted();
    await storage.write(f.uri, createReadStream(f.path), {
      size: f.size,
      contentType: contentTypeOf(f.uri),
      signal: opts.signal,
    });
    written.push(f.uri);
    opts.onUploaded?.(++done, files.length);
  };
  try {
    await inBatches(early, opts.parallel ?? 4, put);
    await inBatches(late, opts.parallel ?? 4, put);
  } catch (err) {
    await Promise.allSettled(written.map((uri) => storage.delete(uri)));
    throw err;
  }
}

/** Runs `fn` over the items, `parallel` at a time; after a failure no new item starts, and all running ones end first. */
async function inBatches<T>(items: T[], parallel: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      try {
        await fn(items[next++]!);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  if (failure) throw failure.err;
}
