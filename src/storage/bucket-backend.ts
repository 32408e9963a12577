/**
 * The one factory from a bucket's config to its backend (an explicit switch, no self-registration).
 */
import path from 'node:path';
import type { StorageBackend } from './backend.ts';
import type { BucketConfig } from './config.ts';
import { createFsBackend } from './fs/fs-backend.ts';
import { createLazyS3Backend } from './s3/lazy-s3-backend.ts';

export interface CreatedBackend {
  backend: StorageBackend;
  /** Releases connections (S3 clients); absent when there is nothing to release. */
  close?: () => void;
}

export function createBucketBackend(
  name: string,
  cfg: BucketConfig | { backend: 'fs'; path: string },
  dataDir: string,
): CreatedBackend {
  switch (cfg.backend) {
    case 'fs':
      return { backend: createFsBackend(path.resolve(dataDir, cfg.path), { bucket: name }) };
    case 's3':
      return createLazyS3Backend(name, cfg);
  }
}
