/**
 * Typed failures of the image engine. Messages are client-safe (no paths, no engine stderr); the
 * engine's own text stays on `cause` for logs. Processors map `kind` to an IMM Code.
 */
export type ImageErrorKind =
  /** Not an image, or a format this server does not read. */
  | 'unsupported'
  /** Truncated or damaged data. */
  | 'corrupt'
  /** Over a pixel, edge or size limit (refused before decoding). */
  | 'limit'
  /** An SVG that references external resources (never fetched). */
  | 'external-reference'
  /** A format that needs an engine this machine lacks. */
  | 'engine-missing'
  /** The engine failed for another reason (crash, timeout). */
  | 'engine-failed';

export class ImageError extends Error {
  readonly kind: ImageErrorKind;

  constructor(kind: ImageErrorKind, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'ImageError';
    this.kind = kind;
  }
}

/** libvips messages that mean the input data is bad rather than the engine. */
const CORRUPT_PATTERNS = [
  /premature end/i,
  /truncated/i,
  /corrupt/i,
  /invalid/i,
  /bad (huffman|marker|header)/i,
  /not a known file format/i,
  /unsupported image format/i,
  /read error/i,
  /crc error/i,
  /out of order/i,
  /decode/i,
  /unexpected end/i,
];

/**
 * Turns an error thrown by sharp/libvips while decoding `label` into an ImageError. Limit refusals
 * from libvips are `limit`; recognised data errors are `corrupt`; anything else `engine-failed`.
 */
export function fromDecodeError(err: unknown, label: string): ImageError {
  if (err instanceof ImageError) return err;
  const text = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(text)) {
    return new ImageError('limit', `The image ${label} has more pixels than this server accepts.`, {
      cause: err,
    });
  }
  if (/unsupported image format|not a known file format/i.test(text)) {
    return new ImageError('unsupported', `The file ${label} is not an image in a supported format.`, {
      cause: err,
    });
  }
  if (CORRUPT_PATTERNS.some((re) => re.test(text))) {
    return new ImageError('corrupt', `The image ${label} is damaged or truncated.`, { cause: err });
  }
  return new ImageError('engine-failed', `The image ${label} could not be processed.`, { cause: err });
}
