/** `Targets[]` and `TargetGroups[]` of CreateMediaConvertTask: audio, subtitles, images, segments. */
import { z } from 'zod';
import { CONTAINER_NAMES } from '../../engines/ffmpeg/containers.ts';
import {
  bool,
  intIn,
  numberIn,
  oneOfNumbers,
  pixelsOrRatio,
  scaleType,
  streamList,
  valueOption,
} from './schema-helpers.ts';
import { targetVideoSchema } from './schema-video.ts';

export const SAMPLE_RATES = [
  8000, 11025, 12000, 12025, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000,
] as const;

export const transcodeAudioSchema = z
  .object({
    Codec: z.enum(['copy', 'mp3', 'vorbis', 'aac', 'flac', 'ac3', 'opus', 'amr']).optional(),
    SampleRate: oneOfNumbers(SAMPLE_RATES).optional(),
    SampleRateOption: valueOption.optional(),
    Channel: intIn(1, 8).optional(),
    Bitrate: intIn(1_000, 10_000_000).optional(),
    BitrateOption: valueOption.optional(),
    Quality: intIn(0, 100).optional(),
    BitsPerSample: oneOfNumbers([16, 24] as const).optional(),
  })
  .superRefine((a, ctx) => {
    const bad = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (a.Bitrate !== undefined && a.Quality !== undefined)
      bad('Quality', 'Bitrate and Quality are mutually exclusive.');
    if (a.SampleRateOption && a.SampleRate === undefined)
      bad('SampleRateOption', 'SampleRateOption needs SampleRate.');
    if (a.BitrateOption && a.Bitrate === undefined) bad('BitrateOption', 'BitrateOption needs Bitrate.');
    if (a.BitsPerSample !== undefined && a.Codec !== 'flac')
      bad('BitsPerSample', 'BitsPerSample applies to Codec flac only.');
  });

export const targetAudioSchema = z.object({
  DisableAudio: bool().optional(),
  Stream: streamList().optional(),
  TranscodeAudio: transcodeAudioSchema.optional(),
  FilterAudio: z.object({ Mixing: bool().optional() }).optional(),
});

const subtitleFormat = z.preprocess((v) => (v === 'vtt' ? 'webvtt' : v), z.enum(['ass', 'srt', 'webvtt']));

export const targetSubtitleSchema = z.object({
  DisableSubtitle: bool().optional(),
  Stream: streamList().optional(),
  ExtractSubtitle: z.object({ URI: z.string().min(1), Format: subtitleFormat.optional() }).optional(),
});

const pick = {
  URI: z.string().min(1),
  StartTime: numberIn(0, 1e7).optional(),
  Number: intIn(0, 1_000_000).optional(),
  Interval: numberIn(0, 1e6, { gt: true }).optional(),
  Mode: z.enum(['interval', 'average', 'keyframe', 'scene']).optional(),
  Threshold: intIn(0, 100).optional(),
  ScaleType: scaleType.optional(),
};

export const snapshotSchema = z.object({
  ...pick,
  Format: z.preprocess((v) => (v === 'jpeg' ? 'jpg' : v), z.enum(['jpg', 'png', 'webp'])),
  Width: pixelsOrRatio().optional(),
  Height: pixelsOrRatio().optional(),
});

/** Sprite cells: pixels (2–4096) or a ratio of the frame in (0, 1]; IMM's default is the full frame. */
const cellSide = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
  z.number().refine((n) => (n > 0 && n <= 1) || (Number.isInteger(n) && n > 1 && n <= 4096), {
    message: 'Use an integer of pixels (2–4096) or a ratio in (0, 1].',
  }),
);

export const spriteSchema = z.object({
  ...pick,
  Format: z.preprocess((v) => (v === 'jpeg' ? 'jpg' : v), z.enum(['jpg', 'png'])),
  TileWidth: intIn(1, 100).optional(),
  TileHeight: intIn(1, 100).optional(),
  ScaleWidth: cellSide.optional(),
  ScaleHeight: cellSide.optional(),
  Margin: intIn(0, 1024).optional(),
  Pad: intIn(0, 1024).optional(),
});

export const animationSchema = z.object({
  URI: z.string().min(1),
  Format: z.enum(['gif', 'webp']),
  StartTime: numberIn(0, 1e7).optional(),
  Number: intIn(0, 1_000_000).optional(),
  Interval: numberIn(0, 1e6, { gt: true }).optional(),
  FrameRate: numberIn(0, 120, { gt: true }).optional(),
  Width: pixelsOrRatio().optional(),
  Height: pixelsOrRatio().optional(),
  ScaleType: scaleType.optional(),
});

export const targetImageSchema = z.object({
  Snapshots: z.array(snapshotSchema).max(20).optional(),
  Sprites: z.array(spriteSchema).max(20).optional(),
  Animations: z.array(animationSchema).max(20).optional(),
});

export const segmentSchema = z.object({
  Format: z.enum(['hls', 'dash']),
  Duration: numberIn(0.1, 3600).optional(),
  StartNumber: intIn(0, 1_000_000_000).optional(),
});

const streamsOnly = z.object({ Stream: streamList().optional() });

export const targetSchema = z.object({
  URI: z.string().optional(),
  Container: z.enum(CONTAINER_NAMES as [string, ...string[]]).optional(),
  Video: targetVideoSchema.optional(),
  Audio: targetAudioSchema.optional(),
  Subtitle: targetSubtitleSchema.optional(),
  Image: targetImageSchema.optional(),
  Segment: segmentSchema.optional(),
  Speed: numberIn(0.5, 1).optional(),
  StripMetadata: bool().optional(),
  AttachedPicture: streamsOnly.optional(),
  Data: streamsOnly.optional(),
});

export const groupTargetSchema = z.object({
  URI: z.string().min(1),
  Container: z.enum(['mp4', 'ts']).optional(),
  Segment: segmentSchema.optional(),
  Video: targetVideoSchema.optional(),
  Audio: targetAudioSchema.optional(),
  Subtitle: targetSubtitleSchema.optional(),
  Speed: numberIn(0.5, 1).optional(),
  StripMetadata: bool().optional(),
});

export const targetGroupSchema = z.object({
  URI: z.string().min(1),
  Targets: z.array(groupTargetSchema).min(1).max(10),
});

export type TranscodeAudio = z.infer<typeof transcodeAudioSchema>;
export type TargetAudio = z.infer<typeof targetAudioSchema>;
export type TargetSubtitle = z.infer<typeof targetSubtitleSchema>;
export type Snapshot = z.infer<typeof snapshotSchema>;
export type Sprite = z.infer<typeof spriteSchema>;
export type Animation = z.infer<typeof animationSchema>;
export type TargetImage = z.infer<typeof targetImageSchema>;
export type Segment = z.infer<typeof segmentSchema>;
export type Target = z.infer<typeof targetSchema>;
export type GroupTarget = z.infer<typeof groupTargetSchema>;
export type TargetGroup = z.infer<typeof targetGroupSchema>;
