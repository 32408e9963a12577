/**
 * Storage errors beyond the shared ones in `backend.ts`. They all extend `StorageError`, so code that
 * maps only the shared classes still sees a storage failure; processors map these to InvalidArgument.
 */
import { BucketNotFoundError, StorageError } from './backend.ts';

/** The key cannot be stored by this backend (unsafe path, reserved name, directory marker…). */
export class InvalidKeyError extends StorageError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`The object key "${key.length > 200 ? `${key.slice(0, 200)}…` : key}" is not valid: ${reason}`);
    this.name = 'InvalidKeyError';
  }
}

/** A byte range outside the object. */
export class InvalidRangeError extends StorageError {
  constructor(
    readonly uri: string,
    readonly size: number,
  ) {
    super(`The requested range is not satisfiable for ${uri} (size ${size}).`);
    this.name = 'InvalidRangeError';
  }
}

/** The written body did not have the announced size. */
export class SizeMismatchError extends StorageError {
  constructor(
    readonly uri: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`The body written to ${uri} had ${actual} bytes, ${expected} were announced.`);
    this.name = 'SizeMismatchError';
  }
}

/** Node's errno codes, without casting at every call site. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

/** A URI that cannot be used at run time (create-time validation refuses it with InvalidArgument). */
export class InvalidUriError extends StorageError {
  constructor(
    readonly uri: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'InvalidUriError';
  }
}

/** The bucket exists, but in another region than the project's: to the task it does not exist. */
export class BucketRegionError extends BucketNotFoundError {
  constructor(
    bucket: string,
    readonly bucketRegion: string,
    readonly region: string,
  ) {
    super(bucket);
    this.message = `The bucket ${bucket} is in region ${bucketRegion}, not in the project's region ${region}.`;
    this.name = 'BucketRegionError';
  }
}
