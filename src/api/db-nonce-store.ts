import { createStatementBatcher } from '../db/statement-batcher.ts';
import type { Db } from '../db/types.ts';
import type { NonceStore } from '../protocol/nonce-cache.ts';

/**
 * Replay protection shared by every API process of a cluster: a nonce is new when its row inserts. Expired rows
 * are swept now and then; an expired nonce whose row is still there is taken over by the upsert. Requests
 * that arrive together are checked with one statement.
 */
export function createDbNonceStore(db: Db, windowMs: number): NonceStore & { sweep(): Promise<void> } {
  let lastSweep = 0;
  const remember = createStatementBatcher((items: Array<{ nonce: string; nowMs: number }>) =>
    rememberAll(db, windowMs, items),
  );
  return {
    async remember(nonce, nowMs) {
      if (nowMs - lastSweep > 60_000) {
        lastSweep = nowMs;
        void this.sweep().catch(() => {});
      }
      return remember({ nonce, nowMs });
    },
    async sweep() {
      await db.query('DELETE FROM request_nonces WHERE expires_at <= now()');
    },
  };
}

/**
 * One upsert for many nonces. A row's expiry minus the window is the moment it was seen, so each nonce takes
 * over only a row that had expired by its own request's time. A nonce twice in one batch is a replay of the
 * first: it is not sent (an upsert may not touch a row twice).
 */
async function rememberAll(
  db: Db,
  windowMs: number,
  items: Array<{ nonce: string; nowMs: number }>,
): Promise<boolean[]> {
  const first = new Map<string, number>();
  for (const [i, it] of items.entries()) if (!first.has(it.nonce)) first.set(it.nonce, i);
  const sent = [...first.values()].map((i) => items[i]!);
  const r = await db.query<{ nonce: string }>(
    `INSERT INTO request_nonces (nonce, expires_at)
     SELECT * FROM unnest($1::text[], $2::timestamptz[])
     ON CONFLICT (nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
     WHERE request_nonces.expires_at <= EXCLUDED.expires_at - make_interval(secs => $3)
     RETURNING nonce`,
    [sent.map((it) => it.nonce), sent.map((it) => new Date(it.nowMs + windowMs)), windowMs / 1000],
  );
  const accepted = new Set(r.rows.map((row) => row.nonce));
  return items.map((it, i) => first.get(it.nonce) === i && accepted.has(it.nonce));
}
