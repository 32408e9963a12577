import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessKeyCache } from '../../src/accounts/access-key-cache.ts';
import { createAccount } from '../../src/accounts/accounts.ts';
import { makePgliteDb, type TestDb } from '../helpers/db.ts';

describe('createAccessKeyCache', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await makePgliteDb();
  });
  afterAll(() => t.drop());

  it('answers from memory within its lifetime and reads the database again after it', async () => {
    await createAccount(t.db, { accessKeyId: 'LTAIcache0001', accessKeySecret: 'first' });
    const cache = createAccessKeyCache(t.db, 150);
    expect((await cache.find('LTAIcache0001'))?.secret).toBe('first');
    await t.db.query(`UPDATE access_keys SET secret = 'second' WHERE access_key_id = 'LTAIcache0001'`);
    expect((await cache.find('LTAIcache0001'))?.secret).toBe('first');
    await new Promise((r) => setTimeout(r, 200));
    expect((await cache.find('LTAIcache0001'))?.secret).toBe('second');
  });

  it('does not remember an unknown key: a key created later works at once', async () => {
    const cache = createAccessKeyCache(t.db, 60_000);
    expect(await cache.find('LTAIcache0002')).toBeNull();
    await createAccount(t.db, { accessKeyId: 'LTAIcache0002', accessKeySecret: 'new' });
    expect((await cache.find('LTAIcache0002'))?.secret).toBe('new');
  });
});
