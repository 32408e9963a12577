/**
 * IMM wire errors. `code` values are IMM's exact codes; `message` is client-safe (never paths,
 * engine stderr or secrets). The cause chain stays on `cause` for logs only.
 */
export class ImmError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly recommend?: string;
  readonly headers?: Record<string, string>;

  constructor(
    code: string,
    httpStatus: number,
    message: string,
    opts: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'ImmError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.headers = opts.headers;
  }
}

export const Errors = {
  invalidArgument: (message: string, cause?: unknown) =>
    new ImmError('InvalidArgument', 400, message, { cause }),
  missingParameter: (name: string) =>
    new ImmError('MissingParameter', 400, `The parameter ${name} is required but not provided.`),
  invalidParameter: (name: string, detail?: string) =>
    new ImmError(
      'InvalidArgument',
      400,
      `Specified parameter ${name} is not valid.${detail ? ` ${detail}` : ''}`,
    ),
  invalidJson: (name: string) => new ImmError('InvalidJSON', 400, `Array parsing error, ${name}`),
  limitExceeded: (message: string) => new ImmError('LimitExceededError', 400, message),
  alreadyExists: (resourceType: string) =>
    new ImmError('ResourceAlreadyExists', 400, `The specified resource ${resourceType} already exists.`),
  notFound: (resourceType: string) =>
    new ImmError('ResourceNotFound', 404, `The specified resource ${resourceType} is not found.`),
  noPermission: (message: string) => new ImmError('NoPermission', 403, message),
  forbidden: (message: string) => new ImmError('Forbidden', 403, message),
  accessKeyNotFound: () =>
    new ImmError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.'),
  signatureMismatch: () =>
    new ImmError('SignatureDoesNotMatch', 400, 'Specified signature is not matched with our calculation.'),
  incompleteSignature: (detail: string) => new ImmError('IncompleteSignature', 400, detail),
  timestampExpired: () =>
    new ImmError('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.'),
  timestampFormat: () =>
    new ImmError('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted.'),
  nonceUsed: () => new ImmError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.'),
  missingNonce: () =>
    new ImmError('MissingSignatureNonce', 400, 'SignatureNonce is mandatory for this action.'),
  invalidVersion: (version: string) =>
    new ImmError('InvalidVersion', 400, `Specified parameter Version "${version}" is not valid.`),
  actionNotFound: (action: string) =>
    new ImmError(
      'InvalidAction.NotFound',
      404,
      `Specified api "${action}" is not found, please check your url and method.`,
    ),
  actionNotSupported: (action: string) =>
    new ImmError('InvalidAction.NotSupported', 400, `The action ${action} is not supported by openimm.`),
  throttled: (retryAfterMs: number) =>
    new ImmError('Throttling.User', 429, 'Request was denied due to user flow control.', {
      headers: { 'x-acs-retry-after': String(Math.max(1, Math.ceil(retryAfterMs))) },
    }),
  internal: (cause?: unknown) => new ImmError('InternalError', 500, 'An internal error occurred.', { cause }),
  unavailable: (message = 'The service is temporarily unavailable.') =>
    new ImmError('ServiceUnavailable', 503, message),
};

/** Normalises anything thrown by a handler into an ImmError (unknown errors become InternalError). */
export function toImmError(err: unknown): ImmError {
  if (err instanceof ImmError) return err;
  return Errors.internal(err);
}
