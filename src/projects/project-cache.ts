import { createReadThroughCache } from '../db/read-through-cache.ts';
import type { Queryable } from '../db/types.ts';
import { getProject, type ProjectRecord } from './project-store.ts';

/**
 * Projects remembered for a moment by the create path: every Create…Task call needs its project's service
 * role, and that lookup was one of its three round trips. IMM itself applies project updates within minutes;
 * here a change made through this process is seen at once (`forget`), one made through another API process
 * within the lifetime (2 s). The worker reads the project's current role when it claims the task, so a stale
 * entry can only affect the create-time checks. Unknown projects are not remembered: a new project works at once.
 */
export function createProjectCache(db: Queryable, ttlMs = 2000, maxEntries = 10_000) {
  // A NUL cannot occur in an account id or a project name, so the joined key is unambiguous.
  const keyOf = (accountId: string, name: string) => `${accountId}\u0000${name}`;
  const cache = createReadThroughCache<ProjectRecord>(
    (key) => {
      const [accountId, name] = key.split('\u0000') as [string, string];
      return getProject(db, accountId, name);
    },
    ttlMs,
    maxEntries,
  );
  return {
    get: (accountId: string, name: string) => cache.get(keyOf(accountId, name)),
    /** Called after this process updated or deleted the project. */
    forget: (accountId: string, name: string) => cache.forget(keyOf(accountId, name)),
  };
}

export type ProjectCache = ReturnType<typeof createProjectCache>;
