/** Messages between the fs backend and its writer thread (`write-worker.ts`). */

export type WriteWorkerRequest =
  /** Create `path` (it must not exist), write `data`'s first `length` bytes, keep it open: the reply gives the descriptor. */
  | { id: number; op: 'create'; path: string; data: SharedArrayBuffer; length: number }
  /** fsync each descriptor, then close them all (failed or not). */
  | { id: number; op: 'sync'; fds: number[] }
  /** Close each descriptor, ignoring failures (a discarded write). */
  | { id: number; op: 'close'; fds: number[] };

export type WriteWorkerReply =
  | { id: number; fd?: number }
  | { id: number; error: { message: string; code?: string; syscall?: string } };
