/**
 * TranscodeVideo against the source: output size (Resolution with its direction, option and ScaleType),
 * frame rate and bitrate with their `fixed`/`adaptive`/`fall` options, and the encoder settings. Pure.
 */

import type { VideoEncodeSpec } from '../../engines/ffmpeg/codec-args.ts';
import type { MediaConfig } from '../../engines/ffmpeg/config.ts';
import type { VideoChainSpec } from '../../engines/ffmpeg/video-filters.ts';
import { TaskErrors } from '../task-error.ts';
import { even } from './plan-base.ts';
import type { TranscodeVideo } from './schema-video.ts';

export interface VideoSourceFacts {
  /** Display size of the frames reaching the encoder chain. */
  width: number;
  height: number;
  frameRate?: number;
  bitRate?: number;
}

export interface ResolvedVideo {
  chain: VideoChainSpec;
  encode: VideoEncodeSpec;
  width: number;
  height: number;
}

export function resolveVideo(
  tv: TranscodeVideo,
  src: VideoSourceFacts,
  opts: { config: MediaConfig; speed?: number; param: string; hvc1?: boolean },
): ResolvedVideo {
  const codec = tv.Codec as 'h264' | 'h265' | 'vp9';
  const rotate = (tv.Rotation ?? 0) as 0 | 90 | 180 | 270;
  const turned =
    rotate % 180 === 90 ? { width: src.height, height: src.width } : { width: src.width, height: src.height };
  const size = resolveSize(tv, turned, opts.param);
  const frameRate = pickValue(tv.FrameRate, src.frameRate, tv.FrameRateOption, `${opts.param}.FrameRate`);
  const bitrate = pickValue(tv.Bitrate, videoBitrate(src), tv.BitrateOption, `${opts.param}.Bitrate`);
  const resized = size.width !== turned.width || size.height !== turned.height || size.mode !== 'stretch';
  return {
    width: size.width,
    height: size.height,
    chain: {
      rotate,
      size: resized ? size : undefined,
      frameRate: frameRate !== undefined && frameRate !== src.frameRate ? frameRate : undefined,
      speed: opts.speed,
    },
    encode: {
      codec,
      preset: codec === 'h265' ? opts.config.h265Preset : opts.config.h264Preset,
      vp9CpuUsed: opts.config.vp9CpuUsed,
      bitrate,
      crf: bitrate === undefined ? (tv.CRF ?? 23) : undefined,
      maxBitrate: tv.MaxBitrate,
      bufferSize: tv.BufferSize,
      gop: tv.GOPSize ?? 150,
      bFrames: tv.BFrames ?? 3,
      refs: tv.Refs ?? 2,
      pixelFormat: tv.PixelFormat,
      slim: tv.VideoSlim === 1,
      hvc1Tag: opts.hvc1,
    },
  };
}

function videoBitrate(src: VideoSourceFacts): number | undefined {
  return src.bitRate;
}

type Size = { width: number; height: number; mode: 'stretch' | 'crop' | 'fill' };

/**
 * The box from Resolution: `WxH`, or long×short with AdaptiveResolutionDirection; a missing side keeps the
 * source's (as IMM documents). `fit` becomes a stretch into the largest same-shape size inside the box.
 */
export function resolveSize(tv: TranscodeVideo, src: { width: number; height: number }, param: string): Size {
  const keep: Size = { width: even(src.width), height: even(src.height), mode: 'stretch' };
  if (!tv.Resolution) return keep;
  const [a, b] = tv.Resolution.split(/[xX*]/).map((s) => (s ? Number(s) : undefined));
  let w: number;
  let h: number;
  if (tv.AdaptiveResolutionDirection) {
    const landscape = src.width >= src.height;
    const long = a ?? Math.max(src.width, src.height);
    const short = b ?? Math.min(src.width, src.height);
    [w, h] = landscape ? [long, short] : [short, long];
  } else {
    w = a ?? src.width;
    h = b ?? src.height;
  }
  const option = tv.ResolutionOption ?? 'fixed';
  if (option !== 'fixed' && src.width * src.height < w * h) {
    if (option === 'fall') {
      throw TaskErrors.invalidArgument(
        `${param}.Resolution ${w}x${h} is larger than the source (${src.width}x${src.height}) and ResolutionOption is fall.`,
      );
    }
    return keep;
  }
  const scale = tv.ScaleType ?? 'stretch';
  if (scale === 'fit') {
    const k = Math.min(w / src.width, h / src.height);
    return { width: even(src.width * k), height: even(src.height * k), mode: 'stretch' };
  }
  return { width: even(w), height: even(h), mode: scale };
}

/**
 * A requested number against the source's: `fixed` takes the request, `adaptive` the source's when it is
 * lower, `fall` fails when the source's is lower. An unknown source value counts as not lower.
 */
export function pickValue(
  wanted: number | undefined,
  source: number | undefined,
  option: 'fixed' | 'adaptive' | 'fall' | undefined,
  param: string,
): number | undefined {
  if (wanted === undefined) return undefined;
  if (!option || option === 'fixed' || source === undefined || source >= wanted) return wanted;
  if (option === 'fall') {
    throw TaskErrors.invalidArgument(
      `${param} ${wanted} is higher than the source's (${Math.round(source * 1000) / 1000}) and the option is fall.`,
    );
  }
  return source;
}
