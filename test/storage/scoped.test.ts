import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessDeniedError, BucketNotFoundError, ObjectNotFoundError } from '../../src/storage/backend.ts';
import { compilePolicy } from '../../src/storage/policy.ts';
import { createScopedStorage } from '../../src/storage/scoped.ts';
import { makeTestStorage, TEST_ACCOUNT, type TestStorage } from '../helpers/storage.ts';

describe('scoped storage', () => {
  let ts: TestStorage;
  beforeEach(async () => {
    ts = await makeTestStorage();
  });
  afterEach(() => ts.cleanup());

  it('reads, writes and lists by OSS URI through the embedded fs buckets', async () => {
    await ts.put('oss://bucket-a/in/one.txt', 'one');
    await ts.put('oss://bucket-a/in/two.txt', 'two');
    expect((await ts.get('oss://bucket-a/in/two.txt')).toString()).toBe('two');
    expect(await ts.list('oss://bucket-a/in/')).toEqual([
      'oss://bucket-a/in/one.txt',
      'oss://bucket-a/in/two.txt',
    ]);
    expect(await ts.exists('oss://bucket-a/in/three.txt')).toBe(false);
    const head = await ts.scoped.head('oss://bucket-a/in/one.txt');
    expect(head).toMatchObject({
      uri: 'oss://bucket-a/in/one.txt',
      bucket: 'bucket-a',
      key: 'in/one.txt',
      size: 3,
    });
  });

  it('answers BucketNotFoundError for unknown buckets and ObjectNotFoundError with the URI', async () => {
    await expect(ts.scoped.read('oss://no-such-bucket/x')).rejects.toBeInstanceOf(BucketNotFoundError);
    expect(ts.scoped.hasBucket('no-such-bucket')).toBe(false);
    await ts.put('oss://bucket-a/x', 'x');
    expect(ts.scoped.hasBucket('bucket-a')).toBe(true);
    await expect(ts.scoped.read('oss://bucket-a/missing.txt')).rejects.toThrow(
      new ObjectNotFoundError('oss://bucket-a/missing.txt'),
    );
  });

  it('checks the policy on every call before touching the backend', async () => {
    await ts.put('oss://bucket-a/in/a.txt', 'a');
    await ts.put('oss://bucket-b/secret/s.txt', 's');
    const limited = createScopedStorage(ts.registry, {
      accountId: TEST_ACCOUNT,
      serviceRole: 'LimitedRole',
      policy: compilePolicy([
        { actions: ['read'], resources: ['oss://bucket-a/*'] },
        { actions: ['write'], resources: ['oss://bucket-b/out/*'] },
      ]),
    });
    expect((await limited.head('oss://bucket-a/in/a.txt'))?.size).toBe(1);
    await expect(limited.read('oss://bucket-b/secret/s.txt')).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(limited.write('oss://bucket-a/in/b.txt', Buffer.from('b'))).rejects.toThrow(
      'The service role LimitedRole is not allowed to write oss://bucket-a/in/b.txt.',
    );
    await limited.write('oss://bucket-b/out/r.txt', Buffer.from('r'));
    // the local file behind an object is a read too
    const local = limited.localPath('oss://bucket-a/in/a.txt');
    expect(local && (await readFile(local, 'utf8'))).toBe('a');
    expect(() => limited.localPath('oss://bucket-b/secret/s.txt')).toThrow(AccessDeniedError);
    await expect(limited.delete('oss://bucket-b/secret/s.txt')).rejects.toBeInstanceOf(AccessDeniedError);
    expect(await ts.exists('oss://bucket-b/secret/s.txt')).toBe(true);
    expect(await ts.exists('oss://bucket-a/in/b.txt')).toBe(false);
    expect(limited.canRead('oss://bucket-a/x')).toBe(true);
    expect(limited.canWrite('oss://bucket-a/x')).toBe(false);
    expect(limited.canWrite('oss://bucket-b/out/deep/x')).toBe(true);
    expect(limited.canWrite('not a uri')).toBe(false);
  });

  it('treats a bucket of another region as missing', async () => {
    await ts.put('oss://bucket-a/x', 'x');
    const elsewhere = createScopedStorage(ts.registry, {
      accountId: TEST_ACCOUNT,
      serviceRole: 'AliyunIMMDefaultRole',
      region: 'cn-beijing',
    });
    await expect(elsewhere.head('oss://bucket-a/x')).rejects.toThrow(/region cn-hangzhou.*cn-beijing/);
    expect(elsewhere.hasBucket('bucket-a')).toBe(false);
  });

  it('denies everything to a role the account does not have', async () => {
    await ts.put('oss://bucket-a/x', 'x');
    const unknown = createScopedStorage(ts.registry, { accountId: TEST_ACCOUNT, serviceRole: 'NoSuchRole' });
    await expect(unknown.head('oss://bucket-a/x')).rejects.toBeInstanceOf(AccessDeniedError);
    const byDefault = createScopedStorage(ts.registry, {
      accountId: TEST_ACCOUNT,
      serviceRole: 'AliyunIMMDefaultRole',
    });
    expect((await byDefault.head('oss://bucket-a/x'))?.size).toBe(1);
  });
});
