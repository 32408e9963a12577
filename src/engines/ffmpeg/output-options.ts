/** Muxer-side options of outputs: containers, HLS/DASH packaging, image sequences and animations. Pure. */
import type { StreamCodec } from './codec-args.ts';
import { CONTAINERS, type ContainerName } from './containers.ts';

export interface ContainerOptions {
  stripMetadata?: boolean;
  /** `-fs`: ffmpeg stops writing at this many bytes. */
  maxBytes?: number;
  /** The output carries a codec the muxer writes only with `-strict experimental`. */
  experimental?: boolean;
}

export function containerOptions(name: ContainerName, o: ContainerOptions = {}): string[] {
  const a: string[] = [];
  if (CONTAINERS[name].faststart) a.push('-movflags', '+faststart');
  a.push(...commonOptions(o));
  return a;
}

function commonOptions(o: ContainerOptions): string[] {
  const a: string[] = [];
  if (o.stripMetadata) a.push('-map_metadata', '-1', '-map_chapters', '-1');
  if (o.experimental) a.push('-strict', 'experimental');
  if (o.maxBytes) a.push('-fs', String(o.maxBytes));
  return a;
}

export interface HlsOptions extends ContainerOptions {
  segmentSeconds: number;
  startNumber: number;
  /** Absolute path pattern of segment files, with `%d`. */
  segmentPattern: string;
  /** fMP4 segments (Container mp4) instead of MPEG-TS. */
  fmp4?: boolean;
  /** Init segment file name (fMP4 only), relative to the playlist. */
  initName?: string;
}

export function hlsOptions(o: HlsOptions): string[] {
  const a = [
    '-hls_time',
    String(o.segmentSeconds),
    '-hls_playlist_type',
    'vod',
    '-hls_list_size',
    '0',
    '-start_number',
    String(o.startNumber),
    '-hls_segment_filename',
    o.segmentPattern,
  ];
  if (o.fmp4) a.push('-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', o.initName ?? 'init.mp4');
  return [...a, ...commonOptions(o)];
}

export interface DashOptions extends ContainerOptions {
  segmentSeconds: number;
  /** File name stem of the segments, next to the manifest. */
  stem: string;
}

export function dashOptions(o: DashOptions): string[] {
  return [
    '-seg_duration',
    String(o.segmentSeconds),
    '-use_template',
    '1',
    '-use_timeline',
    '1',
    '-init_seg_name',
    `${o.stem}-init-$RepresentationID$.m4s`,
    '-media_seg_name',
    `${o.stem}-$RepresentationID$-$Number%05d$.m4s`,
    ...commonOptions(o),
  ];
}

/** Key frames at every segment boundary, so segments are as long as asked whatever the GOP. */
export function segmentKeyframes(seconds: number): [string, string] {
  return ['force_key_frames', `expr:gte(t,n_forced*${seconds})`];
}

export type ImageFormat = 'jpg' | 'png' | 'webp';

export function imageCodec(format: ImageFormat): StreamCodec {
  if (format === 'png') return { encoder: 'png', options: [] };
  if (format === 'webp') return { encoder: 'libwebp', options: [['quality', '80']] };
  // mjpeg's default rate control is a fixed 200 kb/s, far too low for stills; q 2 is near-lossless.
  return { encoder: 'mjpeg', options: [['q', '2']] };
}

/** An `image2` sequence numbered from 1 (`%d` in the path); only the selected frames, never duplicated. */
/**
 * `frames` caps the images written: once an image output has all of them ffmpeg stops reading the input
 * (the `trim` in the graph alone still lets ffmpeg 5.1 decode to the end of the source).
 */
export function imageSequenceOptions(o: { maxBytes?: number; frames?: number } = {}): string[] {
  const cap = o.frames && o.frames > 0 ? ['-frames:v', String(o.frames)] : [];
  return ['-fps_mode', 'vfr', ...cap, '-start_number', '1', ...commonOptions(o)];
}

export function animationCodec(format: 'gif' | 'webp'): StreamCodec {
  if (format === 'webp') return { encoder: 'libwebp_anim', options: [['quality', '75']] };
  return { encoder: 'gif', options: [] };
}

export function animationOptions(o: { maxBytes?: number } = {}): string[] {
  return ['-fps_mode', 'passthrough', '-loop', '0', ...commonOptions(o)];
}

export type SubtitleFileFormat = 'ass' | 'srt' | 'webvtt';

/** Encoder, muxer and extension of an extracted subtitle file. */
export const SUBTITLE_FILES: Record<SubtitleFileFormat, { encoder: string; muxer: string; ext: string }> = {
  ass: { encoder: 'ass', muxer: 'ass', ext: 'ass' },
  srt: { encoder: 'srt', muxer: 'srt', ext: 'srt' },
  webvtt: { encoder: 'webvtt', muxer: 'webvtt', ext: 'vtt' },
};
