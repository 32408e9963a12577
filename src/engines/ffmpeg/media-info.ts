/**
 * What ffprobe tells about a file, reduced to what planning needs. `parseProbeJson` is pure (ffprobe's
 * `-print_format json -show_format -show_streams` output in, MediaInfo out).
 */
export type StreamType = 'video' | 'audio' | 'subtitle' | 'data' | 'attachment' | 'unknown';

export interface MediaStream {
  /** Absolute stream index in the file (ffmpeg's `0:<index>`). */
  index: number;
  type: StreamType;
  /** codec_name, or `unknown` when ffprobe has no decoder for it. */
  codec: string;
  profile?: string;
  level?: number;
  /** A cover image stored as a video stream (disposition attached_pic). */
  attachedPic: boolean;
  /** Coded size. */
  width?: number;
  height?: number;
  /**
   * Rotation the player applies (display matrix, or the legacy `rotate` tag), normalised to 0/90/180/270.
   * Planning only needs to know whether it swaps width and height: ffmpeg applies it when decoding.
   */
  rotation: number;
  frameRate?: number;
  pixFmt?: string;
  bitRate?: number;
  sampleRate?: number;
  channels?: number;
  channelLayout?: string;
  language?: string;
  duration?: number;
  frames?: number;
}

export interface MediaInfo {
  formatName: string;
  duration?: number;
  bitRate?: number;
  size?: number;
  streams: MediaStream[];
}

const TYPES: Record<string, StreamType> = {
  video: 'video',
  audio: 'audio',
  subtitle: 'subtitle',
  data: 'data',
  attachment: 'attachment',
};

export function parseProbeJson(json: unknown): MediaInfo {
  const root = (json ?? {}) as { format?: Record<string, any>; streams?: Record<string, any>[] };
  const format = root.format ?? {};
  return {
    formatName: String(format.format_name ?? ''),
    duration: positive(format.duration),
    bitRate: positive(format.bit_rate),
    size: positive(format.size),
    streams: (root.streams ?? []).map(parseStream),
  };
}

function parseStream(s: Record<string, any>): MediaStream {
  const tags = (s.tags ?? {}) as Record<string, string>;
  return {
    index: Number(s.index),
    type: TYPES[String(s.codec_type)] ?? 'unknown',
    codec: typeof s.codec_name === 'string' && s.codec_name ? s.codec_name : 'unknown',
    profile: typeof s.profile === 'string' ? s.profile : undefined,
    level: Number.isFinite(Number(s.level)) ? Number(s.level) : undefined,
    attachedPic: Number(s.disposition?.attached_pic) === 1,
    width: positive(s.width),
    height: positive(s.height),
    rotation: rotationOf(s),
    frameRate: rate(s.avg_frame_rate) ?? rate(s.r_frame_rate),
    pixFmt: typeof s.pix_fmt === 'string' ? s.pix_fmt : undefined,
    bitRate: positive(s.bit_rate) ?? positive(tags.BPS),
    sampleRate: positive(s.sample_rate),
    channels: positive(s.channels),
    channelLayout: typeof s.channel_layout === 'string' ? s.channel_layout : undefined,
    language: tags.language,
    duration: positive(s.duration),
    frames: positive(s.nb_frames),
  };
}

/** Display-matrix rotation (or the `rotate` tag) as one of 0/90/180/270. */
function rotationOf(s: Record<string, any>): number {
  const side = (s.side_data_list ?? []) as Record<string, any>[];
  const matrix = side.find((d) => d.rotation !== undefined);
  let deg = matrix ? -Number(matrix.rotation) : Number(s.tags?.rotate ?? 0);
  if (!Number.isFinite(deg)) deg = 0;
  return (((Math.round(deg / 90) * 90) % 360) + 360) % 360;
}

function positive(v: unknown): number | undefined {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function rate(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const [num, den] = v.split('/').map(Number);
  if (!num || !den || !Number.isFinite(num / den)) return undefined;
  const r = num / den;
  // ffprobe reports e.g. 90000/1 for streams whose rate it cannot tell; no real video runs that fast.
  return r > 0 && r <= 1000 ? r : undefined;
}

/** Width and height as played (rotation applied). */
export function displaySize(s: MediaStream): { width: number; height: number } | undefined {
  if (!s.width || !s.height) return undefined;
  return s.rotation % 180 === 90
    ? { width: s.height, height: s.width }
    : { width: s.width, height: s.height };
}

export function streamsOf(info: MediaInfo, type: StreamType): MediaStream[] {
  return info.streams.filter((s) => s.type === type && !(type === 'video' && s.attachedPic));
}

export function attachedPictures(info: MediaInfo): MediaStream[] {
  return info.streams.filter((s) => s.type === 'video' && s.attachedPic);
}

const BITMAP_SUBTITLES = new Set([
  'hdmv_pgs_subtitle',
  'dvd_subtitle',
  'dvb_subtitle',
  'xsub',
  'dvb_teletext',
]);

export function isBitmapSubtitle(codec: string): boolean {
  return BITMAP_SUBTITLES.has(codec);
}
