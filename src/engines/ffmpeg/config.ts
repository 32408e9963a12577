/**
 * Settings of the media engine (Debian's ffmpeg/ffprobe as child processes). The integrator nests this
 * under the `media` key of the server config; env `OPENIMM_MEDIA_<SETTING>` (e.g. `OPENIMM_MEDIA_H264_PRESET`).
 */
import os from 'node:os';
import { z } from 'zod';

/**
 * The default of the task engine's `media` work-class concurrency (MediaConvert tasks at once per worker
 * process; the worker config owns the setting). One heavy transcode per two cores: x264 at `veryfast` keeps two threads busy for a 1080p source
 * (measured: 60 s 1080p30 → 720p in 13.3 s with both cores at ~100 %), so more runs only add contention.
 */
export function defaultMediaConcurrency(cpus = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cpus / 2));
}

const preset = z.enum([
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
  'veryslow',
]);

export const mediaConfigSchema = z.object({
  ffmpegCommand: z.string().min(1).default('ffmpeg'),
  ffprobeCommand: z.string().min(1).default('ffprobe'),
  /** `-threads` for each ffmpeg run; 0 lets ffmpeg pick (all cores). */
  threads: z.number().int().min(0).max(64).default(0),
  /** x264 speed/size trade-off (IMM does not expose it). */
  h264Preset: preset.default('veryfast'),
  h265Preset: preset.default('veryfast'),
  /** libvpx-vp9 `-cpu-used` with `-deadline good`: 0 slowest/best … 8 fastest. */
  vp9CpuUsed: z.number().int().min(0).max(8).default(4),
  /** ffprobe of one source. */
  probeTimeoutMs: z.number().int().min(1000).default(60_000),
  /**
   * Floor of a run's timeout; the timeout is otherwise the media duration times the task limit
   * `mediaTimeoutFactor` (a stuck or endless input is killed, a long film is not).
   */
  minRunTimeoutMs: z.number().int().min(1000).default(120_000),
  /** Largest source object (it is copied to the scratch folder before ffmpeg opens it). */
  maxSourceBytes: z
    .number()
    .int()
    .min(1)
    .default(50 * 1024 ** 3),
  /** Longest source accepted, in seconds (by ffprobe's duration). */
  maxSourceDurationSec: z
    .number()
    .min(1)
    .default(24 * 3600),
  /** Largest decoded frame, width × height, of any source stream. */
  maxFramePixels: z
    .number()
    .int()
    .min(1)
    .default(8192 * 8192),
  /** Largest single output file; ffmpeg stops at it (`-fs`) and the task fails instead of filling the disk. */
  maxOutputBytes: z
    .number()
    .int()
    .min(1)
    .default(50 * 1024 ** 3),
  /** Images one Snapshots/Sprites entry may produce (sprites count their cells). */
  maxImagesPerOperation: z.number().int().min(1).default(10_000),
  /** Frames one animation may hold. */
  maxAnimationFrames: z.number().int().min(1).default(1_000),
});

export type MediaConfig = z.infer<typeof mediaConfigSchema>;

export const defaultMediaConfig: MediaConfig = mediaConfigSchema.parse({});
