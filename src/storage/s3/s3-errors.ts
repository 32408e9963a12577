/**
 * Maps AWS SDK errors onto the storage errors tasks understand. Messages keep the S3 code (useful to
 * operators) but never the endpoint's credentials.
 */
import { BucketNotFoundError, ObjectNotFoundError, StorageError } from '../backend.ts';
import { InvalidRangeError } from '../errors.ts';

interface SdkErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function s3ErrorCode(err: unknown): { code: string; status: number } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  return { code: e.Code ?? e.name ?? 'Unknown', status: e.$metadata?.httpStatusCode ?? 0 };
}

export function isNotFound(err: unknown): boolean {
  const { code, status } = s3ErrorCode(err);
  return code === 'NoSuchKey' || code === 'NotFound' || status === 404;
}

/** Rethrows `err` as a storage error for `uri` in openimm bucket `bucket`. */
export function mapS3Error(err: unknown, bucket: string, uri: string, size?: number): never {
  if (err instanceof StorageError) throw err;
  const { code, status } = s3ErrorCode(err);
  if (code === 'NoSuchBucket') throw new BucketNotFoundError(bucket);
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) throw new ObjectNotFoundError(uri);
  if (code === 'InvalidRange' || status === 416) throw new InvalidRangeError(uri, size ?? -1);
  if (code === 'AbortError' || (err instanceof Error && err.name === 'AbortError')) throw err;
  const message = err instanceof Error ? err.message : String(err);
  // The SDK error drags the whole HTTP response along; logs need only its code and message.
  const cause = new Error(`${code}: ${message}`);
  throw new StorageError(
    `The S3 backend of bucket ${bucket} failed (${code}${status ? ` ${status}` : ''}): ${message}`,
    {
      cause,
    },
  );
}
