/** Messages between the fs backend and its writer thread (`write-worker.ts`). */

export type WriteWorkerRequest =
  /**
   * Create `path` (it must not exist), write `length` bytes of `data` from `offset`, keep it open: the reply
   * gives the descriptor.
   */
  | { id: number; op: 'create'; path: string; data: SharedArrayBuffer; offset: number; length: number }
  /**
   * fsync each descriptor (`parallel` at once) and close them all (failed or not); then, if all synced, rename
   * each pair in order.
   */
  | { id: number; op: 'publish'; fds: number[]; parallel: number; renames: Array<[string, string]> }
  /** Close each descriptor, ignoring failures (a discarded write). */
  | { id: number; op: 'close'; fds: number[] };

export type WriteWorkerReply =
  | { id: number; fd?: number }
  | { id: number; error: { message: string; code?: string; syscall?: string; renamed?: number } };
