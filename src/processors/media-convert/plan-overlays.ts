/**
 * FilterVideo's Watermarks and Delogos as engine overlays on an output of `width`×`height`: IMM geometry
 * (integers are pixels, values below 1 ratios of the output frame) resolved to pixels, fonts mapped to the
 * installed Noto CJK faces (Source Han's other name), texts put in files. Pure apart from naming the files.
 */
import path from 'node:path';
import type { Corner, DelogoBox, Overlay } from '../../engines/ffmpeg/overlay-filters.ts';
import { TaskErrors } from '../task-error.ts';
import type { JobContext } from './job.ts';
import type { Delogo, FilterVideo, Watermark } from './schema-video.ts';

const FONTS: Record<string, string> = {
  'SourceHanSans-Regular': 'Noto Sans CJK SC:style=Regular',
  'SourceHanSans-Bold': 'Noto Sans CJK SC:style=Bold',
  'SourceHanSerif-Regular': 'Noto Serif CJK SC:style=Regular',
  'SourceHanSerif-Bold': 'Noto Serif CJK SC:style=Bold',
};

/** IMM geometry: below 1 is a ratio of `full`, otherwise pixels. */
export function px(value: number | undefined, full: number, fallback: number): number {
  if (value === undefined) return fallback;
  return value > 0 && value < 1 ? Math.round(value * full) : Math.round(value);
}

export function planOverlays(
  job: JobContext,
  f: FilterVideo | undefined,
  frame: { width: number; height: number },
  param: string,
): Overlay[] {
  const out: Overlay[] = [];
  for (const d of f?.Delogos ?? []) out.push(delogo(d, frame));
  for (const [i, w] of (f?.Watermarks ?? []).entries())
    out.push(watermark(job, w, frame, `${param}.Watermarks[${i}]`));
  return out;
}

function watermark(
  job: JobContext,
  w: Watermark,
  frame: { width: number; height: number },
  param: string,
): Overlay {
  const corner = (w.ReferPos ?? 'topleft') as Corner;
  const dx = px(w.Dx, frame.width, 0);
  const dy = px(w.Dy, frame.height, 0);
  const timing = { start: w.StartTime, duration: w.Duration };
  if ((w.Type ?? 'text') === 'text') {
    const file = path.join(job.tmpDir, `watermark-text-${job.textFiles.length}.txt`);
    job.textFiles.push({ path: file, content: w.Content ?? '' });
    return {
      kind: 'text',
      textFile: file,
      font: FONTS[w.FontName ?? 'SourceHanSans-Regular']!,
      fontSize: w.FontSize ?? 16,
      fontColor: w.FontColor ?? '#000000',
      alpha: w.FontApha ?? 1,
      borderColor: w.BorderColor ?? '#000000',
      borderWidth: w.BorderWidth ?? 0,
      corner,
      dx,
      dy,
      ...timing,
    };
  }
  const file = job.watermarks.get(w.URI!);
  if (!file) throw TaskErrors.internal(`${param}: the watermark file was not fetched.`);
  return {
    kind: 'image',
    input: `${file.input}:0`,
    width: w.Width === undefined ? undefined : Math.max(1, px(w.Width, frame.width, file.width)),
    height: w.Height === undefined ? undefined : Math.max(1, px(w.Height, frame.height, file.height)),
    corner,
    dx,
    dy,
    ...timing,
  };
}

/** The box clamped inside the frame, on even coordinates (4:2:0 chroma). */
function delogo(d: Delogo, frame: { width: number; height: number }): DelogoBox {
  const evenDown = (n: number) => Math.max(0, Math.floor(n / 2) * 2);
  const w = Math.min(frame.width, Math.max(2, evenDown(px(d.Width, frame.width, frame.width))));
  const h = Math.min(frame.height, Math.max(2, evenDown(px(d.Height, frame.height, frame.height))));
  const dx = px(d.Dx, frame.width, 0);
  const dy = px(d.Dy, frame.height, 0);
  const corner = d.ReferPos ?? 'topleft';
  const right = corner === 'topright' || corner === 'bottomright';
  const bottom = corner === 'bottomleft' || corner === 'bottomright';
  const x = Math.min(frame.width - w, evenDown(right ? frame.width - w - dx : dx));
  const y = Math.min(frame.height - h, evenDown(bottom ? frame.height - h - dy : dy));
  return {
    kind: 'delogo',
    x: Math.max(0, x),
    y: Math.max(0, y),
    width: w,
    height: h,
    start: d.StartTime,
    duration: d.Duration,
  };
}
