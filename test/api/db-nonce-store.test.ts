import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbNonceStore } from '../../src/api/db-nonce-store.ts';
import { DATABASES, type TestDb } from '../helpers/db.ts';

for (const { name, make } of DATABASES) {
  describe(`shared nonce store on ${name}`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await make();
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('accepts a nonce once within its window, from any store on the same database', async () => {
      const now = Date.now();
      const one = createDbNonceStore(t.db, 60_000);
      const other = createDbNonceStore(t.db, 60_000);
      expect(await one.remember('n-1', now)).toBe(true);
      expect(await other.remember('n-1', now + 1000)).toBe(false);
      expect(await one.remember('n-2', now)).toBe(true);
    });

    it('accepts a nonce once among requests checked together', async () => {
      const store = createDbNonceStore(t.db, 60_000);
      const now = Date.now();
      const answers = await Promise.all([
        store.remember('n-4', now),
        store.remember('n-5', now),
        store.remember('n-4', now + 1),
      ]);
      expect(answers).toEqual([true, true, false]);
      expect(await store.remember('n-5', now + 2)).toBe(false);
    });

    it('forgets a nonce after its window', async () => {
      const store = createDbNonceStore(t.db, 1000);
      const now = Date.now();
      expect(await store.remember('n-3', now - 5000)).toBe(true);
      expect(await store.remember('n-3', now)).toBe(true);
      await store.sweep();
    });
  });
}
