/**
 * Folders a backend has made or found, so that runs of writes into the same folders (the files of an
 * extracted archive) skip the `mkdir -p` of each write: one thread-pool round trip and two syscalls per
 * object. Only a hint: whoever relies on it retries with a real mkdir when the folder turns out missing
 * (removed by a delete, here or in another process).
 */
const MAX_DIRS = 4096;

export class KnownDirs {
  readonly #dirs = new Set<string>();

  has(dir: string): boolean {
    return this.#dirs.has(dir);
  }

  add(dir: string): void {
    // Bounded: past the limit start afresh rather than track an LRU order for a hint.
    if (this.#dirs.size >= MAX_DIRS) this.#dirs.clear();
    this.#dirs.add(dir);
  }

  forget(dir: string): void {
    this.#dirs.delete(dir);
  }
}
