/**
 * Maps what the archive tasks can throw onto task failures with IMM Codes (spec 6.5). Shared by the
 * FileCompression, FileUncompression and ArchiveFileInspection processors.
 */

import { ArchiveError } from '../../engines/archive/errors.ts';
import { ThreadExitError } from '../../engines/archive/request-thread.ts';
import { ZipSizeMismatchError } from '../../engines/archive/zip-stream.ts';
import {
  AccessDeniedError,
  BucketNotFoundError,
  ObjectNotFoundError,
  StorageError,
} from '../../storage/backend.ts';
import { TaskError, TaskErrors } from '../task-error.ts';

/** A TaskError for known failures; anything else is returned unchanged (the engine makes it InternalError). */
export function toTaskFailure(err: unknown): unknown {
  if (err instanceof TaskError) return err;
  if (err instanceof ObjectNotFoundError) return TaskErrors.fileNotExist(err.uri);
  if (err instanceof AccessDeniedError) return TaskErrors.noPermission(err.message);
  if (err instanceof BucketNotFoundError) return TaskErrors.invalidArgument(err.message);
  if (err instanceof ArchiveError) return archiveFailure(err);
  // A source rewritten while it was packed: another attempt may well succeed.
  if (err instanceof ZipSizeMismatchError)
    return new TaskError('InternalError', err.message, { cause: err, transient: true });
  // A helper thread died under the task (out of memory, say): the process's failure; another attempt may run.
  if (err instanceof ThreadExitError)
    return new TaskError('InternalError', err.message, { cause: err, transient: true });
  // A key the object store cannot hold (e.g. an archive path too long under the target) is bad input.
  if (err instanceof StorageError && err.name === 'InvalidKeyError')
    return TaskErrors.invalidArgument(err.message, err);
  return err;
}

function archiveFailure(err: ArchiveError): TaskError {
  switch (err.kind) {
    case 'limit':
      return TaskErrors.limitExceeded(err.message);
    case 'engine-missing':
      return TaskErrors.internal(err.message, err);
    default:
      return TaskErrors.invalidArgument(err.message, err);
  }
}

/** Runs `fn`, rethrowing its failure through `toTaskFailure`. */
export async function withTaskFailures<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toTaskFailure(err);
  }
}
