import { randomBytes, randomInt } from 'node:crypto';
import type { Queryable } from '../db/types.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[bytes[i]! % ALNUM.length];
  return out;
}

/** Alibaba Cloud account ids are 16 digits. */
export function newAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 15; i++) id += String(randomInt(0, 10));
  return id;
}

export function newAccessKeyPair(): { accessKeyId: string; accessKeySecret: string } {
  return { accessKeyId: `LTAI${randomString(20)}`, accessKeySecret: randomString(30) };
}

export interface AccessKey {
  accessKeyId: string;
  accountId: string;
  secret: string;
}

export async function findAccessKey(db: Queryable, accessKeyId: string): Promise<AccessKey | null> {
  const r = await db.query<{ access_key_id: string; account_id: string; secret: string }>(
    'SELECT access_key_id, account_id, secret FROM access_keys WHERE access_key_id = $1',
    [accessKeyId],
  );
  const row = r.rows[0];
  return row ? { accessKeyId: row.access_key_id, accountId: row.account_id, secret: row.secret } : null;
}

/** Creates an account with one AccessKey pair. */
export async function createAccount(
  db: Queryable,
  pair: { accessKeyId: string; accessKeySecret: string },
  accountId = newAccountId(),
): Promise<AccessKey> {
  await db.query('INSERT INTO accounts (id) VALUES ($1) ON CONFLICT DO NOTHING', [accountId]);
  await db.query('INSERT INTO access_keys (access_key_id, account_id, secret) VALUES ($1, $2, $3)', [
    pair.accessKeyId,
    accountId,
    pair.accessKeySecret,
  ]);
  return { accessKeyId: pair.accessKeyId, accountId, secret: pair.accessKeySecret };
}

export async function countAccounts(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
  return r.rows[0]?.n ?? 0;
}
