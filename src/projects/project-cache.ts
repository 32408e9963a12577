import type { Queryable } from '../db/types.ts';
import { getProject, type ProjectRecord } from './project-store.ts';

/**
 * Projects remembered for a moment by the create path: every CreateXXXTask needs its project's service role,
 * and that lookup was one of its three round trips. IMM itself applies project updates within minutes; here a
 * change made through this process is seen at once (`forget`), one made through another API process within
 * the lifetime (2 s). The worker reads the project's current role when it claims the task, so a stale entry
 * can only affect the create-time checks. Unknown projects are not remembered: a new project works at once.
 */
export function createProjectCache(db: Queryable, ttlMs = 2000, maxEntries = 10_000) {
  const byKey = new Map<string, { project: ProjectRecord; until: number }>();
  const keyOf = (accountId: string, name: string) => `${accountId}\u0000${name}`;
  return {
    async get(accountId: string, name: string): Promise<ProjectRecord | null> {
      const key = keyOf(accountId, name);
      const now = Date.now();
      const hit = byKey.get(key);
      if (hit && hit.until > now) return hit.project;
      const project = await getProject(db, accountId, name);
      if (project) {
        if (byKey.size >= maxEntries) byKey.clear();
        byKey.set(key, { project, until: now + ttlMs });
      } else {
        byKey.delete(key);
      }
      return project;
    },
    /** Called after this process updated or deleted the project. */
    forget(accountId: string, name: string): void {
      byKey.delete(keyOf(accountId, name));
    },
  };
}

export type ProjectCache = ReturnType<typeof createProjectCache>;
