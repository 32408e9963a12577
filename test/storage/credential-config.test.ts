import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImmError } from '../../src/protocol/errors.ts';
import { AccessDeniedError } from '../../src/storage/backend.ts';
import { resolveCredentialConfig, taskStorage } from '../../src/storage/credential-config.ts';
import { createStorageRegistry, type StorageRegistry } from '../../src/storage/registry.ts';

const CALLER = '1111111111111111';
const PARTNER = '2222222222222222';

function immError(fn: () => unknown): ImmError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImmError) return err;
    throw err;
  }
  throw new Error('expected an ImmError');
}

describe('resolveCredentialConfig', () => {
  let dataDir: string;
  let registry: StorageRegistry;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
    registry = createStorageRegistry(
      {
        buckets: {
          'caller-bucket': { backend: 'fs', path: 'c', owners: [CALLER] },
          'partner-bucket': { backend: 'fs', path: 'p', owners: [PARTNER] },
        },
        roles: {
          [CALLER]: {
            ProjectRole: { statements: [{ actions: ['read'], resources: ['oss://caller-bucket/*'] }] },
            Hop: { statements: [{ actions: ['*'], resources: ['oss://caller-bucket/hop/*'] }] },
          },
          [PARTNER]: {
            PartnerRole: {
              statements: [{ actions: ['*'], resources: ['oss://partner-bucket/*'] }],
              trustedAccounts: [CALLER],
            },
            PrivateRole: { statements: [{ actions: ['*'], resources: ['oss://partner-bucket/*'] }] },
          },
        },
      },
      { dataDir, region: 'cn-hangzhou' },
    );
    await registry.ensureBucket('caller-bucket');
    await registry.ensureBucket('partner-bucket');
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('uses the project role when there is no CredentialConfig', () => {
    const r = resolveCredentialConfig(registry, CALLER, 'ProjectRole');
    expect(r.role).toBe('ProjectRole');
    expect(r.policy.allows('read', 'caller-bucket', 'x')).toBe(true);
    expect(r.policy.allows('write', 'caller-bucket', 'x')).toBe(false);
  });

  it('follows a chain within the account and across a trusting account', () => {
    const inAccount = resolveCredentialConfig(registry, CALLER, 'ProjectRole', { Chain: [{ Role: 'Hop' }] });
    expect(inAccount).toMatchObject({ accountId: CALLER, role: 'Hop' });
    expect(inAccount.policy.allows('write', 'caller-bucket', 'hop/x')).toBe(true);
    const across = resolveCredentialConfig(registry, CALLER, 'ProjectRole', {
      ServiceRole: 'AliyunIMMDefaultRole',
      Chain: [{ Role: `acs:ram::${PARTNER}:role/PartnerRole`, RoleType: 'user' }],
    });
    expect(across).toMatchObject({ accountId: PARTNER, role: 'PartnerRole' });
    expect(across.policy.allows('write', 'partner-bucket', 'x')).toBe(true);
    expect(across.policy.allows('read', 'caller-bucket', 'x')).toBe(false);
  });

  it('narrows the result with the session policy', () => {
    const r = resolveCredentialConfig(registry, CALLER, 'ProjectRole', {
      Chain: [{ Role: 'PartnerRole', AssumeRoleFor: PARTNER }],
      Policy: JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:partner-bucket/in/*' },
        ],
      }),
    });
    expect(r.policy.allows('read', 'partner-bucket', 'in/a')).toBe(true);
    expect(r.policy.allows('read', 'partner-bucket', 'other/a')).toBe(false);
    expect(r.policy.allows('write', 'partner-bucket', 'in/a')).toBe(false);
  });

  it.each([
    [{ ServiceRole: 'Missing' }, 'The service role Missing does not exist.'],
    [{ ServiceRole: `acs:ram::${PARTNER}:role/PartnerRole` }, 'must be a role of the calling account'],
    [{ Chain: [{ Role: 'PrivateRole', AssumeRoleFor: PARTNER }] }, 'does not trust account 1111111111111111'],
    [{ Chain: [{ Role: 'NoSuch', AssumeRoleFor: PARTNER }] }, 'does not exist or does not trust'],
    [
      { Chain: [{ Role: `acs:ram::${PARTNER}:role/PartnerRole`, AssumeRoleFor: CALLER }] },
      'different accounts',
    ],
    [{ Chain: [{ Role: 'Hop' }, { Role: 'Hop' }, { Role: 'Hop' }, { Role: 'Hop' }] }, 'at most 3 roles'],
    [{ Policy: '{oops' }, 'CredentialConfig.Policy'],
  ])('refuses %j with InvalidArgument', (cc, fragment) => {
    const err = immError(() => resolveCredentialConfig(registry, CALLER, 'ProjectRole', cc as never));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain(fragment);
  });

  it('gives a task storage acting as the resolved role', async () => {
    const storage = taskStorage(
      registry,
      { accountId: CALLER, serviceRole: 'ProjectRole', region: 'cn-hangzhou' },
      {
        Chain: [{ Role: 'PartnerRole', AssumeRoleFor: PARTNER }],
      },
    );
    expect(storage.role).toBe('PartnerRole');
    await storage.write('oss://partner-bucket/out.txt', Buffer.from('x'));
    await expect(storage.read('oss://caller-bucket/a')).rejects.toBeInstanceOf(AccessDeniedError);
  });
});
