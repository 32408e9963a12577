import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeExtendedMessage } from '../../src/notify/extended-message.ts';
import { TaskError } from '../../src/processors/task-error.ts';
import { denyAllPolicy } from '../../src/storage/policy.ts';
import { createScopedStorage } from '../../src/storage/scoped.ts';
import { makeTestStorage, TEST_ACCOUNT, TEST_REGION, type TestStorage } from '../helpers/storage.ts';

const content = {
  ProjectName: 'p',
  DatasetName: '',
  TaskType: 'ArchiveFileInspection',
  Status: 'Succeeded',
  SourceURI: 'oss://in-bkt/a.zip',
};

describe('writeExtendedMessage', () => {
  let s: TestStorage;
  beforeEach(async () => {
    s = await makeTestStorage();
    await s.put('oss://res-bkt/placeholder', 'x');
  });
  afterEach(async () => {
    await s.cleanup();
  });

  it('writes the content followed by the details as one JSON object, replacing an older object', async () => {
    await s.put('oss://res-bkt/out/detail.json', 'old');
    const files = [
      { Name: 'a.txt', Path: 'dir/a.txt', Size: 3, IsDir: false, LastModified: '2024-01-01T00:00:00Z' },
      { Name: 'dir', Path: 'dir/', Size: 0, IsDir: true, LastModified: '' },
    ];
    await writeExtendedMessage(s.scoped, 'oss://res-bkt/out/detail.json', content, {
      Files: files,
      Status: 'ignored',
    });
    const text = (await s.get('oss://res-bkt/out/detail.json')).toString('utf8');
    expect(text).toBe(JSON.stringify({ ...content, Files: files }));
  });

  it('streams a large entry list (80,000 entries) into valid JSON', async () => {
    const files = Array.from({ length: 80_000 }, (_, i) => ({ URI: `oss://out/x/${i}.bin`, Size: i }));
    await writeExtendedMessage(s.scoped, 'oss://res-bkt/big.json', content, { Files: files });
    const parsed = JSON.parse((await s.get('oss://res-bkt/big.json')).toString('utf8'));
    expect(parsed.Files).toHaveLength(80_000);
    expect(parsed.Files[79_999]).toEqual({ URI: 'oss://out/x/79999.bin', Size: 79_999 });
    expect(parsed.SourceURI).toBe('oss://in-bkt/a.zip');
  });

  it('writes an empty list and no details', async () => {
    await writeExtendedMessage(s.scoped, 'oss://res-bkt/e.json', content, { Files: [] });
    expect(JSON.parse((await s.get('oss://res-bkt/e.json')).toString()).Files).toEqual([]);
    await writeExtendedMessage(s.scoped, 'oss://res-bkt/n.json', content);
    expect(JSON.parse((await s.get('oss://res-bkt/n.json')).toString())).toEqual(content);
  });

  it('maps a denied write to NoPermission and an unknown bucket to InvalidArgument', async () => {
    const denied = createScopedStorage(s.registry, {
      accountId: TEST_ACCOUNT,
      serviceRole: 'ReadOnlyRole',
      region: TEST_REGION,
      policy: denyAllPolicy,
    });
    const e1 = await writeExtendedMessage(denied, 'oss://res-bkt/d.json', content).catch((e) => e);
    expect(e1).toBeInstanceOf(TaskError);
    expect(e1.code).toBe('NoPermission');
    const e2 = await writeExtendedMessage(s.scoped, 'oss://no-such-bucket/d.json', content).catch((e) => e);
    expect(e2).toBeInstanceOf(TaskError);
    expect(e2.code).toBe('InvalidArgument');
  });
});
