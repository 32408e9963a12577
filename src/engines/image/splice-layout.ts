/**
 * Where each image goes in a splice, computed from header sizes only, so the output's edges and
 * pixel count are checked before any pixel is decoded.
 */
import { ImageError } from './errors.ts';

export type SpliceDirection = 'vertical' | 'horizontal';
export type SpliceScaleType = 'fit' | 'stretch';

export interface SpliceLayoutOptions {
  direction: SpliceDirection;
  /** Width (vertical) or height (horizontal) every image is scaled to; default the first image's. */
  align?: number;
  /** `fit` keeps each image's proportions; `stretch` changes only the aligned edge. */
  scaleType: SpliceScaleType;
  padding: number;
  margin: number;
}

export interface Tile {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface SpliceLayout {
  width: number;
  height: number;
  tiles: Tile[];
  direction: SpliceDirection;
  padding: number;
  margin: number;
}

export interface SpliceLimits {
  maxEdge: number;
  maxPixels: number;
}

/** Spec 9.5: each edge ≤ 32,876 px, at most one billion pixels. */
export const SPLICE_LIMITS: SpliceLimits = { maxEdge: 32_876, maxPixels: 1_000_000_000 };

/** `sizes` are the images' displayed sizes (orientation and Rotate applied). */
export function layoutSplice(
  sizes: Array<{ width: number; height: number }>,
  opts: SpliceLayoutOptions,
): SpliceLayout {
  const vertical = opts.direction === 'vertical';
  const first = sizes[0]!;
  const align = opts.align ?? (vertical ? first.width : first.height);
  const tiles: Tile[] = [];
  let along = opts.margin;
  for (const size of sizes) {
    const across = vertical ? size.width : size.height;
    const length = vertical ? size.height : size.width;
    const scaled = opts.scaleType === 'fit' ? Math.max(1, Math.round((length * align) / across)) : length;
    tiles.push(
      vertical
        ? { left: opts.margin, top: along, width: align, height: scaled }
        : { left: along, top: opts.margin, width: scaled, height: align },
    );
    along += scaled + opts.padding;
  }
  const total = along - opts.padding + opts.margin;
  const side = align + 2 * opts.margin;
  return {
    width: vertical ? side : total,
    height: vertical ? total : side,
    tiles,
    direction: opts.direction,
    padding: opts.padding,
    margin: opts.margin,
  };
}

export function checkSpliceLimits(layout: SpliceLayout, limits: SpliceLimits = SPLICE_LIMITS): void {
  const { width, height } = layout;
  if (width > limits.maxEdge || height > limits.maxEdge) {
    throw new ImageError(
      'limit',
      `The spliced image would be ${width}x${height} pixels; each edge may be at most ${limits.maxEdge} pixels.`,
    );
  }
  if (width * height > limits.maxPixels) {
    throw new ImageError(
      'limit',
      `The spliced image would have ${width * height} pixels, more than the limit of ${limits.maxPixels}.`,
    );
  }
}
