/**
 * The "base" of a run: the video and audio every target starts from. One source is read as it is (its
 * streams feed every output, decoded once); several are trimmed, normalised to the AlignmentIndex
 * source's size, rate and sample rate, and joined with the concat filter. Attached sources stay extra
 * inputs; subtitle files become inputs shifted to their place on the joined timeline.
 */

import type { FilterGraph } from '../../engines/ffmpeg/filter-graph.ts';
import { filter } from '../../engines/ffmpeg/filter-graph.ts';
import {
  displaySize,
  isBitmapSubtitle,
  type MediaStream,
  streamsOf,
} from '../../engines/ffmpeg/media-info.ts';
import {
  blackVideoSource,
  concatNormaliseAudio,
  concatNormaliseVideo,
  silenceSource,
} from '../../engines/ffmpeg/video-filters.ts';
import { TaskErrors } from '../task-error.ts';
import type { JobContext, SourceMedia } from './job.ts';

export interface BaseVideo {
  /** A label (or input stream) for one more consumer. */
  take(): string;
  width: number;
  height: number;
  frameRate: number;
  /** The source stream when there is no concatenation (copy and probe-based defaults use it). */
  stream?: MediaStream;
  source?: SourceMedia;
}

export interface BaseAudio {
  take(): string;
  sampleRate: number;
  channels: number;
  stream?: MediaStream;
  source?: SourceMedia;
}

export interface SubtitleStream {
  /** Input stream specifier. */
  from: string;
  codec: string;
  language?: string;
  bitmap: boolean;
  /** Index among the subtitle streams offered (embedded first, then files), for `Stream` and `{streamindex}`. */
  index: number;
}

export interface Base {
  concat: boolean;
  /** The AlignmentIndex source. */
  main: SourceMedia;
  parts: SourceMedia[];
  attached: SourceMedia[];
  video?: BaseVideo;
  audio?: BaseAudio;
  /** Seconds of the joined timeline (0 if unknown). */
  duration: number;
  subtitles: SubtitleStream[];
  /** Connects the shared labels to their consumers (call once every target is planned). */
  finish(graph: FilterGraph): void;
}

export function planBase(job: JobContext, graph: FilterGraph, alignmentIndex: number): Base {
  const parts = job.sources.filter((s) => !s.req.Attached);
  const attached = job.sources.filter((s) => s.req.Attached);
  const main = job.sources[alignmentIndex]!;
  const duration = parts.reduce((sum, s) => sum + s.duration, 0);
  for (const a of attached) {
    const input = job.inputs[a.input]!;
    if (a.req.AlignMode === 'loop' && duration > 0) Object.assign(input, { loop: true, duration });
  }
  const subtitles = planSubtitleInputs(job, parts);
  if (parts.length === 1) return singleBase(main, parts, attached, duration, subtitles);
  return concatBase(graph, main, parts, attached, duration, subtitles);
}

function singleBase(
  main: SourceMedia,
  parts: SourceMedia[],
  attached: SourceMedia[],
  duration: number,
  subtitles: SubtitleStream[],
): Base {
  const v = main.video;
  const a = main.audio;
  const size = v && displaySize(v);
  return {
    concat: false,
    main,
    parts,
    attached,
    duration,
    subtitles,
    video:
      v && size
        ? {
            take: () => `${main.input}:${v.index}`,
            ...size,
            frameRate: v.frameRate ?? 25,
            stream: v,
            source: main,
          }
        : undefined,
    audio: a
      ? {
          take: () => `${main.input}:${a.index}`,
          sampleRate: a.sampleRate ?? 48000,
          channels: a.channels ?? 2,
          stream: a,
          source: main,
        }
      : undefined,
    finish: () => {},
  };
}

interface JoinFormat {
  video: boolean;
  audio: boolean;
  width: number;
  height: number;
  frameRate: number;
  sampleRate: number;
  channels: number;
}

function concatBase(
  graph: FilterGraph,
  main: SourceMedia,
  parts: SourceMedia[],
  attached: SourceMedia[],
  duration: number,
  subtitles: SubtitleStream[],
): Base {
  const f = joinFormat(main, parts);
  joinParts(graph, parts, f);
  const vTakes: string[] = [];
  const aTakes: string[] = [];
  const taker = (list: string[], prefix: string) => () => {
    const label = `${prefix}${list.length}`;
    list.push(label);
    return label;
  };
  const { width, height, frameRate, sampleRate, channels } = f;
  return {
    concat: true,
    main,
    parts,
    attached,
    duration,
    subtitles,
    video: f.video ? { take: taker(vTakes, 'vcat_'), width, height, frameRate } : undefined,
    audio: f.audio ? { take: taker(aTakes, 'acat_'), sampleRate, channels } : undefined,
    finish: (g) => {
      if (f.video) fanOut(g, 'vcat', vTakes, 'v');
      if (f.audio) fanOut(g, 'acat', aTakes, 'a');
    },
  };
}

/** The joined format: the AlignmentIndex source's (or the first part's that has the stream). */
function joinFormat(main: SourceMedia, parts: SourceMedia[]): JoinFormat {
  const video = main.video ?? parts.find((p) => p.video)?.video;
  const audio = main.audio ?? parts.find((p) => p.audio)?.audio;
  const size = video && displaySize(video);
  return {
    video: !!video,
    audio: !!audio,
    width: even(size?.width ?? 0),
    height: even(size?.height ?? 0),
    frameRate: Math.min(60, video?.frameRate ?? 25),
    sampleRate: audio?.sampleRate ?? 48000,
    channels: Math.min(2, audio?.channels ?? 2),
  };
}

/** Normalises every part (black or silence where a part lacks a stream) and joins them into vcat/acat. */
function joinParts(graph: FilterGraph, parts: SourceMedia[], f: JoinFormat): void {
  const channelLayout = f.channels === 1 ? 'mono' : 'stereo';
  const segments: string[] = [];
  for (const [k, part] of parts.entries()) {
    if (!part.duration && (!part.video || !part.audio)) {
      throw TaskErrors.invalidArgument(
        `Sources[${part.index}]: its duration is unknown, so it cannot be concatenated.`,
      );
    }
    const d = part.duration;
    if (f.video) {
      const v = part.video;
      if (v) graph.chain([`${part.input}:${v.index}`], concatNormaliseVideo(f), [`cv${k}`]);
      else graph.chain([], [blackVideoSource({ ...f, duration: d }), 'settb=AVTB'], [`cv${k}`]);
      segments.push(`cv${k}`);
    }
    if (f.audio) {
      const a = part.audio;
      const norm = { sampleRate: f.sampleRate, channelLayout };
      if (a) graph.chain([`${part.input}:${a.index}`], concatNormaliseAudio(norm), [`ca${k}`]);
      else graph.chain([], [...silenceSource({ ...norm, duration: d }), 'asettb=AVTB'], [`ca${k}`]);
      segments.push(`ca${k}`);
    }
  }
  const outs = [f.video ? 'vcat' : '', f.audio ? 'acat' : ''].filter(Boolean);
  graph.chain(
    segments,
    [filter('concat', { n: parts.length, v: f.video ? 1 : 0, a: f.audio ? 1 : 0 })],
    outs,
  );
}

/** Feeds one label to its consumers: nothing (a null sink), one (pass-through) or several (split). */
function fanOut(graph: FilterGraph, label: string, takes: string[], kind: 'v' | 'a'): void {
  const prefix = kind === 'v' ? '' : 'a';
  if (takes.length === 0) graph.chain([label], [`${prefix}nullsink`], []);
  else if (takes.length === 1) graph.chain([label], [`${prefix}null`], takes);
  else graph.chain([label], [`${kind === 'v' ? 'split' : 'asplit'}=${takes.length}`], takes);
}

/** Embedded subtitles (single source only), then each subtitle file as an input at its timeline offset. */
function planSubtitleInputs(job: JobContext, parts: SourceMedia[]): SubtitleStream[] {
  const out: SubtitleStream[] = [];
  if (parts.length === 1) {
    for (const s of streamsOf(parts[0]!.info, 'subtitle')) {
      out.push({
        from: `${parts[0]!.input}:${s.index}`,
        codec: s.codec,
        language: s.language,
        bitmap: isBitmapSubtitle(s.codec),
        index: out.length,
      });
    }
  }
  let timeline = 0;
  for (const part of parts) {
    for (const [j, file] of part.subtitleFiles.entries()) {
      const stream = streamsOf(file.info, 'subtitle')[0]!;
      const shift = timeline - part.start + (part.req.Subtitles?.[j]?.TimeOffset ?? 0);
      file.input = job.inputs.length;
      job.inputs.push({ path: file.path, offset: shift || undefined });
      out.push({
        from: `${file.input}:${stream.index}`,
        codec: stream.codec,
        language: file.language ?? stream.language,
        bitmap: isBitmapSubtitle(stream.codec),
        index: out.length,
      });
    }
    timeline += part.duration;
  }
  return out;
}

export function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}
