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
  const byScope = new Map<string, ScopedStorage>();
  return (scope: Scope, cc?: CredentialConfig): ScopedStorage => {
    if (cc) return taskStorage(registry, scope, cc);
    const key = `${scope.accountId}\n${scope.serviceRole}\n${scope.region}`;
    let storage = byScope.get(key);
    if (!storage) {
      storage = taskStorage(registry, scope);
      if (byScope.size >= maxEntries) byScope.clear();
      byScope.set(key, storage);
    }
    return storage;
  };
}
