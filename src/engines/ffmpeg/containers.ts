/**
 * The containers MediaConvert writes, their ffmpeg muxers and what they can hold. The codec lists were
 * measured on Debian's ffmpeg 5.1 by muxing a one-second clip with each encoder (a muxer that refuses a
 * codec fails at "Could not write header"); they back the create-time checks.
 */
import type { AudioCodec, VideoCodec } from './codec-args.ts';

export type ContainerName =
  | 'mp4'
  | 'mkv'
  | 'mov'
  | 'asf'
  | 'avi'
  | 'mxf'
  | 'ts'
  | 'flv'
  | 'mp3'
  | 'aac'
  | 'flac'
  | 'oga'
  | 'ac3'
  | 'opus';

export interface ContainerInfo {
  muxer: string;
  ext: string;
  audioOnly: boolean;
  video: VideoCodec[];
  audio: AudioCodec[];
  /** Codec text subtitles are written with; absent = the container drops subtitles. */
  textSubtitles?: 'mov_text' | 'copy';
  /** Moves the index to the front so playback starts before the download ends. */
  faststart?: boolean;
  /** Codecs of `audio` ffmpeg only writes with `-strict experimental`. */
  experimentalAudio?: AudioCodec[];
  /** Audio-only containers: the codec a `copy` of another codec is transcoded to. */
  naturalAudio?: AudioCodec;
}

const AV: VideoCodec[] = ['h264', 'h265', 'vp9'];

export const CONTAINERS: Record<ContainerName, ContainerInfo> = {
  mp4: {
    muxer: 'mp4',
    ext: 'mp4',
    audioOnly: false,
    video: AV,
    audio: ['aac', 'mp3', 'vorbis', 'ac3', 'opus', 'flac'],
    textSubtitles: 'mov_text',
    faststart: true,
    experimentalAudio: ['flac'],
  },
  mkv: {
    muxer: 'matroska',
    ext: 'mkv',
    audioOnly: false,
    video: AV,
    audio: ['aac', 'mp3', 'vorbis', 'flac', 'ac3', 'opus'],
    textSubtitles: 'copy',
  },
  mov: {
    muxer: 'mov',
    ext: 'mov',
    audioOnly: false,
    video: ['h264', 'h265'],
    // amr (samr) is writable in mov; Debian's ffmpeg has no AMR encoder, which the create call reports.
    audio: ['aac', 'mp3', 'vorbis', 'ac3', 'amr'],
    textSubtitles: 'mov_text',
    faststart: true,
  },
  asf: {
    muxer: 'asf',
    ext: 'asf',
    audioOnly: false,
    video: ['h264', 'vp9'],
    audio: ['aac', 'mp3', 'vorbis', 'flac', 'ac3'],
  },
  avi: {
    muxer: 'avi',
    ext: 'avi',
    audioOnly: false,
    video: AV,
    audio: ['aac', 'mp3', 'vorbis', 'flac', 'ac3'],
  },
  mxf: { muxer: 'mxf', ext: 'mxf', audioOnly: false, video: ['h264'], audio: [] },
  ts: {
    muxer: 'mpegts',
    ext: 'ts',
    audioOnly: false,
    video: AV,
    audio: ['aac', 'mp3', 'vorbis', 'flac', 'ac3', 'opus'],
  },
  flv: { muxer: 'flv', ext: 'flv', audioOnly: false, video: ['h264'], audio: ['aac', 'mp3'] },
  mp3: { muxer: 'mp3', ext: 'mp3', audioOnly: true, video: [], audio: ['mp3'], naturalAudio: 'mp3' },
  aac: { muxer: 'adts', ext: 'aac', audioOnly: true, video: [], audio: ['aac'], naturalAudio: 'aac' },
  flac: { muxer: 'flac', ext: 'flac', audioOnly: true, video: [], audio: ['flac'], naturalAudio: 'flac' },
  oga: {
    muxer: 'ogg',
    ext: 'oga',
    audioOnly: true,
    video: [],
    audio: ['vorbis', 'opus', 'flac'],
    naturalAudio: 'vorbis',
  },
  ac3: { muxer: 'ac3', ext: 'ac3', audioOnly: true, video: [], audio: ['ac3'], naturalAudio: 'ac3' },
  opus: { muxer: 'opus', ext: 'opus', audioOnly: true, video: [], audio: ['opus'], naturalAudio: 'opus' },
};

export const CONTAINER_NAMES = Object.keys(CONTAINERS) as ContainerName[];

/** ffprobe codec names that an audio-only container takes as they are (a `copy` stays a copy). */
export const AUDIO_CODEC_NAMES: Record<AudioCodec, string> = {
  aac: 'aac',
  mp3: 'mp3',
  vorbis: 'vorbis',
  flac: 'flac',
  ac3: 'ac3',
  opus: 'opus',
  amr: 'amr_nb',
};
