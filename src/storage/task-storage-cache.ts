import { type CredentialConfig, taskStorage } from './credential-config.ts';
import type { StorageRegistry } from './registry.ts';
import type { ScopedStorage } from './scoped-storage.ts';

type Scope = { accountId: string; serviceRole: string; region: string };

/**
 * `taskStorage` with the project-role case remembered: without a CredentialConfig the scoped storage depends only
 * on (account, role, region) and the static registry, and building its closures for every task was a measurable
 * share of the engine's cost per task. A CredentialConfig is resolved afresh each time (it may name any chain).
 */
export function cachedTaskStorage(registry: StorageRegistry, maxEntries = 1000) {
  // Keyed by account, then role, then region: a lookup makes no key string (one per task was 400 bytes of
  // garbage in the drain's allocation profile).
  const byScope = new Map<string, Map<string, Map<string, ScopedStorage>>>();
  let entries = 0;
  return (scope: Scope, cc?: CredentialConfig): ScopedStorage => {
    if (cc) return taskStorage(registry, scope, cc);
    let byRole = byScope.get(scope.accountId);
    let byRegion = byRole?.get(scope.serviceRole);
    let storage = byRegion?.get(scope.region);
    if (!storage) {
      storage = taskStorage(registry, scope);
      if (entries >= maxEntries) {
        byScope.clear();
        entries = 0;
        byRole = undefined;
        byRegion = undefined;
      }
      if (!byRole) {
        byRole = new Map();
        byScope.set(scope.accountId, byRole);
      }
      if (!byRegion) {
        byRegion = new Map();
        byRole.set(scope.serviceRole, byRegion);
      }
      byRegion.set(scope.region, storage);
      entries++;
    }
    return storage;
  };
}
