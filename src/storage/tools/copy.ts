/**
 * Streaming copies between buckets and local files. Every write goes through the backends' atomic
 * write (or, locally, a temp file renamed into place), so an interrupted copy leaves no partial file.
 */
import { randomUUID } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectNotFoundError, StorageError } from '../backend.ts';
import { isFsBackend } from '../fs/fs-backend.ts';
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
  const fast = await kernelCopy(registry, src, dst, opts);
  if (fast) return fast;
  const { stream, size, name } = await openSource(registry, src, opts.signal);
  // Counting costs a stream hop per chunk: only when someone watches.
  const counter = opts.onProgress ? new ProgressCounter(size, opts.onProgress) : null;
  const body = counter ? stream.pipe(counter) : stream;
  if (counter) stream.once('error', (err) => counter.destroy(err));
  if (dst.kind === 'oss') {
    const key = objectKeyFor(dst.key, name);
    const backend = await backendOf(registry, dst.bucket, { create: true });
    const info = await backend.write(key, body, { size, signal: opts.signal });
    return { bytes: info.size, destination: formatOssUri(dst.bucket, key) };
  }
  const target = await localTarget(dst.path, name);
  await writeLocalAtomically(target, body, opts.signal);
  return { bytes: (await stat(target)).size, destination: target };
}

const objectKeyFor = (key: string, name: string) => (key === '' || key.endsWith('/') ? key + name : key);

/**
 * Between local files and fs buckets the bytes never need to pass through this process: the kernel
 * copies them (copy_file_range, or a reflink), as `cp` does. Null when one side is not on a filesystem.
 */
async function kernelCopy(
  registry: StorageRegistry,
  src: Endpoint,
  dst: Endpoint,
  opts: CopyOptions,
): Promise<CopyResult | null> {
  const from = await localFileOf(registry, src);
  if (!from) return null;
  if (dst.kind === 'oss') {
    const backend = await backendOf(registry, dst.bucket, { create: true });
    if (!isFsBackend(backend)) return null;
    const key = objectKeyFor(dst.key, from.name);
    const info = await backend.copyIn(from.path, key, { signal: opts.signal });
    opts.onProgress?.(info.size, info.size);
    return { bytes: info.size, destination: formatOssUri(dst.bucket, key) };
  }
  const target = await localTarget(dst.path, from.name);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.openimm-${randomUUID()}`);
  await mkdir(path.dirname(target), { recursive: true });
  try {
    await copyFile(from.path, tmp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    opts.signal?.throwIfAborted();
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  const { size } = await stat(target);
  opts.onProgress?.(size, size);
  return { bytes: size, destination: target };
}

/** The local file behind a source: a local path, or an object of an fs bucket. */
async function localFileOf(
  registry: StorageRegistry,
  src: Endpoint,
): Promise<{ path: string; name: string } | null> {
  if (src.kind === 'local') {
    const st = await stat(src.path);
    if (!st.isFile()) throw new StorageError(`${src.path} is not a file (use --recursive for folders).`);
    return { path: src.path, name: path.basename(src.path) };
  }
  if (src.key === '' || src.key.endsWith('/')) return null;
  const backend = await backendOf(registry, src.bucket);
  if (!isFsBackend(backend)) return null;
  if (!(await backend.head(src.key))) throw new ObjectNotFoundError(src.uri);
  return { path: backend.pathOf(src.key), name: src.key.slice(src.key.lastIndexOf('/') + 1) };
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
  const name = src.key.slice(src.key.lastIndexOf('/') + 1);
  if (isFsBackend(backend)) {
    if (!info) throw new ObjectNotFoundError(src.uri);
    // A plain file stream: an S3 destination reads its parts straight from the file.
    return { stream: createReadStream(backend.pathOf(src.key), { signal }), size: info.size, name };
  }
  const stream = await backend.read(src.key, { signal });
  return { stream, size: info?.size, name };
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
