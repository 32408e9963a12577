/**
 * The local-filesystem backend: one folder per bucket, an object per file at `<root>/<key>`.
 * Writes go to a temp file beside their target (`<folder>/.openimm-tmp-<uuid>`, never listed), are fsynced,
 * then renamed into place, so readers see the old object or the complete new one, never a partial file; a
 * failed or aborted write unlinks its temp. Temp files in different folders take different directory locks,
 * so parallel writes (an archive's files) do not queue on one folder.
 * Writes given a `WriteBatch` skip their own fsync and are published by the batch (`fs-batch.ts`). A
 * `FileBody`'s producer fills the temp file itself.
 */
import { constants, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { copyFile, open, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import {
  FileBody,
  type ListOptions,
  type ObjectInfo,
  ObjectNotFoundError,
  type ReadOptions,
  type StorageBackend,
  type WriteBody,
  type WriteOptions,
} from '../backend.ts';
import { errnoCode, InvalidRangeError, SizeMismatchError } from '../errors.ts';
import { formatOssUri } from '../oss-uri.ts';
import { writeDeferred } from './fs-deferred-write.ts';
import { fsEtag } from './fs-etag.ts';
import { listFsObjects } from './fs-list.ts';
import { dropBody, type Folders, openTemp, writeBody } from './fs-temp.ts';
import { objectPath } from './key-path.ts';
import { KnownDirs } from './known-dirs.ts';
import { moveIntoPlace } from './move-into-place.ts';
import { TempRegister } from './temp-register.ts';

export interface FsBackendOptions {
  /** Bucket name, used only to put full OSS URIs in error messages. */
  bucket?: string;
}

const READ_CHUNK = 1024 * 1024;

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
  body: WriteBody,
  uri: string,
  opts: WriteOptions,
  folders: Folders,
): Promise<ObjectInfo> {
  if (opts.batch) return writeDeferred(root, key, body, uri, opts, opts.batch, folders);
  try {
    const st = await atomicPut(root, key, folders, opts.signal, async (fh, tmp) => {
      const written =
        body instanceof FileBody ? await body.fill(tmp, opts.signal) : await writeBody(fh, body, opts.signal);
      if (opts.size !== undefined && written !== opts.size)
        throw new SizeMismatchError(uri, opts.size, written);
      await fh.sync();
      return await fh.stat();
    });
    return { key, size: st.size, lastModified: st.mtime, etag: fsEtag(st), contentType: opts.contentType };
  } catch (err) {
    dropBody(body);
    throw err;
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
