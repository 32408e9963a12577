/**
 * The S3-compatible backend (AWS S3, Alibaba Cloud OSS, MinIO, Ceph RGW). Small bodies are one
 * PutObject; larger ones a multipart upload through lib-storage (or, for a whole local file, read part
 * by part from the file: `s3-file-upload.ts`), which becomes visible only when
 * CompleteMultipartUpload succeeds and is aborted on any failure, so every path is atomic.
 */

import { addAbortSignal, Readable, Transform, type TransformCallback } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  FileBody,
  type ListOptions,
  type ObjectInfo,
  type ReadOptions,
  type StorageBackend,
  type WriteOptions,
} from '../backend.ts';
import { SizeMismatchError } from '../errors.ts';
import { formatOssUri } from '../oss-uri.ts';
import { isNotFound, mapS3Error } from './s3-errors.ts';
import { uploadFile, wholeFileOf } from './s3-file-upload.ts';

export interface S3BackendOptions {
  client: S3Client;
  /** The bucket's name on the S3 server. */
  remoteBucket: string;
  /** The openimm bucket name (for URIs in errors). */
  bucket: string;
  partSize?: number;
  queueSize?: number;
  /** Keys per ListObjectsV2 page (S3's maximum, 1000, by default). */
  listPageSize?: number;
}

const MIB = 1024 * 1024;
const MAX_PARTS = 10_000;

export function createS3Backend(opts: S3BackendOptions): StorageBackend {
  const { client, remoteBucket: Bucket } = opts;
  const partSize = opts.partSize ?? 8 * MIB;
  const queueSize = opts.queueSize ?? 3;
  const uriOf = (key: string) => formatOssUri(opts.bucket, key);

  async function head(key: string): Promise<ObjectInfo | null> {
    try {
      const r = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
      return {
        key,
        size: r.ContentLength ?? 0,
        lastModified: r.LastModified ?? new Date(0),
        etag: unquote(r.ETag),
        contentType: r.ContentType,
      };
    } catch (err) {
      if (isNotFound(err) && !isNoSuchBucket(err)) return null;
      return mapS3Error(err, opts.bucket, uriOf(key));
    }
  }

  return {
    kind: 's3',
    head,
    async read(key, readOpts: ReadOptions = {}) {
      const { range, signal } = readOpts;
      try {
        const r = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: key,
            Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
          }),
          { abortSignal: signal },
        );
        const body = r.Body as Readable;
        return signal ? addAbortSignal(signal, body) : body;
      } catch (err) {
        // S3 refuses any range of an empty object; reading it from 0 is still an empty read.
        if (range?.start === 0 && isInvalidRange(err) && (await head(key))?.size === 0)
          return Readable.from([]);
        return mapS3Error(err, opts.bucket, uriOf(key));
      }
    },
    async write(key, given, writeOpts: WriteOptions = {}) {
      // Objects here are no local files: a producer's bytes come as its stream.
      const body = given instanceof FileBody ? await given.open() : given;
      try {
        return await writeObject({
          client,
          Bucket,
          key,
          body,
          uri: uriOf(key),
          partSize,
          queueSize,
          ...writeOpts,
        });
      } catch (err) {
        if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy();
        return mapS3Error(err, opts.bucket, uriOf(key));
      }
    },
    list(prefix, listOpts: ListOptions = {}) {
      return listObjects(client, Bucket, prefix, listOpts, opts.bucket, opts.listPageSize);
    },
    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (err) {
        if (isNotFound(err) && !isNoSuchBucket(err)) return;
        mapS3Error(err, opts.bucket, uriOf(key));
      }
    },
  };
}

interface WriteArgs extends WriteOptions {
  client: S3Client;
  Bucket: string;
  key: string;
  body: Readable | Buffer;
  uri: string;
  partSize: number;
  queueSize: number;
}

async function writeObject(a: WriteArgs): Promise<ObjectInfo> {
  a.signal?.throwIfAborted();
  const file = wholeFileOf(a.body);
  if (file) {
    // The parts are read from the file itself: the stream handed in is not needed.
    (a.body as Readable).destroy();
    return uploadFile({ ...a, file });
  }
  if (Buffer.isBuffer(a.body)) {
    if (a.size !== undefined && a.size !== a.body.length)
      throw new SizeMismatchError(a.uri, a.size, a.body.length);
    if (a.body.length <= a.partSize) {
      const r = await a.client.send(
        new PutObjectCommand({ Bucket: a.Bucket, Key: a.key, Body: a.body, ContentType: a.contentType }),
        { abortSignal: a.signal },
      );
      return {
        key: a.key,
        size: a.body.length,
        lastModified: new Date(),
        etag: unquote(r.ETag),
        contentType: a.contentType,
      };
    }
  }
  const counter = Buffer.isBuffer(a.body) ? null : new ByteCounter(a.uri, a.size);
  const source = counter ? (a.body as Readable).pipe(counter) : a.body;
  if (counter) (a.body as Readable).once('error', (err) => counter.destroy(err));
  const upload = new Upload({
    client: a.client,
    params: { Bucket: a.Bucket, Key: a.key, Body: source, ContentType: a.contentType, ContentLength: a.size },
    // S3 allows 10,000 parts: a known large size gets larger parts. Unknown sizes are capped at
    // 10,000 × partSize (78 GiB at the 8 MiB default), which `partSizeMiB` raises.
    partSize: a.size ? Math.max(a.partSize, Math.ceil(a.size / MAX_PARTS)) : a.partSize,
    queueSize: a.queueSize,
    leavePartsOnError: false,
  });
  const onAbort = () => {
    // Ending the source lets lib-storage finish its uploaders and abort the multipart upload.
    if (counter) counter.destroy(new Error('The write was aborted.'));
    void upload.abort();
  };
  a.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await upload.done();
    const size = counter ? counter.bytes : (a.body as Buffer).length;
    return { key: a.key, size, lastModified: new Date(), etag: unquote(r.ETag), contentType: a.contentType };
  } finally {
    a.signal?.removeEventListener('abort', onAbort);
  }
}

/** Counts the bytes going to S3 and fails the stream (so the upload aborts) on a size mismatch. */
class ByteCounter extends Transform {
  bytes = 0;
  constructor(
    private readonly uri: string,
    private readonly expected: number | undefined,
  ) {
    // Room for one 1 MiB read chunk, so a chunk never waits on the buffer alone.
    super({ highWaterMark: 1024 * 1024 });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.expected !== undefined && this.bytes !== this.expected) {
      cb(new SizeMismatchError(this.uri, this.expected, this.bytes));
    } else cb();
  }
}

async function* listObjects(
  client: S3Client,
  Bucket: string,
  prefix: string,
  opts: ListOptions,
  bucket: string,
  pageSize: number | undefined,
): AsyncGenerator<ObjectInfo> {
  let token: string | undefined;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await client.send(
        new ListObjectsV2Command({
          Bucket,
          Prefix: prefix || undefined,
          StartAfter: token ? undefined : opts.startAfter,
          ContinuationToken: token,
          MaxKeys: pageSize,
        }),
        { abortSignal: opts.signal },
      );
    } catch (err) {
      return mapS3Error(err, bucket, formatOssUri(bucket, prefix));
    }
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      yield {
        key: o.Key,
        size: o.Size ?? 0,
        lastModified: o.LastModified ?? new Date(0),
        etag: unquote(o.ETag),
      };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"(.*)"$/, '$1');
}

function isNoSuchBucket(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: string }).name === 'NoSuchBucket';
}

function isInvalidRange(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'InvalidRange' || e?.$metadata?.httpStatusCode === 416;
}
