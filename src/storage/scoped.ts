/**
 * Storage as one task sees it: OSS URIs in, every call checked (bucket known and in the region, the
 * role's policy allows the access) before the backend is touched.
 */
import { AccessDeniedError, BucketNotFoundError, type ObjectInfo, ObjectNotFoundError } from './backend.ts';
import { BucketRegionError, InvalidUriError } from './errors.ts';
import { isFsBackend } from './fs/fs-backend.ts';
import { formatOssUri, parseOssUri } from './oss-uri.ts';
import { type AccessKind, denyAllPolicy, type Policy } from './policy.ts';
import type { BucketHandle, StorageRegistry } from './registry.ts';
import type { ScopedObjectInfo, ScopedStorage } from './scoped-storage.ts';

export interface StorageScope {
  accountId: string;
  /** The role acting; its policy comes from the registry unless `policy` is given. */
  serviceRole: string;
  /** The project's region (defaults to the server's). */
  region?: string;
  /** An already resolved policy (e.g. a CredentialConfig chain narrowed by its session policy). */
  policy?: Policy;
}

type Operation = 'read' | 'write' | 'list' | 'delete';
const ACCESS: Record<Operation, AccessKind> = { read: 'read', list: 'read', write: 'write', delete: 'write' };

export function createScopedStorage(registry: StorageRegistry, scope: StorageScope): ScopedStorage {
  const region = scope.region ?? registry.region;
  const policy = scope.policy ?? registry.policyFor(scope.accountId, scope.serviceRole) ?? denyAllPolicy;

  function locate(uri: string): { bucket: string; key: string } {
    try {
      return parseOssUri(uri);
    } catch (err) {
      throw new InvalidUriError(uri, err instanceof Error ? err.message : String(err));
    }
  }

  function bucketOf(name: string): BucketHandle {
    const handle = registry.bucket(name);
    if (!handle) throw new BucketNotFoundError(name);
    if (handle.region !== region) throw new BucketRegionError(name, handle.region, region);
    return handle;
  }

  /** Parses, finds the bucket and checks the policy: the order gives the most precise error first. */
  function authorize(uri: string, op: Operation) {
    const loc = locate(uri);
    const handle = bucketOf(loc.bucket);
    if (!policy.allows(ACCESS[op], loc.bucket, loc.key)) {
      throw new AccessDeniedError(uri, op, scope.serviceRole);
    }
    return { ...loc, handle };
  }

  const scoped = (bucket: string, info: ObjectInfo): ScopedObjectInfo => ({
    ...info,
    bucket,
    uri: formatOssUri(bucket, info.key),
  });

  return {
    role: scope.serviceRole,
    async head(uri) {
      const { bucket, key, handle } = authorize(uri, 'read');
      const info = await handle.backend.head(key);
      return info ? scoped(bucket, info) : null;
    },
    async read(uri, opts) {
      const { key, handle } = authorize(uri, 'read');
      try {
        return await handle.backend.read(key, opts);
      } catch (err) {
        // Backends name only the key; the task's message must carry the URI the client sent.
        if (err instanceof ObjectNotFoundError) throw new ObjectNotFoundError(uri);
        throw err;
      }
    },
    async write(uri, body, opts) {
      const { bucket, key, handle } = authorize(uri, 'write');
      return scoped(bucket, await handle.backend.write(key, body, opts));
    },
    localPath(uri) {
      const { key, handle } = authorize(uri, 'read');
      return isFsBackend(handle.backend) ? handle.backend.pathOf(key) : null;
    },
    async *list(prefixUri, opts) {
      const { bucket, key, handle } = authorize(prefixUri, 'list');
      for await (const info of handle.backend.list(key, opts)) {
        // A deny statement may hide part of an allowed prefix.
        if (policy.allows('read', bucket, info.key)) yield scoped(bucket, info);
      }
    },
    async delete(uri) {
      const { key, handle } = authorize(uri, 'delete');
      await handle.backend.delete(key);
    },
    canRead: (uri) => check(uri, 'read'),
    canWrite: (uri) => check(uri, 'write'),
    hasBucket(bucket) {
      const handle = registry.bucket(bucket);
      return handle !== null && handle.region === region;
    },
  };

  function check(uri: string, access: AccessKind): boolean {
    try {
      const { bucket, key } = parseOssUri(uri);
      return policy.allows(access, bucket, key);
    } catch {
      return false;
    }
  }
}
