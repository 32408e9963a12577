/** Typed failures of the poppler tools; the processor maps them to IMM Codes. */
export type PdfErrorKind =
  | 'password-required'
  | 'password-wrong'
  | 'damaged'
  /** The output passed its bound (e.g. the text of a hostile PDF). */
  | 'too-large'
  | 'aborted'
  | 'timeout'
  | 'unavailable'
  | 'failed';

export class PdfError extends Error {
  readonly kind: PdfErrorKind;

  constructor(kind: PdfErrorKind, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'PdfError';
    this.kind = kind;
  }
}
