/** Writing the produced files to their target objects, a few at a time, each write atomic. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ScopedStorage } from '../../storage/scoped-storage.ts';
import type { OutputVars } from './naming.ts';
import type { TargetType } from './params.ts';

export interface OutputFile {
  path: string;
  vars: OutputVars;
}

const CONTENT_TYPES: Record<TargetType, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  txt: 'text/plain; charset=utf-8',
};

/** Uploads at once: enough to hide per-object latency of a remote store without flooding it. */
const UPLOAD_CONCURRENCY = 4;

export async function uploadOutputs(opts: {
  storage: ScopedStorage;
  files: OutputFile[];
  uris: string[];
  targetType: TargetType;
  signal: AbortSignal;
  onProgress(done: number): void;
}): Promise<void> {
  let next = 0;
  let done = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < opts.files.length && failed === undefined) {
      const i = next++;
      try {
        const file = opts.files[i]!.path;
        const { size } = await stat(file);
        await opts.storage.write(opts.uris[i]!, createReadStream(file), {
          contentType: CONTENT_TYPES[opts.targetType],
          size,
          signal: opts.signal,
        });
        opts.onProgress(++done);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, opts.files.length) }, worker));
  if (failed !== undefined) throw failed;
}
