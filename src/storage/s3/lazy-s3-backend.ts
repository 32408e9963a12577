/**
 * An S3 bucket's backend that loads the AWS SDK on its first call. The SDK is a large library (several MiB
 * of RSS from start-up): a server whose buckets are all on the local filesystem never loads it.
 */
import type { StorageBackend } from '../backend.ts';
import type { S3BucketConfig } from '../config.ts';

export interface LazyS3Backend {
  backend: StorageBackend;
  /** Releases the client's connections, if it was made. */
  close(): void;
}

export function createLazyS3Backend(name: string, cfg: S3BucketConfig): LazyS3Backend {
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
