import { createReadThroughCache } from '../db/read-through-cache.ts';
import type { Queryable } from '../db/types.ts';
import { type AccessKey, findAccessKey } from './accounts.ts';

/**
 * AccessKeys remembered for a few seconds: every signed request needs its key's secret, and a round trip per
 * request was a fifth of the create path's database work. Keys change only when a process starts (bootstrap),
 * so a short lifetime loses nothing; unknown keys are not remembered, so a new key works at once.
 */
export function createAccessKeyCache(db: Queryable, ttlMs = 10_000, maxEntries = 10_000) {
  const cache = createReadThroughCache<AccessKey>((id) => findAccessKey(db, id), ttlMs, maxEntries);
  return { find: (accessKeyId: string) => cache.get(accessKeyId) };
}

export type AccessKeyCache = ReturnType<typeof createAccessKeyCache>;
