/**
 * Service-role lookup. Roles are configured per account (or for every account under `*`); the
 * account's own entry wins. `AliyunIMMDefaultRole` exists for every account even when not configured.
 */
import type { RoleConfig, StorageConfig } from './config.ts';

export const DEFAULT_ROLE_NAME = 'AliyunIMMDefaultRole';

/** Marker for the built-in default role (its policy depends on bucket ownership, not on statements). */
export const DEFAULT_ROLE = Symbol('AliyunIMMDefaultRole');

export function lookupRole(
  cfg: Pick<StorageConfig, 'roles'>,
  accountId: string,
  role: string,
): RoleConfig | typeof DEFAULT_ROLE | null {
  const own = cfg.roles[accountId]?.[role];
  if (own) return own;
  const shared = cfg.roles['*']?.[role];
  if (shared) return shared;
  return role === DEFAULT_ROLE_NAME ? DEFAULT_ROLE : null;
}
