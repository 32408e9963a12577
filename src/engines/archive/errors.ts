/**
 * Typed failures of the archive engines. They know nothing of IMM: the processors map each kind to a
 * task Code. Messages are client-safe (entry names are clipped, no paths of this machine, no stderr).
 */
export type ArchiveErrorKind =
  /** Damaged, truncated or not an archive of the detected format. */
  | 'corrupt'
  /** Encrypted content and no password, or the wrong one. */
  | 'password'
  /** Over a configured limit (entries, expanded bytes, expansion ratio, archive size). */
  | 'limit'
  /** An entry that could write outside the target or is not a plain file (traversal, links, duplicates). */
  | 'unsafe-entry'
  /** A format or feature openimm does not extract. */
  | 'unsupported'
  /** The engine program or library is not available on this machine. */
  | 'engine-missing';

export class ArchiveError extends Error {
  constructor(
    readonly kind: ArchiveErrorKind,
    message: string,
    opts: { cause?: unknown; entry?: string } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'ArchiveError';
    this.entry = opts.entry;
  }
  readonly entry?: string;
}

/** Entry names in messages: bounded and without control characters. */
export function showName(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

export const ArchiveErrors = {
  corrupt: (detail: string, entry?: string, cause?: unknown) =>
    new ArchiveError(
      'corrupt',
      entry === undefined
        ? `The archive is damaged or truncated: ${detail}`
        : `The archive is damaged or truncated at entry "${showName(entry)}": ${detail}`,
      { cause, entry },
    ),
  passwordRequired: (entry?: string) =>
    new ArchiveError(
      'password',
      entry === undefined
        ? 'The archive is encrypted: a Password is required.'
        : `The entry "${showName(entry)}" is encrypted: a Password is required.`,
      { entry },
    ),
  wrongPassword: (entry?: string) =>
    new ArchiveError(
      'password',
      entry === undefined
        ? 'The Password is wrong for this archive.'
        : `The Password is wrong for the entry "${showName(entry)}".`,
      { entry },
    ),
  limit: (message: string) => new ArchiveError('limit', message),
  unsafe: (entry: string, reason: string) =>
    new ArchiveError('unsafe-entry', `The archive entry "${showName(entry)}" is refused: ${reason}`, {
      entry,
    }),
  unsupported: (message: string) => new ArchiveError('unsupported', message),
  engineMissing: (engine: string, hint: string) =>
    new ArchiveError('engine-missing', `The ${engine} engine is not available on this server (${hint}).`),
};
