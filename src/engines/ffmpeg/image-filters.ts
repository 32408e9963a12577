/**
 * Frame selection and layout for snapshots, sprite sheets and animations. Pure: numbers in, filter
 * strings out; the output side (`image2`, `gif`, `webp`) is in `image-outputs.ts`.
 */
import { type FilterGraph, filter, num, quoteOption } from './filter-graph.ts';
import { type FitMode, sizeFilters } from './video-filters.ts';

export type PickMode =
  /** One frame per `interval` seconds from `start` (the first frame of each interval). */
  | 'interval'
  /** Key frames only, from `start`. */
  | 'keyframe'
  /** Frames whose scene-change score exceeds `threshold` (0–1), from `start`. */
  | 'scene';

export interface FramePick {
  mode: PickMode;
  start: number;
  interval?: number;
  threshold?: number;
  /** Frames to keep; 0 = until the end. */
  count: number;
}

/** The `select` expression choosing the frames (timestamps are the output timeline's). */
export function selectExpr(p: FramePick): string {
  const from = p.start > 0 ? `gte(t,${num(p.start)})` : '1';
  let pick: string;
  if (p.mode === 'keyframe') pick = 'eq(pict_type,I)';
  else if (p.mode === 'scene') pick = `gt(scene,${num(p.threshold ?? 0.3)})`;
  else {
    // The first frame of each interval bucket: no drift however long the video, whatever its rate.
    const i = num(p.interval ?? 1);
    const s = num(p.start);
    pick = `isnan(prev_selected_t)+gt(floor((t-${s})/${i}),floor((prev_selected_t-${s})/${i}))`;
  }
  return from === '1' ? pick : `${from}*(${pick})`;
}

export function pickFilters(p: FramePick): string[] {
  const out = [filter('select', { expr: quoteOption(selectExpr(p)) })];
  // trim sends EOF after `count` frames, so the output (and a partial last sprite sheet) completes early.
  if (p.count > 0) out.push(filter('trim', { end_frame: p.count }));
  return out;
}

export interface ImageSize {
  width: number;
  height: number;
  mode: FitMode;
}

export function snapshotFilters(p: FramePick, size?: ImageSize): string[] {
  return [...pickFilters(p), ...sizeFilters(size)];
}

export interface SpriteLayout {
  columns: number;
  rows: number;
  margin: number;
  padding: number;
  cell: ImageSize;
}

export function spriteFilters(p: FramePick, layout: SpriteLayout): string[] {
  return [
    ...pickFilters(p),
    ...sizeFilters(layout.cell),
    filter('tile', {
      layout: `${layout.columns}x${layout.rows}`,
      margin: layout.margin,
      padding: layout.padding,
    }),
  ];
}

export interface AnimationSpec {
  pick: FramePick;
  size?: ImageSize;
  /** Playback rate of the animation, frames per second. */
  frameRate: number;
  format: 'gif' | 'webp';
}

/**
 * Animation frames retimed to `frameRate`. GIF gets a palette per frame (`stats_mode=single`, `new=1`):
 * a single global palette would hold every frame in memory until the end.
 */
export function animationChain(graph: FilterGraph, input: string, a: AnimationSpec): string {
  const frames = graph.pipe(
    input,
    [...pickFilters(a.pick), ...sizeFilters(a.size), `setpts=N/(${num(a.frameRate)}*TB)`],
    'an',
  );
  if (a.format !== 'gif') return frames;
  const [forPalette, forUse] = graph.split(frames, 2, 'v') as [string, string];
  const palette = graph.pipe(forPalette, ['palettegen=stats_mode=single'], 'pal');
  const out = graph.label('gif');
  graph.chain([forUse, palette], ['paletteuse=new=1'], [out]);
  return out;
}
