/**
 * What the image tasks can throw, as task failures with IMM Codes (spec 6.5): a missing source is
 * `InvalidArgument` "File does not exist.", a denied role `NoPermission`, bad or hostile input
 * `InvalidArgument`, a limit `LimitExceededError`, an engine problem `InternalError`.
 */
import { ImageError } from '../../engines/image/errors.ts';
import { ImmError } from '../../protocol/errors.ts';
import {
  AccessDeniedError,
  BucketNotFoundError,
  ObjectNotFoundError,
  StorageError,
} from '../../storage/backend.ts';
import { TaskError, TaskErrors } from '../task-error.ts';

export function toImageTaskFailure(err: unknown): unknown {
  if (err instanceof TaskError) return err;
  if (err instanceof ImageError) return imageFailure(err);
  if (err instanceof ObjectNotFoundError) return TaskErrors.fileNotExist(err.uri);
  if (err instanceof AccessDeniedError) return TaskErrors.noPermission(err.message);
  if (err instanceof BucketNotFoundError) return TaskErrors.invalidArgument(err.message);
  if (err instanceof StorageError && err.name === 'InvalidKeyError')
    return TaskErrors.invalidArgument(err.message, err);
  // A template rendered at run time (e.g. a tag value) can still make an unusable URI.
  if (err instanceof ImmError) return new TaskError(err.code, err.message, { cause: err });
  return err;
}

function imageFailure(err: ImageError): TaskError {
  switch (err.kind) {
    case 'limit':
      return new TaskError('LimitExceededError', err.message, { cause: err });
    case 'engine-missing':
    case 'engine-failed':
      return TaskErrors.internal(err.message, err);
    default:
      return TaskErrors.invalidArgument(err.message, err);
  }
}
