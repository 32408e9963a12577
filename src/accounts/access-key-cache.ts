import type { Queryable } from '../db/types.ts';
import { type AccessKey, findAccessKey } from './accounts.ts';

/**
 * AccessKeys remembered for a few seconds: every signed request needs its key's secret, and a round trip per
 * request was a fifth of the create path's database work. Keys change only when a process starts (bootstrap),
 * so a short lifetime loses nothing; unknown keys are not remembered, so a new key works at once.
 */
export function createAccessKeyCache(db: Queryable, ttlMs = 10_000, maxEntries = 10_000) {
  const byId = new Map<string, { key: AccessKey; until: number }>();
  return {
    async find(accessKeyId: string): Promise<AccessKey | null> {
      const now = Date.now();
      const hit = byId.get(accessKeyId);
      if (hit && hit.until > now) return hit.key;
      const key = await findAccessKey(db, accessKeyId);
      if (key) {
        if (byId.size >= maxEntries) byId.clear();
        byId.set(accessKeyId, { key, until: now + ttlMs });
      } else {
        byId.delete(accessKeyId);
      }
      return key;
    },
  };
}

export type AccessKeyCache = ReturnType<typeof createAccessKeyCache>;
