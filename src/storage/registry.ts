/**
 * The bucket registry: which buckets exist, in which region, on which backend, and which service roles
 * each account has. Configured buckets come first; in embedded mode every folder under
 * `<dataDir>/oss/` is also an fs bucket of the server's region.
 */
import { statSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { BucketNotFoundError, type StorageBackend } from './backend.ts';
import { createBucketBackend } from './bucket-backend.ts';
import { type StorageConfigInput, storageConfigSchema } from './config.ts';
import { isFsBackend } from './fs/fs-backend.ts';
import { sweepFsTemp } from './fs/temp-sweep.ts';
import { isValidBucketName } from './oss-uri.ts';
import { compilePolicy, type Policy } from './policy.ts';
import { DEFAULT_ROLE, lookupRole } from './roles.ts';

/** How long an embedded bucket's folder, once seen, is taken to exist without another stat. */
const EMBEDDED_BUCKET_TTL_MS = 2000;

export interface BucketHandle {
  name: string;
  region: string;
  backend: StorageBackend;
  /** Accounts owning the bucket (absent: every account). */
  owners?: string[];
}

export interface StorageRegistry {
  /** The server's region. */
  readonly region: string;
  /** The bucket, or null when unknown (in any region). */
  bucket(name: string): BucketHandle | null;
  /** Creates an embedded fs bucket (or returns the existing one). */
  ensureBucket(name: string): Promise<BucketHandle>;
  listBuckets(): Promise<BucketHandle[]>;
  /** For CreateProject/UpdateProject: is `role` a service role of this account? */
  roleExists(accountId: string, role: string): boolean;
  /** The role's policy, or null when the account has no such role. */
  policyFor(accountId: string, role: string): Policy | null;
  /** Accounts other than the owner that may assume the role (CredentialConfig chains). */
  roleTrusts(ownerAccountId: string, role: string, callerAccountId: string): boolean;
  /**
   * Removes temp files of fs buckets older than `olderThanMs` (writes cut short by a crash); call at
   * start-up with a margin longer than any write. Returns how many were removed; `onRemoved` hears the
   * count of each bucket that had some.
   */
  sweepTemp(olderThanMs: number, onRemoved?: (bucket: string, removed: number) => void): Promise<number>;
  close(): Promise<void>;
}

export interface RegistryOptions {
  dataDir: string;
  region: string;
}

export function createStorageRegistry(
  config: StorageConfigInput | undefined,
  opts: RegistryOptions,
): StorageRegistry {
  const cfg = storageConfigSchema.parse(config ?? {});
  const embeddedRoot = path.resolve(opts.dataDir, 'oss');
  const configured = new Map<string, BucketHandle & { close?: () => void }>();
  for (const [name, bucketCfg] of Object.entries(cfg.buckets)) {
    const { backend, close } = createBucketBackend(name, bucketCfg, opts.dataDir);
    configured.set(name, {
      name,
      region: bucketCfg.region ?? opts.region,
      backend,
      owners: bucketCfg.owners,
      close,
    });
  }
  const embedded = new Map<string, BucketHandle>();

  function embeddedHandle(name: string): BucketHandle {
    let handle = embedded.get(name);
    if (!handle) {
      const { backend } = createBucketBackend(
        name,
        { backend: 'fs', path: path.join(embeddedRoot, name) },
        opts.dataDir,
      );
      handle = { name, region: opts.region, backend };
      embedded.set(name, handle);
    }
    return handle;
  }

  // Every storage call asks for its bucket, and a create checks several URIs: a folder seen a moment ago is
  // not looked at again (one statSync per call showed in the create path's profile). A missing folder is
  // never remembered, so a bucket made by hand is served at once; one removed by hand fails on its next
  // object operation, as it would have anyway.
  const embeddedSeenUntil = new Map<string, number>();
  function isEmbeddedBucket(name: string): boolean {
    if (!cfg.embeddedBuckets || !isValidBucketName(name)) return false;
    const now = Date.now();
    if ((embeddedSeenUntil.get(name) ?? 0) > now) return true;
    try {
      if (!statSync(path.join(embeddedRoot, name)).isDirectory()) return false;
    } catch {
      embeddedSeenUntil.delete(name);
      return false;
    }
    embeddedSeenUntil.set(name, now + EMBEDDED_BUCKET_TTL_MS);
    return true;
  }

  const registry: StorageRegistry = {
    region: opts.region,
    bucket(name) {
      const found = configured.get(name);
      if (found) return found;
      return isEmbeddedBucket(name) ? embeddedHandle(name) : null;
    },
    async ensureBucket(name) {
      const found = configured.get(name);
      if (found) return found;
      if (!cfg.embeddedBuckets || !isValidBucketName(name)) throw new BucketNotFoundError(name);
      await mkdir(path.join(embeddedRoot, name), { recursive: true });
      return embeddedHandle(name);
    },
    async listBuckets() {
      const names = new Set(configured.keys());
      if (cfg.embeddedBuckets) {
        const entries = await readdir(embeddedRoot, { withFileTypes: true }).catch(() => []);
        for (const e of entries) if (e.isDirectory() && isValidBucketName(e.name)) names.add(e.name);
      }
      return [...names].sort().map((n) => registry.bucket(n)!);
    },
    roleExists: (accountId, role) => lookupRole(cfg, accountId, role) !== null,
    policyFor(accountId, role) {
      const found = lookupRole(cfg, accountId, role);
      if (!found) return null;
      if (found === DEFAULT_ROLE) return ownedBucketsPolicy(registry, accountId);
      return compilePolicy(found.statements);
    },
    roleTrusts(ownerAccountId, role, callerAccountId) {
      if (ownerAccountId === callerAccountId) return lookupRole(cfg, ownerAccountId, role) !== null;
      const found = lookupRole(cfg, ownerAccountId, role);
      return found !== null && found !== DEFAULT_ROLE && found.trustedAccounts.includes(callerAccountId);
    },
    async sweepTemp(olderThanMs, onRemoved) {
      let removed = 0;
      for (const handle of await registry.listBuckets()) {
        if (!isFsBackend(handle.backend)) continue;
        const n = await sweepFsTemp(handle.backend.root, olderThanMs);
        if (n > 0) onRemoved?.(handle.name, n);
        removed += n;
      }
      return removed;
    },
    async close() {
      for (const handle of configured.values()) handle.close?.();
    },
  };
  return registry;
}

/** The built-in `AliyunIMMDefaultRole`: read and write on every bucket the account owns. */
function ownedBucketsPolicy(registry: StorageRegistry, accountId: string): Policy {
  return {
    allows(_access, bucket) {
      const handle = registry.bucket(bucket);
      return handle !== null && (!handle.owners || handle.owners.includes(accountId));
    },
  };
}
