/**
 * EXIF orientation as "mirror left-right first, then turn clockwise", combined with the request's
 * `Rotate` (clockwise, applied to the upright image). This lets a PDF show any orientation with the
 * stored pixels untouched: the turn becomes the page's `/Rotate`, the mirror a flip in the drawing.
 */
export type QuarterTurn = 0 | 90 | 180 | 270;

export interface Placement {
  /** Mirror the stored image left-right before turning. */
  flip: boolean;
  /** Clockwise turn after the mirror. */
  rotate: QuarterTurn;
}

/** EXIF orientation 1–8 → mirror + clockwise turn that displays the stored pixels upright. */
const EXIF: Record<number, Placement> = {
  1: { flip: false, rotate: 0 },
  2: { flip: true, rotate: 0 },
  3: { flip: false, rotate: 180 },
  4: { flip: true, rotate: 180 },
  5: { flip: true, rotate: 270 },
  6: { flip: false, rotate: 90 },
  7: { flip: true, rotate: 90 },
  8: { flip: false, rotate: 270 },
};

export function placementFor(orientation: number | undefined, rotate: number): Placement {
  const base = EXIF[orientation ?? 1] ?? EXIF[1]!;
  return { flip: base.flip, rotate: ((((base.rotate + rotate) % 360) + 360) % 360) as QuarterTurn };
}

/** Size after the placement: a quarter turn swaps the edges. */
export function placedSize(width: number, height: number, p: Placement): { width: number; height: number } {
  return p.rotate === 90 || p.rotate === 270 ? { width: height, height: width } : { width, height };
}
