/**
 * Writes given a `WriteBatch`: each leaves a complete temp file that the batch (`fs-batch.ts`) fsyncs and
 * renames into place later, with others, instead of one fsync per object as it is written.
 */
import { type FileHandle, unlink } from 'node:fs/promises';
import { FileBody, type ObjectInfo, type WriteBody, type WriteOptions } from '../backend.ts';
import { SizeMismatchError } from '../errors.ts';
import type { WriteBatch } from '../write-batch.ts';
import { FsBatchPart } from './fs-batch.ts';
import { createTemp, dropBody, type Folders, openTemp, writeBody } from './fs-temp.ts';
import { objectPath } from './key-path.ts';
import { moveIntoPlace } from './move-into-place.ts';
import { SLOT_BYTES, writeWorker } from './write-worker-client.ts';

/**
 * A write in a batch: the temp file is complete when this returns, and the batch publishes it (fsync,
 * then rename) later, through the still open handle when the batch takes it. The info returned has no
 * ETag (the object is not published yet). The object's folder is made
 * now, so a key under an existing object fails here rather than at publication.
 */
export async function writeDeferred(
  root: string,
  key: string,
  body: WriteBody,
  uri: string,
  opts: WriteOptions,
  batch: WriteBatch,
  folders: Folders,
): Promise<ObjectInfo> {
  const target = objectPath(root, key);
  const part = batch.part(`fs:${root}`, () => new FsBatchPart(root, moveIntoPlace));
  if (Buffer.isBuffer(body) && body.length <= SLOT_BYTES && part.takesHandle()) {
    return writeThroughWorker(target, key, body, uri, opts, part, folders);
  }
  if (body instanceof FileBody) return fillDeferred(target, key, body, uri, opts, part, folders);
  let tmp: string | undefined;
  let fh: FileHandle | undefined;
  try {
    opts.signal?.throwIfAborted();
    ({ tmp, fh } = await openTemp(target, key, folders));
    const written = await writeBody(fh, body, opts.signal);
    if (opts.size !== undefined && written !== opts.size)
      throw new SizeMismatchError(uri, opts.size, written);
    // No fstat (a pool round trip per object): the size is what was written, and an ETag of a file that
    // is not yet visible would only be a promise; `head` gives the published object's.
    const lastModified = new Date();
    opts.signal?.throwIfAborted();
    const keep = part.takesHandle();
    if (!keep) await fh.close().catch(() => {});
    const pending = { tmp, target, key, size: written, fh: keep ? fh : undefined };
    // the batch owns both now (and removes them on failure)
    tmp = undefined;
    fh = undefined;
    await part.add(pending);
    return { key, size: written, lastModified, contentType: opts.contentType };
  } catch (err) {
    await fh?.close().catch(() => {});
    if (tmp) await unlink(tmp).catch(() => {});
    dropBody(body);
    throw err;
  }
}

/**
 * A `FileBody` in a batch: its producer fills the temp file (the handle that made it is closed first: the
 * producer writes through its own), and the batch syncs and publishes it by name.
 */
async function fillDeferred(
  target: string,
  key: string,
  body: FileBody,
  uri: string,
  opts: WriteOptions,
  part: FsBatchPart,
  folders: Folders,
): Promise<ObjectInfo> {
  opts.signal?.throwIfAborted();
  const { tmp, fh } = await openTemp(target, key, folders);
  await fh.close();
  try {
    const written = await body.fill(tmp, opts.signal);
    if (opts.size !== undefined && written !== opts.size)
      throw new SizeMismatchError(uri, opts.size, written);
    opts.signal?.throwIfAborted();
    const lastModified = new Date();
    await part.add({ tmp, target, key, size: written });
    return { key, size: written, lastModified, contentType: opts.contentType };
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/**
 * A small body of a batched write: the writer thread creates its temp file and writes it in one step, and
 * keeps the descriptor for the batch's fsync (`write-worker.ts`), instead of an open, a write and a close
 * each handed to the pool and back to the event loop.
 */
async function writeThroughWorker(
  target: string,
  key: string,
  body: Buffer,
  uri: string,
  opts: WriteOptions,
  part: FsBatchPart,
  folders: Folders,
): Promise<ObjectInfo> {
  if (opts.size !== undefined && body.length !== opts.size) {
    throw new SizeMismatchError(uri, opts.size, body.length);
  }
  opts.signal?.throwIfAborted();
  const { tmp, made: fd } = await createTemp(target, key, folders, (file) =>
    writeWorker().create(file, body),
  );
  const lastModified = new Date();
  if (opts.signal?.aborted) {
    await writeWorker().close([fd]);
    await unlink(tmp).catch(() => {});
    opts.signal.throwIfAborted();
  }
  await part.add({ tmp, target, key, size: body.length, fd });
  return { key, size: body.length, lastModified, contentType: opts.contentType };
}
