import type { Readable } from 'node:stream';
import type { WriteBatch } from './write-batch.ts';

/** What a backend knows of one stored object. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
  etag?: string;
  contentType?: string;
}

export interface ReadOptions {
  /** Inclusive byte range; `end` absent means to the end of the object. */
  range?: { start: number; end?: number };
  signal?: AbortSignal;
}

export interface WriteOptions {
  contentType?: string;
  /** Known size, when the caller has it (lets S3 skip multipart for small bodies). */
  size?: number;
  /** Aborting discards the partial object: nothing becomes visible. */
  signal?: AbortSignal;
  /**
   * Deferred durability (optional): the backend may return once the bytes are written and publish the
   * object (durable first, then visible) later, at the latest on `batch.flush()`. Ignored by backends
   * whose writes are durable when they return.
   */
  batch?: WriteBatch;
}

/**
 * A body that a producer writes into a local file itself (a thread extracting an archive entry straight to
 * disk, say), so its bytes never pass through the event loop. A backend that keeps objects in local files
 * hands `fill` the object's temp file; any other backend writes the bytes of `open()`.
 */
export class FileBody {
  constructor(
    /** Fills the file at `path` (it exists, empty); resolves to the bytes written. A throw discards the write. */
    readonly fill: (path: string, signal?: AbortSignal) => Promise<number>,
    /** The same bytes as a stream. */
    readonly open: () => Promise<Readable>,
  ) {}
}

/** What a write stores: a stream, bytes in memory, or a file its producer fills. */
export type WriteBody = Readable | Buffer | FileBody;

export interface ListOptions {
  /** List keys strictly after this one (resume point). */
  startAfter?: string;
  signal?: AbortSignal;
}

/**
 * One bucket's storage. Keys are object keys without the bucket. Writes are atomic: the object is
 * visible only once complete, and a failed or aborted write leaves no object (and no partial one).
 * Missing objects make `read` throw `ObjectNotFoundError`; `head` returns null.
 */
export interface StorageBackend {
  readonly kind: string;
  head(key: string): Promise<ObjectInfo | null>;
  read(key: string, opts?: ReadOptions): Promise<Readable>;
  write(key: string, body: WriteBody, opts?: WriteOptions): Promise<ObjectInfo>;
  /** All objects whose key starts with `prefix`, in key order. */
  list(prefix: string, opts?: ListOptions): AsyncIterable<ObjectInfo>;
  delete(key: string): Promise<void>;
}

export class StorageError extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'StorageError';
  }
}
export class ObjectNotFoundError extends StorageError {
  constructor(readonly uri: string) {
    super(`File does not exist. ${uri}`);
    this.name = 'ObjectNotFoundError';
  }
}
export class BucketNotFoundError extends StorageError {
  constructor(readonly bucket: string) {
    super(`The bucket ${bucket} does not exist.`);
    this.name = 'BucketNotFoundError';
  }
}
export class AccessDeniedError extends StorageError {
  constructor(
    readonly uri: string,
    readonly operation: 'read' | 'write' | 'list' | 'delete',
    readonly role: string,
  ) {
    super(`The service role ${role} is not allowed to ${operation} ${uri}.`);
    this.name = 'AccessDeniedError';
  }
}
