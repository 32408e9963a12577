import { Errors, ImmError } from '../protocol/errors.ts';
import {
  AccessDeniedError,
  BucketNotFoundError,
  ObjectNotFoundError,
  StorageError,
} from '../storage/backend.ts';

/** Create-time storage failures as IMM errors (spec section 11: missing bucket/object, role denied). */
export function storageErrorToImm(err: unknown): unknown {
  if (err instanceof ImmError) return err;
  if (err instanceof AccessDeniedError) return Errors.noPermission(err.message);
  if (err instanceof ObjectNotFoundError) return Errors.invalidArgument(err.message);
  if (err instanceof BucketNotFoundError) return Errors.invalidArgument(err.message);
  if (err instanceof StorageError) return Errors.invalidArgument(err.message, err);
  return err;
}
