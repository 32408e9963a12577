import type { Db } from '../db/types.ts';
import type { NonceStore } from '../protocol/nonce-cache.ts';

/**
 * Replay protection shared by every API process of a cluster: a nonce is new when its row inserts. Expired rows
 * are swept now and then; an expired nonce whose row is still there is taken over by the upsert.
 */
export function createDbNonceStore(db: Db, windowMs: number): NonceStore & { sweep(): Promise<void> } {
  let lastSweep = 0;
  return {
    async remember(nonce, nowMs) {
      const now = new Date(nowMs);
      const r = await db.query(
        `INSERT INTO request_nonces (nonce, expires_at) VALUES ($1, $2)
         ON CONFLICT (nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE request_nonces.expires_at <= $3`,
        [nonce, new Date(nowMs + windowMs), now],
      );
      if (nowMs - lastSweep > 60_000) {
        lastSweep = nowMs;
        void this.sweep().catch(() => {});
      }
      return r.affectedRows === 1;
    },
    async sweep() {
      await db.query('DELETE FROM request_nonces WHERE expires_at <= now()');
    },
  };
}
