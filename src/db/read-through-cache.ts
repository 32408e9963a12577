/**
 * Rows remembered for a short lifetime in front of a lookup: hot-path reads (an AccessKey's secret, a
 * project's role) skip their round trip while the entry is fresh. Misses are not remembered, so a row created
 * elsewhere is seen at once; past `maxEntries` the cache starts over rather than tracking recency.
 */
export function createReadThroughCache<V>(
  load: (key: string) => Promise<V | null>,
  ttlMs: number,
  maxEntries = 10_000,
) {
  const byKey = new Map<string, { value: V; until: number }>();
  return {
    async get(key: string): Promise<V | null> {
      const now = Date.now();
      const hit = byKey.get(key);
      if (hit && hit.until > now) return hit.value;
      const value = await load(key);
      if (value) {
        if (byKey.size >= maxEntries) byKey.clear();
        byKey.set(key, { value, until: now + ttlMs });
      } else {
        byKey.delete(key);
      }
      return value;
    },
    forget(key: string): void {
      byKey.delete(key);
    },
  };
}
