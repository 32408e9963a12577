import type { Db } from '../db/types.ts';
import { TASK_DONE_CHANNEL } from '../tasks/sql/finish-tasks.ts';

/**
 * Wakes WaitTask long-polls when a task's terminal state commits (LISTEN on the done channel, which every
 * process's commits NOTIFY), so a waiter answers at the commit rather than at its next poll.
 */
export interface TaskWaiters {
  /** Resolves true when `taskId` finishes, false after `timeoutMs` or when `signal` aborts. */
  wait(taskId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}

export async function createTaskWaiters(db: Db): Promise<TaskWaiters> {
  const waiting = new Map<string, Set<() => void>>();
  const unlisten = await db.listen(TASK_DONE_CHANNEL, (payload) => {
    for (const id of payload.split(',')) {
      const set = waiting.get(id);
      if (set) for (const fn of set) fn();
    }
  });
  return {
    wait(taskId, timeoutMs, signal) {
      return new Promise((resolve) => {
        let set = waiting.get(taskId);
        if (!set) {
          set = new Set();
          waiting.set(taskId, set);
        }
        const done = (value: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          set.delete(wake);
          if (set.size === 0) waiting.delete(taskId);
          resolve(value);
        };
        const wake = () => done(true);
        const onAbort = () => done(false);
        const timer = setTimeout(() => done(false), timeoutMs);
        set.add(wake);
        signal?.addEventListener('abort', onAbort);
      });
    },
    close: unlisten,
  };
}
