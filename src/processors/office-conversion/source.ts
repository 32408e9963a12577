/** Copies the source object into the scratch folder (LibreOffice and poppler read files), bounded in size. */
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ScopedStorage } from '../../storage/scoped-storage.ts';
import { TaskErrors } from '../task-error.ts';

export interface LocalSource {
  path: string;
  size: number;
  lastModified?: Date;
}

export async function downloadSource(opts: {
  storage: ScopedStorage;
  uri: string;
  file: string;
  maxBytes: number;
  signal: AbortSignal;
}): Promise<LocalSource> {
  const info = await opts.storage.head(opts.uri);
  if (!info) throw TaskErrors.fileNotExist(opts.uri);
  if (info.size > opts.maxBytes)
    throw TaskErrors.limitExceeded(`The source document is larger than ${opts.maxBytes} bytes.`);
  let seen = 0;
  // The object may grow between HEAD and GET: count again while copying.
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > opts.maxBytes)
        done(TaskErrors.limitExceeded(`The source document is larger than ${opts.maxBytes} bytes.`));
      else done(null, chunk);
    },
  });
  const body = await opts.storage.read(opts.uri, { signal: opts.signal });
  await pipeline(body, guard, createWriteStream(opts.file), { signal: opts.signal });
  return { path: opts.file, size: seen, lastModified: info.lastModified };
}
