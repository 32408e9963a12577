import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorageRegistry, type StorageRegistry } from '../../src/storage/registry.ts';
import { cachedTaskStorage } from '../../src/storage/task-storage-cache.ts';

const ACCOUNT = '1111111111111111';

describe('cachedTaskStorage', () => {
  let dataDir: string;
  let registry: StorageRegistry;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
    registry = createStorageRegistry(
      {
        buckets: { bkt: { backend: 'fs', path: 'bkt', owners: [ACCOUNT] } },
        roles: {
          [ACCOUNT]: {
            Reader: { statements: [{ actions: ['read'], resources: ['oss://bkt/*'] }] },
            Writer: { statements: [{ actions: ['*'], resources: ['oss://bkt/*'] }] },
          },
        },
      },
      { dataDir, region: 'cn-hangzhou' },
    );
    await registry.ensureBucket('bkt');
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('reuses one storage per account, role and region, and keeps roles apart', async () => {
    const storageFor = cachedTaskStorage(registry);
    const scope = { accountId: ACCOUNT, serviceRole: 'Reader', region: 'cn-hangzhou' };
    const reader = storageFor(scope);
    expect(storageFor({ ...scope })).toBe(reader);
    const writer = storageFor({ ...scope, serviceRole: 'Writer' });
    expect(writer).not.toBe(reader);
    await expect(reader.write('oss://bkt/x', Buffer.from('x'))).rejects.toThrow();
    await expect(writer.write('oss://bkt/x', Buffer.from('x'))).resolves.toMatchObject({ key: 'x' });
  });

  it('resolves a CredentialConfig afresh, narrowed by its own role', async () => {
    const storageFor = cachedTaskStorage(registry);
    const scope = { accountId: ACCOUNT, serviceRole: 'Writer', region: 'cn-hangzhou' };
    const viaReader = storageFor(scope, { ServiceRole: 'Reader' });
    expect(viaReader).not.toBe(storageFor(scope));
    expect(viaReader.role).toBe('Reader');
    await expect(viaReader.write('oss://bkt/y', Buffer.from('y'))).rejects.toThrow();
  });
});
