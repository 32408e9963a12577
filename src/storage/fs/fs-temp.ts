/**
 * The fs backend's temp files: made beside their target (in a folder made for it, noted for the sweep
 * before it exists), filled from a body, dropped on failure.
 */
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, type Readable } from 'node:stream';
import { FileBody, type WriteBody } from '../backend.ts';
import { errnoCode, InvalidKeyError } from '../errors.ts';
import { tempPathBeside } from './key-path.ts';
import type { KnownDirs } from './known-dirs.ts';
import type { TempRegister } from './temp-register.ts';
import { EarlyWriteBack } from './write-back.ts';

/** What a backend remembers of its folders: those it made, and those that may hold its temp files. */
export interface Folders {
  made: KnownDirs;
  temps: TempRegister;
}

/** A stream body not (fully) consumed is destroyed, so its producer stops. */
export function dropBody(body: WriteBody): void {
  if (!Buffer.isBuffer(body) && !(body instanceof FileBody) && !body.destroyed) body.destroy();
}

/**
 * A fresh temp file beside `target`, open for writing. Its folder is made first; a delete that prunes the
 * folder between that and the open (it cannot once the temp file is in it) makes it again.
 */
export async function openTemp(
  target: string,
  key: string,
  folders: Folders,
): Promise<{ tmp: string; fh: FileHandle }> {
  const { tmp, made } = await createTemp(target, key, folders, (file) => open(file, 'wx', 0o644));
  return { tmp, fh: made };
}

/** `create` makes a fresh temp file beside `target` (failing when it exists), in a folder made for it. */
export async function createTemp<T>(
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

export async function writeBody(
  fh: FileHandle,
  body: Readable | Buffer,
  signal?: AbortSignal,
): Promise<number> {
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

export async function makeParent(target: string, key: string, dirs: KnownDirs): Promise<void> {
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
