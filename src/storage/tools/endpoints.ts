/**
 * The two kinds of place a copy reads from or writes to: an object (or prefix) in a bucket of the
 * registry, or a local file (or folder). Used by `openimm oss` and by the storage benchmark.
 */
import { BucketNotFoundError, type StorageBackend } from '../backend.ts';
import { parseOssUri } from '../oss-uri.ts';
import type { StorageRegistry } from '../registry.ts';

export type Endpoint =
  | { kind: 'oss'; bucket: string; key: string; uri: string }
  | { kind: 'local'; path: string };

export function parseEndpoint(arg: string): Endpoint {
  if (arg.startsWith('oss://')) {
    const { bucket, key } = parseOssUri(arg, 'URI');
    return { kind: 'oss', bucket, key, uri: arg };
  }
  return { kind: 'local', path: arg };
}

/** The backend of a bucket; a destination bucket is created when embedded buckets allow it. */
export async function backendOf(
  registry: StorageRegistry,
  bucket: string,
  opts: { create?: boolean } = {},
): Promise<StorageBackend> {
  const handle = registry.bucket(bucket) ?? (opts.create ? await registry.ensureBucket(bucket) : null);
  if (!handle) throw new BucketNotFoundError(bucket);
  return handle.backend;
}
