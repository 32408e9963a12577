import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { BucketNotFoundError } from '../../src/storage/backend.ts';
import { storageConfigSchema } from '../../src/storage/config.ts';
import { createStorageRegistry } from '../../src/storage/registry.ts';
import { createScopedStorage } from '../../src/storage/scoped.ts';
import { startTempSweeper } from '../../src/storage/temp-sweeper.ts';

describe('storage registry', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('serves folders under <dataDir>/oss as buckets of the server region', async () => {
    await mkdir(path.join(dataDir, 'oss', 'photos'), { recursive: true });
    await mkdir(path.join(dataDir, 'oss', 'Not_A_Bucket'), { recursive: true });
    await writeFile(path.join(dataDir, 'oss', 'file-not-bucket'), 'x');
    const r = createStorageRegistry(undefined, { dataDir, region: 'cn-hangzhou' });
    expect(r.bucket('photos')).toMatchObject({ name: 'photos', region: 'cn-hangzhou' });
    expect(r.bucket('photos')?.backend.kind).toBe('fs');
    expect(r.bucket('Not_A_Bucket')).toBeNull();
    expect(r.bucket('file-not-bucket')).toBeNull();
    expect(r.bucket('absent')).toBeNull();
    await r.ensureBucket('fresh-one');
    expect((await r.listBuckets()).map((b) => b.name)).toEqual(['fresh-one', 'photos']);
    await expect(r.ensureBucket('Bad_Name')).rejects.toBeInstanceOf(BucketNotFoundError);
  });

  it('takes configured fs buckets, with their regions and owners', async () => {
    const r = createStorageRegistry(
      {
        buckets: {
          local: { backend: 'fs', path: 'elsewhere/local' },
          north: { backend: 'fs', path: path.join(dataDir, 'north'), region: 'cn-beijing', owners: ['111'] },
        },
        embeddedBuckets: false,
      },
      { dataDir, region: 'cn-hangzhou' },
    );
    await mkdir(path.join(dataDir, 'oss', 'ignored'), { recursive: true });
    expect(r.bucket('ignored')).toBeNull();
    await expect(r.ensureBucket('ignored')).rejects.toBeInstanceOf(BucketNotFoundError);
    expect(r.bucket('north')).toMatchObject({ region: 'cn-beijing', owners: ['111'] });
    const local = await r.ensureBucket('local');
    await local.backend.write('k', Buffer.from('v'));
    expect((await r.bucket('local')!.backend.head('k'))?.size).toBe(1);
    const inBeijing = createScopedStorage(r, {
      accountId: '111',
      serviceRole: 'AliyunIMMDefaultRole',
      region: 'cn-beijing',
    });
    expect(inBeijing.hasBucket('north')).toBe(true);
    expect(inBeijing.hasBucket('local')).toBe(false);
  });

  it('gives AliyunIMMDefaultRole the buckets the account owns', async () => {
    const r = createStorageRegistry(
      {
        buckets: {
          mine: { backend: 'fs', path: 'mine', owners: ['111'] },
          theirs: { backend: 'fs', path: 'theirs', owners: ['222'] },
          shared: { backend: 'fs', path: 'shared' },
        },
      },
      { dataDir, region: 'cn-hangzhou' },
    );
    const policy = r.policyFor('111', 'AliyunIMMDefaultRole')!;
    expect(policy.allows('write', 'mine', 'x')).toBe(true);
    expect(policy.allows('read', 'theirs', 'x')).toBe(false);
    expect(policy.allows('read', 'shared', 'x')).toBe(true);
  });

  it('knows the roles configured per account and for every account', () => {
    const r = createStorageRegistry(
      {
        roles: {
          '111': {
            Reader: { statements: [{ actions: ['read'], resources: ['oss://a-bucket/*'] }] },
            AliyunIMMDefaultRole: { statements: [{ actions: ['read'], resources: ['oss://only-this/*'] }] },
          },
          '*': { Everyone: { statements: [{ actions: ['*'], resources: ['oss://common/*'] }] } },
        },
      },
      { dataDir, region: 'cn-hangzhou' },
    );
    expect(r.roleExists('111', 'Reader')).toBe(true);
    expect(r.roleExists('222', 'Reader')).toBe(false);
    expect(r.roleExists('222', 'Everyone')).toBe(true);
    expect(r.roleExists('222', 'AliyunIMMDefaultRole')).toBe(true);
    expect(r.roleExists('111', 'Nope')).toBe(false);
    expect(r.policyFor('111', 'Nope')).toBeNull();
    expect(r.policyFor('111', 'Reader')!.allows('read', 'a-bucket', 'k')).toBe(true);
    expect(r.policyFor('111', 'Reader')!.allows('write', 'a-bucket', 'k')).toBe(false);
    // A configured default role replaces the built-in one for that account.
    expect(r.policyFor('111', 'AliyunIMMDefaultRole')!.allows('read', 'a-bucket', 'k')).toBe(false);
    expect(r.policyFor('111', 'AliyunIMMDefaultRole')!.allows('read', 'only-this', 'k')).toBe(true);
  });

  it('validates the config shape with precise messages', () => {
    const bad = storageConfigSchema.safeParse({ buckets: { UPPER: { backend: 'fs', path: 'x' } } });
    expect(bad.success).toBe(false);
    const noBackend = storageConfigSchema.safeParse({ buckets: { ok: { path: 'x' } } });
    expect(noBackend.success).toBe(false);
    const s3 = storageConfigSchema.parse({
      buckets: { media: { backend: 's3', endpoint: 'http://127.0.0.1:9000', bucket: 'real' } },
    });
    expect(s3.buckets.media).toMatchObject({
      forcePathStyle: false,
      partSizeMiB: 8,
      queueSize: 3,
      signingRegion: 'us-east-1',
    });
    expect(s3.embeddedBuckets).toBe(true);
  });
});

describe('temp sweep', () => {
  it('removes stale temp files of fs buckets and keeps fresh ones', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
    try {
      const r = createStorageRegistry(undefined, { dataDir, region: 'cn-hangzhou' });
      const b = await r.ensureBucket('swept');
      await b.backend.write('kept.txt', Buffer.from('k'));
      const tmpDir = path.join(dataDir, 'oss', 'swept', '.openimm-tmp');
      await writeFile(path.join(tmpDir, 'stale'), 'half');
      const old = new Date(Date.now() - 3_600_000);
      await utimes(path.join(tmpDir, 'stale'), old, old);
      await writeFile(path.join(tmpDir, 'fresh'), 'in flight');
      const heard: Array<[string, number]> = [];
      expect(await r.sweepTemp(600_000, (bucket, n) => heard.push([bucket, n]))).toBe(1);
      expect(heard).toEqual([['swept', 1]]);
      expect((await readdir(tmpDir)).filter((n) => n !== 'folders')).toEqual(['fresh']);
      expect((await b.backend.head('kept.txt'))?.size).toBe(1);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('the worker sweeper removes day-old temp files and logs what it removed', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
    try {
      const r = createStorageRegistry(undefined, { dataDir, region: 'cn-hangzhou' });
      await r.ensureBucket('crashed');
      const tmpDir = path.join(dataDir, 'oss', 'crashed', '.openimm-tmp');
      await mkdir(tmpDir, { recursive: true });
      await writeFile(path.join(tmpDir, 'two-days-old'), 'half');
      const old = new Date(Date.now() - 48 * 3_600_000);
      await utimes(path.join(tmpDir, 'two-days-old'), old, old);
      await writeFile(path.join(tmpDir, 'an-hour-old'), 'half');
      const hour = new Date(Date.now() - 3_600_000);
      await utimes(path.join(tmpDir, 'an-hour-old'), hour, hour);
      const logged: unknown[] = [];
      const log = { info: (obj: unknown, msg: string) => logged.push({ obj, msg }), warn: () => {} };
      const sweeper = startTempSweeper(r, log as never);
      try {
        expect(await sweeper.sweep()).toBe(1);
      } finally {
        sweeper.stop();
      }
      expect(await readdir(tmpDir)).toEqual(['an-hour-old']);
      expect(logged).toEqual([
        { obj: { bucket: 'crashed', removed: 1, olderThanHours: 24 }, msg: 'removed stale temp files' },
      ]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('OPENIMM_STORAGE_EMBEDDED_BUCKETS', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
    await mkdir(path.join(dataDir, 'oss', 'folder-bucket'), { recursive: true });
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  async function registryWith(env: Record<string, string>, file?: object) {
    let configFile: string | undefined;
    if (file) {
      configFile = path.join(dataDir, 'openimm.json');
      await writeFile(configFile, JSON.stringify(file));
    }
    const config = await loadConfig({ env, file: configFile, flags: { dataDir } });
    return createStorageRegistry(config.storage, { dataDir, region: config.region });
  }

  it('false serves configured buckets only; true (the default) serves the folders too', async () => {
    const off = await registryWith(
      { OPENIMM_STORAGE_EMBEDDED_BUCKETS: 'false' },
      { storage: { buckets: { configured: { backend: 'fs', path: 'conf' } } } },
    );
    expect(off.bucket('folder-bucket')).toBeNull();
    expect(off.bucket('configured')).not.toBeNull();
    await expect(off.ensureBucket('new-bucket')).rejects.toBeInstanceOf(BucketNotFoundError);
    expect((await off.listBuckets()).map((b) => b.name)).toEqual(['configured']);

    const on = await registryWith({ OPENIMM_STORAGE_EMBEDDED_BUCKETS: 'true' });
    expect(on.bucket('folder-bucket')).not.toBeNull();
    expect((await registryWith({})).bucket('folder-bucket')).not.toBeNull();
  });

  it('overrides the file and refuses a value that is not a switch', async () => {
    const off = await registryWith(
      { OPENIMM_STORAGE_EMBEDDED_BUCKETS: '0' },
      { storage: { embeddedBuckets: true } },
    );
    expect(off.bucket('folder-bucket')).toBeNull();
    await expect(registryWith({ OPENIMM_STORAGE_EMBEDDED_BUCKETS: 'a,b' })).rejects.toThrow(
      /embeddedBuckets/,
    );
  });
});
