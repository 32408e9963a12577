/** `Targets[].Video`: TranscodeVideo, FilterVideo (watermarks, delogos, speed) and stream selection. */
import { z } from 'zod';
import {
  bool,
  color,
  intIn,
  numberIn,
  oneOfNumbers,
  pixelsOrRatio,
  scaleType,
  streamList,
  valueOption,
} from './schema-helpers.ts';

export const PIXEL_FORMATS = [
  'yuv420p',
  'yuv422p',
  'yuv444p',
  'yuv420p10le',
  'yuv422p10le',
  'yuv444p10le',
  'yuva420p',
] as const;

/** `WxH`, `Wx` or `xH`; each side in (0, 4096]. */
const resolution = z
  .string()
  .regex(/^(\d{1,4})?[xX*](\d{1,4})?$/, 'Use WIDTHxHEIGHT, WIDTHx or xHEIGHT, e.g. 1280x720.')
  .refine((r) => {
    const [w, h] = r.split(/[xX*]/).map((s) => (s ? Number(s) : undefined));
    if (w === undefined && h === undefined) return false;
    return [w, h].every((v) => v === undefined || (v > 0 && v <= 4096));
  }, 'Each side must be in (0, 4096] and at least one side given.');

export const transcodeVideoSchema = z
  .object({
    Codec: z.enum(['copy', 'h264', 'h265', 'vp9']).optional(),
    Resolution: resolution.optional(),
    AdaptiveResolutionDirection: bool().optional(),
    ResolutionOption: valueOption.optional(),
    ScaleType: scaleType.optional(),
    FrameRate: numberIn(0, 240, { gt: true }).optional(),
    FrameRateOption: valueOption.optional(),
    GOPSize: intIn(1, 100_000).optional(),
    BFrames: intIn(0, 16).optional(),
    Refs: intIn(1, 16).optional(),
    Bitrate: intIn(1_000, 500_000_000).optional(),
    BitrateOption: valueOption.optional(),
    CRF: numberIn(0, 51).optional(),
    MaxBitrate: intIn(1_000, 500_000_000).optional(),
    BufferSize: intIn(1_000, 1_000_000_000).optional(),
    PixelFormat: z.enum(PIXEL_FORMATS).optional(),
    Rotation: oneOfNumbers([0, 90, 180, 270] as const).optional(),
    VideoSlim: oneOfNumbers([0, 1] as const).optional(),
  })
  .superRefine((v, ctx) => {
    const bad = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (v.Bitrate !== undefined && v.CRF !== undefined) bad('CRF', 'Bitrate and CRF are mutually exclusive.');
    if (v.Bitrate !== undefined && v.MaxBitrate !== undefined)
      bad('MaxBitrate', 'MaxBitrate works with CRF, not with Bitrate.');
    if ((v.MaxBitrate === undefined) !== (v.BufferSize === undefined)) {
      bad(
        v.MaxBitrate === undefined ? 'MaxBitrate' : 'BufferSize',
        'MaxBitrate and BufferSize must be set together.',
      );
    }
    if (v.ResolutionOption && !v.Resolution) bad('ResolutionOption', 'ResolutionOption needs Resolution.');
    if (v.FrameRateOption && v.FrameRate === undefined)
      bad('FrameRateOption', 'FrameRateOption needs FrameRate.');
    if (v.BitrateOption && v.Bitrate === undefined) bad('BitrateOption', 'BitrateOption needs Bitrate.');
    if (v.ScaleType && !v.Resolution) bad('ScaleType', 'ScaleType needs Resolution.');
    if (v.PixelFormat === 'yuva420p' && v.Codec !== 'vp9') bad('PixelFormat', 'yuva420p needs Codec vp9.');
    if (v.VideoSlim === 1) {
      if (v.Codec !== 'h264' && v.Codec !== 'h265') bad('VideoSlim', 'VideoSlim needs Codec h264 or h265.');
      if (v.PixelFormat && v.PixelFormat !== 'yuv420p')
        bad('VideoSlim', 'VideoSlim needs PixelFormat yuv420p.');
    }
  });

const timing = {
  StartTime: numberIn(0, 1e7).optional(),
  Duration: numberIn(0, 1e7).optional(),
};

const placement = {
  ReferPos: z.enum(['topleft', 'topright', 'bottomright', 'bottomleft']).optional(),
  Dx: pixelsOrRatio({ allowZero: true }).optional(),
  Dy: pixelsOrRatio({ allowZero: true }).optional(),
  Width: pixelsOrRatio().optional(),
  Height: pixelsOrRatio().optional(),
};

export const FONT_NAMES = [
  'SourceHanSans-Regular',
  'SourceHanSans-Bold',
  'SourceHanSerif-Regular',
  'SourceHanSerif-Bold',
] as const;

export const watermarkSchema = z
  .object({
    Type: z.enum(['text', 'file']).optional(),
    URI: z.string().optional(),
    Content: z.string().max(1024).optional(),
    FontName: z.enum(FONT_NAMES).optional(),
    FontSize: intIn(5, 119).optional(),
    FontColor: color.optional(),
    FontApha: numberIn(0, 1, { gt: true }).optional(),
    BorderColor: color.optional(),
    BorderWidth: intIn(0, 4096).optional(),
    ...placement,
    ...timing,
  })
  .superRefine((w, ctx) => {
    if ((w.Type ?? 'text') === 'text' && !w.Content) {
      ctx.addIssue({ code: 'custom', path: ['Content'], message: 'A text watermark needs Content.' });
    }
    if (w.Type === 'file' && !w.URI)
      ctx.addIssue({ code: 'custom', path: ['URI'], message: 'A file watermark needs URI.' });
    if (w.Type === 'file' && w.URI && !/\.(png|mov)$/i.test(w.URI)) {
      ctx.addIssue({ code: 'custom', path: ['URI'], message: 'A file watermark is a .png or .mov object.' });
    }
  });

export const delogoSchema = z.object({ ...placement, ...timing });

const desensitizationPart = z
  .object({
    Confidence: numberIn(0, 1).optional(),
    MinSize: numberIn(0, 100_000).optional(),
    BlurRadius: numberIn(0, 1000).optional(),
    ScaleRatio: numberIn(0, 100).optional(),
    Transparency: numberIn(0, 1).optional(),
  })
  .optional();

export const filterVideoSchema = z.object({
  Watermarks: z.array(watermarkSchema).max(10).optional(),
  Delogos: z.array(delogoSchema).max(10).optional(),
  Speed: numberIn(0.5, 1).optional(),
  Desensitization: z.object({ Face: desensitizationPart, LicensePlate: desensitizationPart }).optional(),
});

export const targetVideoSchema = z.object({
  DisableVideo: bool().optional(),
  Stream: streamList().optional(),
  TranscodeVideo: transcodeVideoSchema.optional(),
  FilterVideo: filterVideoSchema.optional(),
});

export type TranscodeVideo = z.infer<typeof transcodeVideoSchema>;
export type FilterVideo = z.infer<typeof filterVideoSchema>;
export type Watermark = z.infer<typeof watermarkSchema>;
export type Delogo = z.infer<typeof delogoSchema>;
export type TargetVideo = z.infer<typeof targetVideoSchema>;
