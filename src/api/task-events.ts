import type { Db } from '../db/types.ts';
import type { TaskRow } from '../tasks/model.ts';
import { TASK_DONE_CHANNEL } from '../tasks/sql/finish-tasks.ts';
import { getTaskToWire } from './actions/tasks/task-wire.ts';

type Listener = (event: ReturnType<typeof getTaskToWire>) => void;

/**
 * Fans terminal task commits out to the StreamTaskEvents subscribers of their project. One LISTEN per process;
 * rows are read only when someone is subscribed.
 */
export interface TaskEventHub {
  subscribe(accountId: string, projectName: string, listener: Listener): () => void;
  /** Aborted when the hub closes: open streams end, so a stopping server is not held up by them. */
  readonly closed: AbortSignal;
  close(): Promise<void>;
}

export async function createTaskEventHub(db: Db): Promise<TaskEventHub> {
  const subscribers = new Map<string, Set<Listener>>();
  const closing = new AbortController();
  const key = (accountId: string, project: string) => `${accountId}\u0000${project}`;
  const unlisten = await db.listen(TASK_DONE_CHANNEL, (payload) => {
    if (subscribers.size === 0) return;
    const ids = payload.split(',').filter(Boolean);
    void db
      .query<TaskRow>('SELECT * FROM tasks WHERE id = ANY($1::text[])', [ids])
      .then((r) => {
        for (const row of r.rows) {
          for (const fn of subscribers.get(key(row.account_id, row.project_name)) ?? [])
            fn(getTaskToWire(row));
        }
      })
      .catch(() => {});
  });
  return {
    subscribe(accountId, projectName, listener) {
      const k = key(accountId, projectName);
      let set = subscribers.get(k);
      if (!set) {
        set = new Set();
        subscribers.set(k, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) subscribers.delete(k);
      };
    },
    closed: closing.signal,
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      await unlisten();
    },
  };
}
