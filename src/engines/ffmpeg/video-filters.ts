/**
 * Video filter chains from resolved numbers: geometry (rotate, scale with stretch/crop/fill), frame
 * rate, speed, pixel format, and the normalisation sources get before concatenation. Pure.
 */
import { filter, num, quoteOption } from './filter-graph.ts';

/** How a frame is fitted into a box. `fit` is planned as a `stretch` into the already-fitted size. */
export type FitMode = 'stretch' | 'crop' | 'fill';

export interface VideoChainSpec {
  /** Extra clockwise rotation, after the source's own rotation (which ffmpeg applies when decoding). */
  rotate?: 0 | 90 | 180 | 270;
  size?: { width: number; height: number; mode: FitMode };
  frameRate?: number;
  /** Playback speed factor (0.5 plays twice as long). */
  speed?: number;
  pixelFormat?: string;
}

export function rotateFilters(deg: number | undefined): string[] {
  switch (deg) {
    case 90:
      return ['transpose=clock'];
    case 180:
      return ['hflip', 'vflip'];
    case 270:
      return ['transpose=cclock'];
    default:
      return [];
  }
}

export function sizeFilters(size: VideoChainSpec['size']): string[] {
  if (!size) return [];
  const { width: w, height: h } = size;
  switch (size.mode) {
    case 'crop':
      return [
        filter('scale', { w, h, force_original_aspect_ratio: 'increase', force_divisible_by: 2 }),
        filter('crop', { w, h }),
        'setsar=1',
      ];
    case 'fill':
      return [
        filter('scale', { w, h, force_original_aspect_ratio: 'decrease', force_divisible_by: 2 }),
        filter('pad', { w, h, x: '(ow-iw)/2', y: '(oh-ih)/2', color: 'black' }),
        'setsar=1',
      ];
    default:
      return [filter('scale', { w, h }), 'setsar=1'];
  }
}

export function videoChain(spec: VideoChainSpec): string[] {
  const out = [...rotateFilters(spec.rotate), ...sizeFilters(spec.size)];
  if (spec.speed && spec.speed !== 1) out.push(`setpts=PTS/${num(spec.speed)}`);
  if (spec.frameRate) out.push(filter('fps', { fps: spec.frameRate }));
  if (spec.pixelFormat) out.push(filter('format', { pix_fmts: spec.pixelFormat }));
  return out;
}

/** Every concatenated video part gets the same size, rate, pixel format and time base. */
export function concatNormaliseVideo(o: { width: number; height: number; frameRate: number }): string[] {
  return [
    ...sizeFilters({ width: o.width, height: o.height, mode: 'fill' }),
    filter('fps', { fps: o.frameRate }),
    'format=yuv420p',
    'settb=AVTB',
  ];
}

export function concatNormaliseAudio(o: { sampleRate: number; channelLayout: string }): string[] {
  return [
    filter('aresample', { osr: o.sampleRate }),
    filter('aformat', { sample_fmts: 'fltp', sample_rates: o.sampleRate, channel_layouts: o.channelLayout }),
    'asettb=AVTB',
  ];
}

/** A black video of the given length, for a concatenated part that has no video. */
export function blackVideoSource(o: {
  width: number;
  height: number;
  frameRate: number;
  duration: number;
}): string {
  return filter('color', { c: 'black', s: `${o.width}x${o.height}`, r: o.frameRate, d: o.duration });
}

/** Silence of the given length, for a concatenated part that has no audio. */
export function silenceSource(o: { sampleRate: number; channelLayout: string; duration: number }): string[] {
  return [
    filter('anullsrc', { r: o.sampleRate, cl: quoteOption(o.channelLayout) }),
    filter('atrim', { duration: o.duration }),
  ];
}
