/**
 * The folders of a bucket that may hold temp files of writes (`<folder>/.openimm-tmp-<uuid>`, beside their
 * targets), so the sweep of files left by a crash visits those folders instead of walking the whole bucket.
 * Each is an entry in `<root>/.openimm-tmp/folders/`: a symbolic link whose target is the folder's path
 * relative to the root (a link, not a file's content, so that it is pure metadata, committed by the
 * filesystem journal with the folder's first temp file rather than after it).
 *
 * A backend notes a folder before it makes a temp file there, refreshing the entry's time at most every
 * `REGISTER_REFRESH_MS`: an entry's time is therefore at most that much older than any temp file made under
 * it, which is what lets the sweep drop entries safely (`temp-sweep.ts`).
 */
import { createHash } from 'node:crypto';
import { lutimes, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../errors.ts';
import { TMP_DIR_NAME } from './key-path.ts';

export const REGISTER_DIR = 'folders';
export const REGISTER_REFRESH_MS = 3600_000;
const MAX_NOTED = 4096;

/** The register's folder of a bucket root. */
export function registerDir(root: string): string {
  return path.join(root, TMP_DIR_NAME, REGISTER_DIR);
}

export class TempRegister {
  /** Folders noted by this process, with when their entry was last written and the write itself. */
  readonly #noted = new Map<string, { at: number; written: Promise<void> }>();

  constructor(
    private readonly root: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves once `dir` (inside the root) is in the register, fresh enough for a temp file to be made in it. */
  note(dir: string): Promise<void> {
    const now = this.now();
    const seen = this.#noted.get(dir);
    if (seen && now - seen.at < REGISTER_REFRESH_MS) return seen.written;
    // Bounded like KnownDirs: past the limit start afresh (a forgotten folder only costs a rewrite).
    if (this.#noted.size >= MAX_NOTED) this.#noted.clear();
    const written = this.#write(dir);
    this.#noted.set(dir, { at: now, written });
    written.catch(() => this.#noted.delete(dir));
    return written;
  }

  async #write(dir: string): Promise<void> {
    const rel = path.relative(this.root, dir);
    const entry = path.join(
      registerDir(this.root),
      createHash('sha256').update(rel).digest('hex').slice(0, 40),
    );
    const time = new Date(this.now());
    for (let attempt = 0; ; attempt++) {
      try {
        await lutimes(entry, time, time);
        return;
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT' || attempt >= 3) throw err;
      }
      try {
        // `.` stands for the root itself: a link's target cannot be empty
        await symlink(rel === '' ? '.' : rel, entry);
        return;
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'EEXIST') continue; // made meanwhile by another process: refresh its time
        if (code !== 'ENOENT') throw err;
        await mkdir(registerDir(this.root), { recursive: true });
      }
    }
  }
}
