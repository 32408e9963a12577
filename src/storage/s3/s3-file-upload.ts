/**
 * Uploads of a whole local file (a `fs.createReadStream(path)` body: media and office outputs, copies
 * out of fs buckets). lib-storage would gather every part into a buffer (`queueSize` + 2 parts of
 * memory, and a SHA-256 of each for the signature); here each part is read straight from the file,
 * `queueSize` at a time, with a Content-MD5 the server checks, so a copy costs a few MiB of memory
 * whatever its size. Like lib-storage's path it is a multipart upload that becomes visible only at
 * CompleteMultipartUpload and is aborted on any failure.
 */
import { createHash } from 'node:crypto';
import { ReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ObjectInfo } from '../backend.ts';
import { SizeMismatchError } from '../errors.ts';

const MAX_PARTS = 10_000;
const READ_CHUNK = 1024 * 1024;

/**
 * The file behind a body that is a plain, untouched `fs.createReadStream(path)` of a whole file, or
 * null (a range, a stream on a descriptor, or one already being read).
 */
export function wholeFileOf(body: Readable | Buffer): string | null {
  if (!(body instanceof ReadStream)) return null;
  const s = body as ReadStream & { start?: number; end?: number };
  if (typeof s.path !== 'string' || s.start !== undefined || s.end !== Infinity) return null;
  if (s.bytesRead > 0 || s.readableFlowing !== null || s.readableLength > 0 || s.destroyed) return null;
  return s.path;
}

export interface FileUploadArgs {
  client: S3Client;
  Bucket: string;
  key: string;
  uri: string;
  file: string;
  partSize: number;
  queueSize: number;
  size?: number;
  contentType?: string;
  signal?: AbortSignal;
}

export async function uploadFile(a: FileUploadArgs): Promise<ObjectInfo> {
  a.signal?.throwIfAborted();
  const fh = await open(a.file, 'r');
  try {
    const { size } = await fh.stat();
    if (a.size !== undefined && a.size !== size) throw new SizeMismatchError(a.uri, a.size, size);
    const info = (etag: string | undefined): ObjectInfo => ({
      key: a.key,
      size,
      lastModified: new Date(),
      etag: etag?.replace(/^"(.*)"$/, '$1'),
      contentType: a.contentType,
    });
    if (size <= a.partSize) {
      const body = await fh.readFile();
      if (body.length !== size) throw new SizeMismatchError(a.uri, size, body.length);
      const r = await a.client.send(
        new PutObjectCommand({ Bucket: a.Bucket, Key: a.key, Body: body, ContentType: a.contentType }),
        { abortSignal: a.signal },
      );
      return info(r.ETag);
    }
    const partSize = Math.max(a.partSize, Math.ceil(size / MAX_PARTS));
    const created = await a.client.send(
      new CreateMultipartUploadCommand({ Bucket: a.Bucket, Key: a.key, ContentType: a.contentType }),
      { abortSignal: a.signal },
    );
    const UploadId = created.UploadId!;
    try {
      const parts = await uploadParts(a, fh, UploadId, size, partSize);
      a.signal?.throwIfAborted();
      const done = await a.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: a.Bucket,
          Key: a.key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      return info(done.ETag);
    } catch (err) {
      await a.client
        .send(new AbortMultipartUploadCommand({ Bucket: a.Bucket, Key: a.key, UploadId }))
        .catch(() => {});
      throw err;
    }
  } finally {
    await fh.close().catch(() => {});
  }
}

async function uploadParts(
  a: FileUploadArgs,
  fh: FileHandle,
  UploadId: string,
  size: number,
  partSize: number,
): Promise<CompletedPart[]> {
  const count = Math.ceil(size / partSize);
  const parts: CompletedPart[] = new Array(count);
  // One failed part stops the others: their requests are aborted and no new part starts.
  const stop = new AbortController();
  const signal = a.signal ? AbortSignal.any([a.signal, stop.signal]) : stop.signal;
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < count && !signal.aborted) {
      const index = next++;
      const start = index * partSize;
      const length = Math.min(partSize, size - start);
      const md5 = await partMd5(fh, start, length, signal);
      const body = partStream(fh, start, length);
      try {
        const r = await a.client.send(
          new UploadPartCommand({
            Bucket: a.Bucket,
            Key: a.key,
            UploadId,
            PartNumber: index + 1,
            Body: body,
            ContentLength: length,
            ContentMD5: md5,
          }),
          { abortSignal: signal },
        );
        parts[index] = { PartNumber: index + 1, ETag: r.ETag };
      } finally {
        body.destroy();
      }
    }
  };
  const workers = Array.from({ length: Math.min(a.queueSize, count) }, () =>
    worker().catch((err) => {
      if (!stop.signal.aborted) {
        firstError = err;
        stop.abort(err);
      }
    }),
  );
  await Promise.all(workers);
  a.signal?.throwIfAborted();
  if (stop.signal.aborted) throw firstError;
  return parts;
}

/**
 * The bytes of one part, read from the shared handle at their offsets. (A stream of
 * `fh.createReadStream` would close the handle for every part when it is destroyed.)
 */
function partStream(fh: FileHandle, start: number, length: number): Readable {
  async function* chunks() {
    let done = 0;
    while (done < length) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, length - done));
      const { bytesRead } = await fh.read(buf, 0, buf.length, start + done);
      if (bytesRead === 0) throw new Error('The file became shorter while it was uploaded.');
      done += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** The part's MD5 (base64), read from the file with one reused buffer: the server checks it. */
async function partMd5(fh: FileHandle, start: number, length: number, signal: AbortSignal) {
  const hash = createHash('md5');
  const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, length));
  let done = 0;
  while (done < length) {
    signal.throwIfAborted();
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, length - done), start + done);
    if (bytesRead === 0) throw new Error('The file became shorter while it was uploaded.');
    hash.update(buf.subarray(0, bytesRead));
    done += bytesRead;
  }
  return hash.digest('base64');
}
