/**
 * A real storage stack for tests: the fs backend under a temp data folder (`<dataDir>/oss/<bucket>/<key>`),
 * buckets created on first put, and a scoped storage whose role may read and write everything.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseOssUri } from '../../src/storage/oss-uri.ts';
import { allowAllPolicy } from '../../src/storage/policy.ts';
import { createStorageRegistry, type StorageRegistry } from '../../src/storage/registry.ts';
import { createScopedStorage } from '../../src/storage/scoped.ts';
import type { ScopedStorage } from '../../src/storage/scoped-storage.ts';

export const TEST_REGION = 'cn-hangzhou';
export const TEST_ACCOUNT = '1234567890123456';

export interface TestStorage {
  dataDir: string;
  scoped: ScopedStorage;
  /** The registry behind `scoped` (for tests that need other scopes). */
  registry: StorageRegistry;
  put(uri: string, data: Buffer | string): Promise<void>;
  get(uri: string): Promise<Buffer>;
  exists(uri: string): Promise<boolean>;
  /** Full URIs of the objects under `prefixUri`, in key order. */
  list(prefixUri: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

export async function makeTestStorage(): Promise<TestStorage> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  const registry = createStorageRegistry({}, { dataDir, region: TEST_REGION });
  const scoped = createScopedStorage(registry, {
    accountId: TEST_ACCOUNT,
    serviceRole: 'AliyunIMMDefaultRole',
    region: TEST_REGION,
    policy: allowAllPolicy,
  });
  return {
    dataDir,
    scoped,
    registry,
    async put(uri, data) {
      await registry.ensureBucket(parseOssUri(uri).bucket);
      await scoped.write(uri, typeof data === 'string' ? Buffer.from(data) : data);
    },
    async get(uri) {
      const chunks: Buffer[] = [];
      for await (const chunk of await scoped.read(uri)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    async exists(uri) {
      if (!registry.bucket(parseOssUri(uri).bucket)) return false;
      return (await scoped.head(uri)) !== null;
    },
    async list(prefixUri) {
      if (!registry.bucket(parseOssUri(prefixUri).bucket)) return [];
      const uris: string[] = [];
      for await (const info of scoped.list(prefixUri)) uris.push(info.uri);
      return uris;
    },
    async cleanup() {
      await registry.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
