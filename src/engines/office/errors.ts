/**
 * Typed failures of the LibreOffice engine. The processor maps each kind to an IMM Code; the message is
 * client-safe (no paths, no LibreOffice output).
 */
export type OfficeErrorKind =
  /** The document asks for a password and none was given. */
  | 'password-required'
  /** The given password does not open the document. */
  | 'password-wrong'
  /** LibreOffice could not open the file (damaged, or a format it does not read). */
  | 'load-failed'
  /** The bytes opened only as plain text, so they are not a document of the declared type. */
  | 'not-a-document'
  /** The requested pages are all outside the document. */
  | 'page-range'
  /** The requested sheet is outside the workbook. */
  | 'sheet-range'
  /** The requested output format cannot be written from this kind of document. */
  | 'unsupported'
  | 'export-failed'
  /** The conversion ran past its time limit; the process was killed and replaced. */
  | 'timeout'
  /** LibreOffice died during the job (twice: the job is retried once on a fresh process). */
  | 'crashed'
  /** The caller aborted (task cancelled or lease lost); the process was killed and replaced. */
  | 'aborted'
  /** No LibreOffice process could be started (not installed, or broken). */
  | 'unavailable'
  /** Too many jobs waiting for a process. */
  | 'busy'
  /** The pool was closed. */
  | 'closed'
  | 'internal';

export class OfficeError extends Error {
  readonly kind: OfficeErrorKind;

  constructor(kind: OfficeErrorKind, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'OfficeError';
    this.kind = kind;
  }
}

/** Kinds that say something about the document, not about the process: the process stays healthy. */
export function isDocumentError(kind: OfficeErrorKind): boolean {
  return (
    kind === 'password-required' ||
    kind === 'password-wrong' ||
    kind === 'load-failed' ||
    kind === 'not-a-document' ||
    kind === 'page-range' ||
    kind === 'sheet-range' ||
    kind === 'unsupported' ||
    kind === 'export-failed'
  );
}
