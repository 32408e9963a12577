/**
 * A task-level failure: ends the task `Failed` with this IMM Code and client-safe Message.
 * `transient` failures are retried by the engine (up to the task's attempt limit); others are final.
 */
export class TaskError extends Error {
  readonly code: string;
  readonly transient: boolean;

  constructor(code: string, message: string, opts: { cause?: unknown; transient?: boolean } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'TaskError';
    this.code = code;
    this.transient = opts.transient ?? false;
  }
}

export const TaskErrors = {
  invalidArgument: (message: string, cause?: unknown) => new TaskError('InvalidArgument', message, { cause }),
  fileNotExist: (uri: string) => new TaskError('InvalidArgument', `File does not exist. ${uri}`),
  noPermission: (message: string) => new TaskError('NoPermission', message),
  limitExceeded: (message: string) => new TaskError('LimitExceededError', message),
  internal: (message: string, cause?: unknown) => new TaskError('InternalError', message, { cause }),
  cancelled: (by: string) => new TaskError('TaskCancelled', `The task was cancelled by ${by}.`),
};
