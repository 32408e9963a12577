/**
 * Encoder options for one output stream, as `[option, value]` pairs without stream specifiers (the
 * argument builder adds `:<output stream index>`). Pure.
 */
export type VideoCodec = 'h264' | 'h265' | 'vp9';
export type AudioCodec = 'aac' | 'mp3' | 'vorbis' | 'flac' | 'ac3' | 'opus' | 'amr';

export type StreamOption = [name: string, value: string];

export interface StreamCodec {
  /** ffmpeg encoder name, or `copy`. */
  encoder: string;
  options: StreamOption[];
}

export const VIDEO_ENCODERS: Record<VideoCodec, string> = {
  h264: 'libx264',
  h265: 'libx265',
  vp9: 'libvpx-vp9',
};
export const AUDIO_ENCODERS: Record<AudioCodec, string> = {
  aac: 'aac',
  mp3: 'libmp3lame',
  vorbis: 'libvorbis',
  flac: 'flac',
  ac3: 'ac3',
  opus: 'libopus',
  amr: 'libopencore_amrnb',
};

export interface VideoEncodeSpec {
  codec: VideoCodec;
  /** x264/x265 preset. */
  preset: string;
  /** libvpx-vp9 `-cpu-used`. */
  vp9CpuUsed: number;
  crf?: number;
  bitrate?: number;
  maxBitrate?: number;
  bufferSize?: number;
  gop: number;
  bFrames: number;
  refs: number;
  pixelFormat?: string;
  /** Psycho-visual tuning for lower bitrates at the same look (IMM's VideoSlim). */
  slim?: boolean;
  /** `hvc1` tagging of H.265 in mp4/mov, which Apple players require. */
  hvc1Tag?: boolean;
}

export const COPY: StreamCodec = { encoder: 'copy', options: [] };

export function videoCodecArgs(s: VideoEncodeSpec): StreamCodec {
  const o: StreamOption[] = [];
  const push = (k: string, v: number | string | undefined) => {
    if (v !== undefined) o.push([k, String(v)]);
  };
  if (s.codec === 'vp9') {
    push('deadline', 'good');
    push('cpu-used', s.vp9CpuUsed);
    push('row-mt', 1);
    push('g', s.gop);
    if (s.bitrate) push('b', s.bitrate);
    else {
      push('crf', s.crf ?? 23);
      // Constant quality needs b=0; with a ceiling libvpx runs constrained quality under it.
      push('b', s.maxBitrate ?? 0);
      if (s.maxBitrate && s.bufferSize) push('bufsize', s.bufferSize);
    }
    push('pix_fmt', s.pixelFormat);
    return { encoder: VIDEO_ENCODERS.vp9, options: o };
  }
  push('preset', s.preset);
  if (s.bitrate) push('b', s.bitrate);
  else push('crf', s.crf ?? 23);
  if (s.maxBitrate) push('maxrate', s.maxBitrate);
  if (s.bufferSize) push('bufsize', s.bufferSize);
  push('g', s.gop);
  push('bf', s.bFrames);
  push('pix_fmt', s.pixelFormat);
  if (s.codec === 'h264') {
    push('refs', s.refs);
    if (s.slim) push('x264-params', 'aq-mode=3:psy-rd=1.0,0.15');
    return { encoder: VIDEO_ENCODERS.h264, options: o };
  }
  // libx265 ignores -refs; keyint/bframes/ref go through its own parameter string.
  const x265 = [`log-level=error`, `keyint=${s.gop}`, `bframes=${s.bFrames}`, `ref=${s.refs}`];
  if (s.slim) x265.push('aq-mode=3');
  push('x265-params', x265.join(':'));
  if (s.hvc1Tag) push('tag', 'hvc1');
  return { encoder: VIDEO_ENCODERS.h265, options: o };
}

export interface AudioEncodeSpec {
  codec: AudioCodec;
  bitrate?: number;
  /** 0–100, higher is better; mapped onto each encoder's own scale. */
  quality?: number;
  sampleRate?: number;
  channels?: number;
  /** 16 or 24, flac only. */
  bitsPerSample?: number;
}

/** Bitrate range (per output, bit/s) a quality of 0–100 is spread over, for encoders without a VBR scale. */
const QUALITY_BITRATES: Partial<Record<AudioCodec, [number, number]>> = {
  aac: [48_000, 320_000],
  ac3: [96_000, 640_000],
  opus: [16_000, 256_000],
};

const AMR_RATES = [4750, 5150, 5900, 6700, 7400, 7950, 10200, 12200];

export function audioCodecArgs(s: AudioEncodeSpec): StreamCodec {
  const o: StreamOption[] = [];
  const push = (k: string, v: number | string | undefined) => {
    if (v !== undefined) o.push([k, String(v)]);
  };
  let bitrate = s.bitrate;
  if (s.codec === 'amr') {
    bitrate = AMR_RATES.reduce((best, r) =>
      Math.abs(r - (bitrate ?? 12200)) < Math.abs(best - (bitrate ?? 12200)) ? r : best,
    );
  }
  if (bitrate === undefined && s.quality !== undefined) {
    if (s.codec === 'mp3') push('q', Math.round(9 - (s.quality * 9) / 100));
    else if (s.codec === 'vorbis') push('q', Math.round(s.quality / 10));
    else if (s.codec === 'flac') push('compression_level', Math.round((s.quality * 12) / 100));
    else {
      const [lo, hi] = QUALITY_BITRATES[s.codec] ?? [64_000, 320_000];
      bitrate = Math.round(lo + ((hi - lo) * s.quality) / 100);
    }
  }
  if (s.codec !== 'flac') push('b', bitrate);
  push('ar', s.codec === 'amr' ? 8000 : s.sampleRate);
  push('ac', s.codec === 'amr' ? 1 : s.channels);
  if (s.codec === 'flac' && s.bitsPerSample === 24) {
    push('sample_fmt', 's32');
    push('bits_per_raw_sample', 24);
  } else if (s.codec === 'flac' && s.bitsPerSample === 16) push('sample_fmt', 's16');
  return { encoder: AUDIO_ENCODERS[s.codec], options: o };
}
