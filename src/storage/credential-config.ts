/**
 * CredentialConfig (spec 3.3): a task may act as another role than its project's, reached through a
 * chain of role assumptions and narrowed by a session policy. openimm resolves the chain against the
 * roles in its config: every hop must exist, a hop into another account must be trusted by that
 * role, and the result is the last role's policy intersected with the session policy.
 */
import { z } from 'zod';
import { Errors } from '../protocol/errors.ts';
import { denyAllPolicy, intersectPolicies, type Policy } from './policy.ts';
import { parseRamPolicy } from './ram-policy.ts';
import type { StorageRegistry } from './registry.ts';
import { DEFAULT_ROLE_NAME } from './roles.ts';
import { createScopedStorage } from './scoped.ts';
import type { ScopedStorage } from './scoped-storage.ts';

export const MAX_CHAIN_LENGTH = 3;

export const credentialConfigSchema = z.object({
  ServiceRole: z.string().min(1).optional(),
  Policy: z.string().optional(),
  Chain: z
    .array(
      z.object({
        Role: z.string().min(1),
        RoleType: z.enum(['user', 'service']).optional(),
        AssumeRoleFor: z.string().min(1).optional(),
      }),
    )
    .optional(),
});

export type CredentialConfig = z.infer<typeof credentialConfigSchema>;

/**
 * A task's `CredentialConfig` as its stored request holds it (JSON text, or an object rebuilt from the
 * flattened form); absent or empty is `undefined`. The API checked it at create time, so a failure here
 * means the stored request was altered.
 */
export function parseCredentialConfig(value: unknown): CredentialConfig | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    return undefined;
  }
  let decoded = value;
  if (typeof value === 'string') {
    try {
      decoded = JSON.parse(value);
    } catch {
      throw Errors.invalidJson('CredentialConfig');
    }
  }
  const parsed = credentialConfigSchema.safeParse(decoded);
  if (!parsed.success) {
    throw Errors.invalidParameter('CredentialConfig', parsed.error.issues[0]?.message);
  }
  return parsed.data;
}

export interface ResolvedCredentials {
  /** The account whose role acts (differs from the caller's after a cross-account hop). */
  accountId: string;
  /** Name of the role that acts, shown in permission errors. */
  role: string;
  policy: Policy;
}

/** `acs:ram::<account>:role/<name>` or a bare role name. */
export function parseRoleRef(ref: string): { accountId?: string; role: string } {
  const m = /^acs:ram::(\d+):role\/(.+)$/i.exec(ref);
  return m ? { accountId: m[1], role: m[2] } : { role: ref };
}

export function resolveCredentialConfig(
  registry: StorageRegistry,
  accountId: string,
  projectRole: string,
  cc?: CredentialConfig,
): ResolvedCredentials {
  const param = 'CredentialConfig';
  if (!cc || (!cc.ServiceRole && !cc.Policy && !cc.Chain?.length)) {
    return {
      accountId,
      role: projectRole,
      policy: registry.policyFor(accountId, projectRole) ?? denyAllPolicy,
    };
  }
  const first = parseRoleRef(cc.ServiceRole ?? DEFAULT_ROLE_NAME);
  if (first.accountId && first.accountId !== accountId) {
    throw Errors.invalidParameter(param, 'ServiceRole must be a role of the calling account.');
  }
  if (!registry.roleExists(accountId, first.role)) {
    throw Errors.invalidParameter(param, `The service role ${first.role} does not exist.`);
  }
  const chain = cc.Chain ?? [];
  if (chain.length > MAX_CHAIN_LENGTH) {
    throw Errors.invalidParameter(param, `A Chain has at most ${MAX_CHAIN_LENGTH} roles.`);
  }
  let current = { accountId, role: first.role };
  for (const [i, link] of chain.entries()) {
    const ref = parseRoleRef(link.Role);
    const target = link.AssumeRoleFor ?? ref.accountId ?? current.accountId;
    if (ref.accountId && link.AssumeRoleFor && ref.accountId !== link.AssumeRoleFor) {
      throw Errors.invalidParameter(param, `Chain[${i}]: Role and AssumeRoleFor name different accounts.`);
    }
    if (!registry.roleTrusts(target, ref.role, current.accountId)) {
      throw Errors.invalidParameter(
        param,
        `Chain[${i}]: the role ${ref.role} of account ${target} does not exist or does not trust account ${current.accountId}.`,
      );
    }
    current = { accountId: target, role: ref.role };
  }
  let policy = registry.policyFor(current.accountId, current.role) ?? denyAllPolicy;
  if (cc.Policy?.trim()) policy = intersectPolicies(policy, parseRamPolicy(cc.Policy, `${param}.Policy`));
  return { accountId: current.accountId, role: current.role, policy };
}

/** The storage a task uses: its project's role, or the role its CredentialConfig resolves to. */
export function taskStorage(
  registry: StorageRegistry,
  scope: { accountId: string; serviceRole: string; region: string },
  cc?: CredentialConfig,
): ScopedStorage {
  const resolved = resolveCredentialConfig(registry, scope.accountId, scope.serviceRole, cc);
  return createScopedStorage(registry, {
    accountId: resolved.accountId,
    serviceRole: resolved.role,
    region: scope.region,
    policy: resolved.policy,
  });
}
