import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/types.ts';
import { type AccessKey, countAccounts, createAccount, findAccessKey, newAccessKeyPair } from './accounts.ts';

export interface BootstrapResult {
  key: AccessKey;
  /** True when this start created the account. */
  created: boolean;
  /** True when this start generated a random pair: it is printed once, then (a pair from the environment never is). */
  generated?: boolean;
  credentialsFile?: string;
}

/**
 * Makes sure the first account exists. With OPENIMM_ACCESS_KEY_ID/SECRET it is that pair (added if new);
 * otherwise a random pair is created on the very first start and kept in `<dataDir>/credentials.json`.
 */
export async function bootstrapAccount(
  db: Db,
  opts: { dataDir: string; accessKeyId?: string; accessKeySecret?: string },
): Promise<BootstrapResult | undefined> {
  if (opts.accessKeyId && opts.accessKeySecret) {
    const existing = await findAccessKey(db, opts.accessKeyId);
    if (existing) {
      if (existing.secret !== opts.accessKeySecret) {
        await db.query('UPDATE access_keys SET secret = $2 WHERE access_key_id = $1', [
          opts.accessKeyId,
          opts.accessKeySecret,
        ]);
      }
      return { key: { ...existing, secret: opts.accessKeySecret }, created: false };
    }
    const key = await createAccount(db, {
      accessKeyId: opts.accessKeyId,
      accessKeySecret: opts.accessKeySecret,
    });
    return { key, created: true };
  }
  const credentialsFile = path.join(opts.dataDir, 'credentials.json');
  const stored = await readFile(credentialsFile, 'utf8').then(
    (t) => JSON.parse(t) as { accessKeyId: string; accessKeySecret: string; accountId: string },
    () => undefined,
  );
  if (stored) {
    const existing = await findAccessKey(db, stored.accessKeyId);
    if (existing) return { key: existing, created: false, credentialsFile };
  }
  if (!stored && (await countAccounts(db)) > 0) return undefined;
  const key = await createAccount(db, stored ?? newAccessKeyPair(), stored?.accountId);
  await mkdir(opts.dataDir, { recursive: true });
  await writeFile(
    credentialsFile,
    `${JSON.stringify({ accessKeyId: key.accessKeyId, accessKeySecret: key.secret, accountId: key.accountId }, null, 2)}\n`,
    { mode: 0o600 },
  );
  return { key, created: true, generated: !stored, credentialsFile };
}
