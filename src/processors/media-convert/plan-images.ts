/**
 * Snapshots, sprite sheets and animations of a target, taken from the base video (after concatenation,
 * before the target's own filters). Frame picks: `interval` (default, every Interval seconds from
 * StartTime), `average` (Number frames spread evenly to the end), `keyframe`, `scene` (Threshold in
 * percent of change). Sizes: integers are pixels, values below 1 ratios of the reference frame.
 */
import path from 'node:path';
import type { MediaConfig } from '../../engines/ffmpeg/config.ts';
import type { FilterGraph } from '../../engines/ffmpeg/filter-graph.ts';
import {
  animationChain,
  type FramePick,
  type ImageSize,
  snapshotFilters,
  spriteFilters,
} from '../../engines/ffmpeg/image-filters.ts';
import {
  animationCodec,
  animationOptions,
  imageCodec,
  imageSequenceOptions,
} from '../../engines/ffmpeg/output-options.ts';
import type { PlanOutput } from '../../engines/ffmpeg/plan.ts';
import { TaskErrors } from '../task-error.ts';
import type { Collector, JobContext } from './job.ts';
import { compileOutput, imageUri } from './naming.ts';
import type { Base } from './plan-base.ts';
import { px } from './plan-overlays.ts';
import type { Animation, Snapshot, Sprite } from './schema-target.ts';

/** Largest side of a sprite sheet (the tile filter allocates it whole). */
const MAX_SHEET_SIDE = 16384;

export interface ImagePlan {
  output: PlanOutput;
  collector: Collector;
}

export interface ImageContext {
  job: JobContext;
  graph: FilterGraph;
  base: Base;
  /** Frame the ratios refer to: the target's video output size, else the base video's. */
  ref: { width: number; height: number };
  outDir: string;
  name: string;
  param: string;
}

function baseVideo(ic: ImageContext): string {
  if (!ic.base.video)
    throw TaskErrors.invalidArgument(`${ic.param}: the source has no video to capture frames from.`);
  return ic.base.video.take();
}

/** The frames to pick and how many at most; `count` 0 never leaves here (a cap stands in for "to the end"). */
function framePick(
  e: { StartTime?: number; Number?: number; Interval?: number; Mode?: string; Threshold?: number },
  ic: ImageContext,
  max: number,
): FramePick {
  const start = e.StartTime ?? 0;
  const d = ic.base.duration;
  if (d > 0 && start >= d)
    throw TaskErrors.invalidArgument(`${ic.param}.StartTime ${start} is past the end (${d.toFixed(3)} s).`);
  const mode = e.Mode ?? 'interval';
  const n = e.Number ?? 0;
  if (mode === 'keyframe' || mode === 'scene') {
    return { mode, start, threshold: (e.Threshold ?? 30) / 100, count: Math.min(n || max, max) };
  }
  let interval = e.Interval ?? 1;
  if (mode === 'average') {
    if (!d) throw TaskErrors.invalidArgument(`${ic.param}: Mode average needs a source of known duration.`);
    interval = (d - start) / Math.max(1, n || 1);
  }
  const estimate = n || (d > 0 ? Math.ceil((d - start) / interval) : max);
  if (estimate > max) {
    throw TaskErrors.limitExceeded(
      `${ic.param} would produce ${estimate} images, over the limit of ${max}; raise Interval or set Number.`,
    );
  }
  return { mode: 'interval', start, interval, count: n || estimate };
}

/** Width/Height/ScaleType against the reference frame; one side alone keeps the frame's shape. */
function imageSize(
  e: { Width?: number; Height?: number; ScaleType?: string },
  ref: { width: number; height: number },
): ImageSize | undefined {
  if (e.Width === undefined && e.Height === undefined) return undefined;
  let w = e.Width === undefined ? undefined : Math.max(1, px(e.Width, ref.width, ref.width));
  let h = e.Height === undefined ? undefined : Math.max(1, px(e.Height, ref.height, ref.height));
  if (w === undefined) w = Math.max(1, Math.round((ref.width * h!) / ref.height));
  if (h === undefined) h = Math.max(1, Math.round((ref.height * w) / ref.width));
  const type = e.ScaleType ?? 'stretch';
  if (type === 'fit') {
    const k = Math.min(w / ref.width, h / ref.height);
    return {
      width: Math.max(1, Math.round(ref.width * k)),
      height: Math.max(1, Math.round(ref.height * k)),
      mode: 'stretch',
    };
  }
  return { width: w, height: h, mode: type as ImageSize['mode'] };
}

export function planSnapshot(ic: ImageContext, s: Snapshot, config: MediaConfig): ImagePlan {
  const pick = framePick(s, ic, config.maxImagesPerOperation);
  const label = ic.graph.pipe(baseVideo(ic), snapshotFilters(pick, imageSize(s, ic.ref)), 'snap');
  return sequence(ic, label, s.URI, s.Format, { single: s.Number === 1, frames: pick.count });
}

export function planSprite(ic: ImageContext, s: Sprite, config: MediaConfig): ImagePlan {
  const columns = s.TileWidth ?? 6;
  const rows = s.TileHeight ?? 6;
  const margin = s.Margin ?? 2;
  const padding = s.Pad ?? 2;
  const cellW = Math.max(1, cellSide(s.ScaleWidth, ic.ref.width));
  const cellH = Math.max(1, cellSide(s.ScaleHeight, ic.ref.height));
  const sheetW = 2 * margin + columns * cellW + (columns - 1) * padding;
  const sheetH = 2 * margin + rows * cellH + (rows - 1) * padding;
  if (sheetW > MAX_SHEET_SIDE || sheetH > MAX_SHEET_SIDE) {
    throw TaskErrors.limitExceeded(
      `${ic.param}: a sheet would be ${sheetW}x${sheetH}, over ${MAX_SHEET_SIDE} pixels a side; lower ScaleWidth/ScaleHeight or TileWidth/TileHeight.`,
    );
  }
  const pick = framePick(s, ic, config.maxImagesPerOperation);
  const mode = s.ScaleType === 'fit' ? 'fill' : ((s.ScaleType ?? 'stretch') as ImageSize['mode']);
  const label = ic.graph.pipe(
    baseVideo(ic),
    spriteFilters(pick, { columns, rows, margin, padding, cell: { width: cellW, height: cellH, mode } }),
    'sprite',
  );
  const single = (s.Number ?? 0) > 0 && (s.Number ?? 0) <= columns * rows;
  return sequence(ic, label, s.URI, s.Format, { single, frames: Math.ceil(pick.count / (columns * rows)) });
}

/** IMM's sprite cells: up to 1 is a ratio of the frame (1 = full size), above 1 pixels. */
function cellSide(value: number | undefined, full: number): number {
  const v = value ?? 1;
  return v <= 1 ? Math.round(v * full) : Math.round(v);
}

export function planAnimation(ic: ImageContext, a: Animation, config: MediaConfig): ImagePlan {
  const frameRate = a.FrameRate ?? (a.Interval ? 1 / a.Interval : 10);
  const interval = a.Interval ?? 1 / frameRate;
  const pick = framePick({ ...a, Interval: interval, Mode: 'interval' }, ic, config.maxAnimationFrames);
  const label = animationChain(ic.graph, baseVideo(ic), {
    pick,
    size: imageSize(a, ic.ref),
    frameRate,
    format: a.Format,
  });
  const file = path.join(ic.outDir, `${ic.name}.${a.Format}`);
  const template = compileOutput(a.URI, 'image', `${ic.param}.URI`);
  return {
    output: {
      path: file,
      format: a.Format === 'gif' ? 'gif' : 'webp',
      streams: [{ from: label, codec: animationCodec(a.Format) }],
      options: animationOptions({ maxBytes: config.maxOutputBytes }),
    },
    collector: {
      kind: 'file',
      path: file,
      uri: imageUri({ template, vars: ic.job.vars, ext: a.Format, single: true }, 1),
    },
  };
}

function sequence(
  ic: ImageContext,
  label: string,
  uri: string,
  format: 'jpg' | 'png' | 'webp',
  { single, frames }: { single: boolean; frames: number },
): ImagePlan {
  const template = compileOutput(uri, 'image', `${ic.param}.URI`);
  const naming = { template, vars: ic.job.vars, ext: format, single };
  const prefix = `${ic.name}-`;
  return {
    output: {
      path: path.join(ic.outDir, `${prefix}%d.${format}`),
      format: 'image2',
      streams: [{ from: label, codec: imageCodec(format) }],
      options: imageSequenceOptions({ maxBytes: ic.job.config.maxOutputBytes, frames }),
    },
    collector: { kind: 'sequence', dir: ic.outDir, prefix, ext: format, uriOf: (i) => imageUri(naming, i) },
  };
}
