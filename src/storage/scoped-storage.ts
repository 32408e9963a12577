import type { Readable } from 'node:stream';
import type { ListOptions, ObjectInfo, ReadOptions, WriteBody, WriteOptions } from './backend.ts';

/** An object as seen through a scoped storage: its full OSS URI beside the backend facts. */
export interface ScopedObjectInfo extends ObjectInfo {
  uri: string;
  bucket: string;
}

/**
 * Storage as one task (or one create call) sees it: addressed by OSS URIs (`oss://bucket/key`),
 * every call checked against the project's service role. A denial throws `AccessDeniedError`,
 * an unknown bucket `BucketNotFoundError`, a missing object on read `ObjectNotFoundError`.
 */
export interface ScopedStorage {
  readonly role: string;
  head(uri: string): Promise<ScopedObjectInfo | null>;
  read(uri: string, opts?: ReadOptions): Promise<Readable>;
  write(uri: string, body: WriteBody, opts?: WriteOptions): Promise<ScopedObjectInfo>;
  /**
   * The local file that holds an object of a bucket kept in local files (checked as a read); null for other
   * buckets. For engines that read a file in place instead of a copy; the object must not be written through it.
   */
  localPath(uri: string): string | null;
  /** `prefixUri` is `oss://bucket/prefix` (prefix may be empty). */
  list(prefixUri: string, opts?: ListOptions): AsyncIterable<ScopedObjectInfo>;
  delete(uri: string): Promise<void>;
  /** Policy checks without touching the backend (create-time validation). */
  canRead(uri: string): boolean;
  canWrite(uri: string): boolean;
  /** True when the bucket is configured (in this server's region). */
  hasBucket(bucket: string): boolean;
}
