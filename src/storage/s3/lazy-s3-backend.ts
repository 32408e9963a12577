/**
 * An S3 bucket's backend whose AWS SDK is imported when the bucket is configured, in the background: the SDK
 * is a large library (several MiB of RSS, 0.3 s to import on a slow machine), so a server whose buckets are
 * all on the local filesystem never loads it, and one with an S3 bucket neither waits for it at start-up nor
 * on its first call. Calls made before the import is done wait for it.
 */
import type { StorageBackend } from '../backend.ts';
import type { CreatedBackend } from '../bucket-backend.ts';
import type { S3BucketConfig } from '../config.ts';

export function createLazyS3Backend(name: string, cfg: S3BucketConfig): CreatedBackend {
  let client: { destroy(): void } | undefined;
  let loaded: Promise<StorageBackend> | undefined;
  const real = () =>
    (loaded ??= (async () => {
      const [{ createS3Client }, { createS3Backend }] = await Promise.all([
        import('./s3-client.ts'),
        import('./s3-backend.ts'),
      ]);
      const c = createS3Client(cfg);
      client = c;
      return createS3Backend({
        client: c,
        bucket: name,
        remoteBucket: cfg.bucket ?? name,
        partSize: cfg.partSizeMiB * 1024 * 1024,
        queueSize: cfg.queueSize,
      });
    })());
  // A failed import is reported by every call that needs the backend.
  real().catch(() => {});
  const backend: StorageBackend = {
    kind: 's3',
    head: async (key) => (await real()).head(key),
    read: async (key, opts) => (await real()).read(key, opts),
    write: async (key, body, opts) => (await real()).write(key, body, opts),
    async *list(prefix, opts) {
      yield* (await real()).list(prefix, opts);
    },
    delete: async (key) => (await real()).delete(key),
  };
  return { backend, close: () => client?.destroy() };
}
