/**
 * TranscodeAudio against the source: sample rate, channels and bitrate with their options, bent to what
 * each encoder accepts (MP3 at most 48 kHz and stereo, Opus at 8/12/16/24/48 kHz, AC-3 at 32/44.1/48 kHz
 * and 5.1, AMR at 8 kHz mono). Pure.
 */
import type { AudioCodec, AudioEncodeSpec } from '../../engines/ffmpeg/codec-args.ts';
import { pickValue } from './plan-video.ts';
import type { TranscodeAudio } from './schema-target.ts';

export interface AudioSourceFacts {
  sampleRate?: number;
  channels?: number;
  bitRate?: number;
}

const RATES: Partial<Record<AudioCodec, number[]>> = {
  mp3: [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000],
  opus: [8000, 12000, 16000, 24000, 48000],
  ac3: [32000, 44100, 48000],
  amr: [8000],
  aac: [7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000],
};

const MAX_CHANNELS: Partial<Record<AudioCodec, number>> = {
  mp3: 2,
  amr: 1,
  ac3: 6,
  vorbis: 8,
  opus: 8,
  aac: 8,
  flac: 8,
};

export function resolveAudio(ta: TranscodeAudio, src: AudioSourceFacts, param: string): AudioEncodeSpec {
  const codec = ta.Codec as AudioCodec;
  const rate =
    pickValue(ta.SampleRate, src.sampleRate, ta.SampleRateOption, `${param}.SampleRate`) ?? src.sampleRate;
  const channels = ta.Channel ?? src.channels;
  return {
    codec,
    sampleRate: rate === undefined ? undefined : nearestRate(codec, rate),
    channels: channels === undefined ? undefined : Math.min(channels, MAX_CHANNELS[codec] ?? 8),
    bitrate: pickValue(ta.Bitrate, src.bitRate, ta.BitrateOption, `${param}.Bitrate`),
    quality: ta.Quality,
    bitsPerSample: ta.BitsPerSample,
  };
}

/** The closest rate the encoder takes, preferring the higher one on a tie. */
export function nearestRate(codec: AudioCodec, rate: number): number {
  const allowed = RATES[codec];
  if (!allowed) return rate;
  return allowed.reduce((best, r) => (Math.abs(r - rate) <= Math.abs(best - rate) ? r : best));
}
