/**
 * Copies an input object into the scratch folder before ffmpeg opens it. A local file is what ffmpeg
 * needs for the common inputs: MP4/MOV with the index at the end, concatenation, and several outputs
 * reading one input all seek. The copy is streamed (S3: one GET, fs: a file stream), so memory stays flat;
 * the byte cap stops a source that grew past the limit since the create-time HEAD.
 */
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ScopedStorage } from '../../storage/scoped-storage.ts';
import { TaskErrors } from '../task-error.ts';

export interface Fetched {
  uri: string;
  path: string;
  size: number;
  lastModified: Date;
}

export async function fetchObject(
  storage: ScopedStorage,
  uri: string,
  dest: string,
  opts: { maxBytes: number; signal: AbortSignal },
): Promise<Fetched> {
  const info = await storage.head(uri);
  if (!info) throw TaskErrors.fileNotExist(uri);
  if (info.size > opts.maxBytes)
    throw TaskErrors.limitExceeded(`${uri} is larger than ${opts.maxBytes} bytes.`);
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > opts.maxBytes)
        done(TaskErrors.limitExceeded(`${uri} is larger than ${opts.maxBytes} bytes.`));
      else done(null, chunk);
    },
  });
  const body = await storage.read(uri, { signal: opts.signal });
  await pipeline(body, cap, createWriteStream(dest), { signal: opts.signal });
  return { uri, path: dest, size, lastModified: info.lastModified };
}
