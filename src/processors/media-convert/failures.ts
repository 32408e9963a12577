/** What a MediaConvert run can throw, as task failures with IMM Codes (spec 6.5); messages stay client-safe. */
import { FfmpegError } from '../../engines/ffmpeg/errors.ts';
import { ImmError } from '../../protocol/errors.ts';
import { AccessDeniedError, BucketNotFoundError, ObjectNotFoundError } from '../../storage/backend.ts';
import { TaskError, TaskErrors } from '../task-error.ts';

export function toTaskFailure(err: unknown): unknown {
  if (err instanceof TaskError) return err;
  if (err instanceof ObjectNotFoundError) return TaskErrors.fileNotExist(err.uri);
  if (err instanceof AccessDeniedError) return TaskErrors.noPermission(err.message);
  if (err instanceof BucketNotFoundError) return TaskErrors.invalidArgument(err.message);
  // Templates are re-checked when rendered with the source's values (e.g. a tag making an unsafe key).
  if (err instanceof ImmError) return new TaskError(err.code, err.message, { cause: err });
  if (err instanceof FfmpegError) return ffmpegFailure(err);
  return err;
}

function ffmpegFailure(err: FfmpegError): unknown {
  switch (err.kind) {
    case 'aborted':
      return err;
    case 'timeout':
      return TaskErrors.internal('The conversion ran over its time limit and was stopped.', err);
    case 'spawn':
      return TaskErrors.internal(
        'The media engine (ffmpeg) is not installed: apt-get install -y --no-install-recommends ffmpeg.',
        err,
      );
  }
  switch (err.reason) {
    case 'invalid-data':
      return TaskErrors.invalidArgument(
        'A source could not be decoded: the media is corrupt or truncated.',
        err,
      );
    case 'unsupported-codec':
      return TaskErrors.invalidArgument(
        'A codec is not supported here: the container cannot hold it or no encoder/decoder exists for it.',
        err,
      );
    case 'no-stream':
      return TaskErrors.invalidArgument('A stream the request selects does not exist in the source.', err);
    case 'muxer':
      return TaskErrors.invalidArgument(
        'The container cannot hold the streams asked for (try another Container or Codec).',
        err,
      );
    case 'too-large':
      return TaskErrors.limitExceeded('A frame size is too large to process.');
    default:
      return TaskErrors.internal('The media conversion failed.', err);
  }
}

export async function withTaskFailures<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toTaskFailure(err);
  }
}
