/**
 * The local-filesystem backend: one folder per bucket, an object per file at `<root>/<key>`.
 * Writes go to a temp file beside their target (`<folder>/.openimm-tmp-<uuid>`, never listed), are fsynced,
 * then renamed into place, so readers see the old object or the complete new one, never a partial file; a
 * failed or aborted write unlinks its temp. Temp files in different folders take different directory locks,
 * so parallel writes (an archive's files) do not queue on one folder.
 * Writes given a `WriteBatch` skip their own fsync and are published by the batch (`fs-batch.ts`).
 */
import { constants, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { copyFile, mkdir, open, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import {
  type ListOptions,
  type ObjectInfo,
  ObjectNotFoundError,
  type ReadOptions,
  type StorageBackend,
  type WriteOptions,
} from '../backend.ts';
import { errnoCode, InvalidKeyError, InvalidRangeError, SizeMismatchError } from '../errors.ts';
import { formatOssUri } from '../oss-uri.ts';
import type { WriteBatch } from '../write-batch.ts';
import { FsBatchPart } from './fs-batch.ts';
import { fsEtag } from './fs-etag.ts';
import { listFsObjects } from './fs-list.ts';
import { objectPath, tempPathBeside } from './key-path.ts';
import { KnownDirs } from './known-dirs.ts';
import { moveIntoPlace } from './move-into-place.ts';
import { TempRegister } from './temp-register.ts';
import { EarlyWriteBack } from './write-back.ts';
import { SLOT_BYTES, writeWorker } from './write-worker-client.ts';

export interface FsBackendOptions {
  /** Bucket name, used only to put full OSS URIs in error messages. */
  bucket?: string;
}

const READ_CHUNK = 1024 * 1024;

/** What a backend remembers of its folders: those it made, and those that may hold its temp files. */
interface Folders {
  made: KnownDirs;
  temps: TempRegister;
}
const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

/** The fs backend also exposes its files, so copies between local files and fs buckets stay in the kernel. */
export interface FsBackend extends StorageBackend {
  readonly kind: 'fs';
  readonly root: string;
  /** The file of an existing key (validated like every key; the file may be missing). */
  pathOf(key: string): string;
  /** Copies a local file into the bucket atomically. */
  copyIn(sourcePath: string, key: string, opts?: { signal?: AbortSignal }): Promise<ObjectInfo>;
}

export function isFsBackend(backend: StorageBackend): backend is FsBackend {
  return backend.kind === 'fs' && 'copyIn' in backend;
}

export function createFsBackend(rootDir: string, opts: FsBackendOptions = {}): FsBackend {
  const root = path.resolve(rootDir);
  const uriOf = (key: string) => (opts.bucket ? formatOssUri(opts.bucket, key) : key);
  const folders: Folders = { made: new KnownDirs(), temps: new TempRegister(root) };

  return {
    kind: 'fs',
    root,
    pathOf: (key) => objectPath(root, key),
    copyIn: (sourcePath, key, copyOpts = {}) => copyFileIn(root, key, sourcePath, folders, copyOpts.signal),
    async head(key) {
      if (key === '' || key.endsWith('/')) return null;
      try {
        const st = await stat(objectPath(root, key));
        if (!st.isFile()) return null;
        return { key, size: st.size, lastModified: st.mtime, etag: fsEtag(st) };
      } catch (err) {
        if (NOT_FOUND_CODES.has(errnoCode(err) ?? '')) return null;
        throw err;
      }
    },
    read: (key, readOpts = {}) => readObject(root, key, uriOf(key), readOpts),
    write: (key, body, writeOpts = {}) => writeObject(root, key, body, uriOf(key), writeOpts, folders),
    list(prefix: string, listOpts: ListOptions = {}) {
      return listFsObjects(root, prefix, listOpts.startAfter, listOpts.signal);
    },
    async delete(key) {
      const file = objectPath(root, key);
      try {
        await unlink(file);
      } catch (err) {
        // Deleting a missing object succeeds, as on S3; a folder is not an object.
        if (NOT_FOUND_CODES.has(errnoCode(err) ?? '') || errnoCode(err) === 'EPERM') return;
        throw err;
      }
      await pruneEmptyDirs(root, path.dirname(file), folders.made);
    },
  };
}

async function readObject(root: string, key: string, uri: string, opts: ReadOptions): Promise<Readable> {
  opts.signal?.throwIfAborted();
  let fh: FileHandle;
  try {
    fh = await open(objectPath(root, key), 'r');
  } catch (err) {
    if (NOT_FOUND_CODES.has(errnoCode(err) ?? '')) throw new ObjectNotFoundError(uri);
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new ObjectNotFoundError(uri);
    const start = opts.range?.start ?? 0;
    const end = Math.min(opts.range?.end ?? st.size - 1, st.size - 1);
    if (opts.range && (start < 0 || start >= st.size || end < start)) {
      // An empty object read from 0 is empty, as S3 answers it; any other range outside it is refused.
      if (!(st.size === 0 && start === 0)) throw new InvalidRangeError(uri, st.size);
    }
    if (st.size === 0) {
      await fh.close();
      return Readable.from([]);
    }
    // 1 MiB reads: a sixteenth of the syscalls and event-loop turns of the 64 KiB default, at a bounded cost.
    const stream = fh.createReadStream({ start, end, autoClose: true, highWaterMark: READ_CHUNK });
    return opts.signal ? addAbortSignal(opts.signal, stream) : stream;
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
}

async function writeObject(
  root: string,
  key: string,
  body: Readable | Buffer,
  uri: string,
  opts: WriteOptions,
  folders: Folders,
): Promise<ObjectInfo> {
  if (opts.batch) return writeDeferred(root, key, body, uri, opts, opts.batch, folders);
  try {
    const st = await atomicPut(root, key, folders, opts.signal, async (fh) => {
      const written = await writeBody(fh, body, opts.signal);
      if (opts.size !== undefined && written !== opts.size)
        throw new SizeMismatchError(uri, opts.size, written);
      await fh.sync();
      return await fh.stat();
    });
    return { key, size: st.size, lastModified: st.mtime, etag: fsEtag(st), contentType: opts.contentType };
  } catch (err) {
    if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy();
    throw err;
  }
}

/**
 * A write in a batch: the temp file is complete when this returns, and the batch publishes it (fsync,
 * then rename) later, through the still open handle when the batch takes it. The info returned has no
 * ETag (the object is not published yet). The object's folder is made
 * now, so a key under an existing object fails here rather than at publication.
 */
async function writeDeferred(
  root: string,
  key: string,
  body: Readable | Buffer,
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
    if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy();
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

/**
 * A fresh temp file beside `target`, open for writing. Its folder is made first; a delete that prunes the
 * folder between that and the open (it cannot once the temp file is in it) makes it again.
 */
async function openTemp(
  target: string,
  key: string,
  folders: Folders,
): Promise<{ tmp: string; fh: FileHandle }> {
  const { tmp, made } = await createTemp(target, key, folders, (file) => open(file, 'wx', 0o644));
  return { tmp, fh: made };
}

/** `create` makes a fresh temp file beside `target` (failing when it exists), in a folder made for it. */
async function createTemp<T>(
  target: string,
  key: string,
  folders: Folders,
  create: (tmp: string) => Promise<T>,
): Promise<{ tmp: string; made: T }> {
  for (let attempt = 0; ; attempt++) {
    await makeParent(target, key, folders.made);
    // noted before the file exists, so a crash cannot leave a temp file the sweep does not know of
    await folders.temps.note(path.dirname(target));
    const tmp = tempPathBeside(target);
    try {
      return { tmp, made: await create(tmp) };
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' || attempt >= 5) throw err;
      folders.made.forget(path.dirname(target));
    }
  }
}

/** A local file into the bucket: the kernel copies (reflink where the filesystem can), then fsync and rename. */
async function copyFileIn(
  root: string,
  key: string,
  source: string,
  folders: Folders,
  signal?: AbortSignal,
): Promise<ObjectInfo> {
  const st = await atomicPut(root, key, folders, signal, async (fh, tmp) => {
    // over the fresh empty temp file (copyFile truncates it); the open handle then syncs the copy
    await copyFile(source, tmp, constants.COPYFILE_FICLONE);
    await fh.sync();
    return await fh.stat();
  });
  return { key, size: st.size, lastModified: st.mtime, etag: fsEtag(st) };
}

/**
 * The one atomic-write protocol: `produce` fills a fresh temp file beside the key's file (given open), which
 * is renamed over the key only once complete; on any failure or abort the temp file is removed.
 */
async function atomicPut(
  root: string,
  key: string,
  folders: Folders,
  signal: AbortSignal | undefined,
  produce: (fh: FileHandle, tmp: string) => Promise<Stats>,
): Promise<Stats> {
  const target = objectPath(root, key);
  signal?.throwIfAborted();
  const { tmp, fh } = await openTemp(target, key, folders);
  try {
    let st: Stats;
    try {
      st = await produce(fh, tmp);
    } finally {
      await fh.close().catch(() => {});
    }
    // Last chance to honour an abort: past the rename the object is visible.
    signal?.throwIfAborted();
    await moveIntoPlace(tmp, target, key);
    return st;
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

async function writeBody(fh: FileHandle, body: Readable | Buffer, signal?: AbortSignal): Promise<number> {
  if (Buffer.isBuffer(body)) {
    await fh.writeFile(body, { signal });
    return body.length;
  }
  // A plain loop rather than fh.createWriteStream: that stream holds the handle until it closes it,
  // and the handle must stay open for the fsync.
  const source = signal ? addAbortSignal(signal, body) : body;
  const writeBack = new EarlyWriteBack(fh);
  let written = 0;
  try {
    for await (const chunk of source) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
      let offset = 0;
      while (offset < buf.length) {
        const { bytesWritten } = await fh.write(buf, offset, buf.length - offset);
        offset += bytesWritten;
      }
      written += buf.length;
      writeBack.wrote(buf.length);
    }
  } catch (err) {
    await writeBack.idle();
    throw err;
  }
  await writeBack.settle();
  return written;
}

async function makeParent(target: string, key: string, dirs: KnownDirs): Promise<void> {
  const dir = path.dirname(target);
  if (dirs.has(dir)) return;
  try {
    await mkdir(dir, { recursive: true });
    dirs.add(dir);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      throw new InvalidKeyError(key, 'an object exists at one of its parent paths.');
    }
    if (code === 'ENAMETOOLONG') throw new InvalidKeyError(key, 'a path segment is too long.');
    throw err;
  }
}

/** Removes the now-empty folders left by a delete, up to (not including) the bucket root. */
async function pruneEmptyDirs(root: string, dir: string, dirs: KnownDirs): Promise<void> {
  let current = dir;
  while (current !== root && current.startsWith(root + path.sep)) {
    try {
      await rmdir(current);
      dirs.forget(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}
