/**
 * Streaming copies between buckets and local files. Every write goes through the backends' atomic
 * write (or, locally, a temp file renamed into place), so an interrupted copy leaves no partial file.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError } from '../backend.ts';
import { formatOssUri } from '../oss-uri.ts';
import type { StorageRegistry } from '../registry.ts';
import { backendOf, type Endpoint } from './endpoints.ts';

export interface CopyOptions {
  /** Called with the bytes copied so far (and the total when known). */
  onProgress?: (done: number, total: number | undefined) => void;
  signal?: AbortSignal;
}

export interface CopyResult {
  bytes: number;
  /** Where the object ended up (an OSS URI or a local path). */
  destination: string;
}

export async function copyOne(
  registry: StorageRegistry,
  src: Endpoint,
  dst: Endpoint,
  opts: CopyOptions = {},
): Promise<CopyResult> {
  if (src.kind === 'local' && dst.kind === 'local')
    throw new StorageError('One side of a copy must be an OSS URI.');
  const { stream, size, name } = await openSource(registry, src, opts.signal);
  const counter = new ProgressCounter(size, opts.onProgress);
  const body = stream.pipe(counter);
  stream.once('error', (err) => counter.destroy(err));
  if (dst.kind === 'oss') {
    const key = dst.key === '' || dst.key.endsWith('/') ? dst.key + name : dst.key;
    const backend = await backendOf(registry, dst.bucket, { create: true });
    const info = await backend.write(key, body, { size, signal: opts.signal });
    return { bytes: info.size, destination: formatOssUri(dst.bucket, key) };
  }
  const target = await localTarget(dst.path, name);
  await writeLocalAtomically(target, body, opts.signal);
  return { bytes: counter.done, destination: target };
}

async function openSource(
  registry: StorageRegistry,
  src: Endpoint,
  signal?: AbortSignal,
): Promise<{ stream: Readable; size: number | undefined; name: string }> {
  if (src.kind === 'local') {
    const st = await stat(src.path);
    if (!st.isFile()) throw new StorageError(`${src.path} is not a file (use --recursive for folders).`);
    return { stream: createReadStream(src.path, { signal }), size: st.size, name: path.basename(src.path) };
  }
  if (src.key === '' || src.key.endsWith('/')) {
    throw new StorageError(`${src.uri} is a prefix (use --recursive to copy what is under it).`);
  }
  const backend = await backendOf(registry, src.bucket);
  const info = await backend.head(src.key);
  const stream = await backend.read(src.key, { signal });
  return { stream, size: info?.size, name: src.key.slice(src.key.lastIndexOf('/') + 1) };
}

/** A local destination that is a folder (existing, or written with a trailing separator) gets the source name. */
async function localTarget(dest: string, name: string): Promise<string> {
  if (dest.endsWith('/') || dest.endsWith(path.sep)) return path.join(dest, name);
  const st = await stat(dest).catch(() => null);
  return st?.isDirectory() ? path.join(dest, name) : dest;
}

export async function writeLocalAtomically(
  target: string,
  body: Readable,
  signal?: AbortSignal,
): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.openimm-${randomUUID()}`);
  try {
    await pipeline(body, createWriteStream(tmp, { flags: 'wx' }), { signal });
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

class ProgressCounter extends Transform {
  done = 0;
  constructor(
    private readonly total: number | undefined,
    private readonly onProgress?: (done: number, total: number | undefined) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.done += chunk.length;
    this.onProgress?.(this.done, this.total);
    cb(null, chunk);
  }
}
