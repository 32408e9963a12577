/**
 * The streams of one media output: which source streams (IMM's `Stream` lists: empty = the first, an
 * element over 100 = all, indexes the source lacks are ignored unless none is left), copied or run
 * through their filter chain into an encoder. Video and audio of attached sources follow the main ones.
 */
import { audioCodecArgs, COPY, videoCodecArgs } from '../../engines/ffmpeg/codec-args.ts';
import type { ContainerInfo } from '../../engines/ffmpeg/containers.ts';
import { AUDIO_CODEC_NAMES } from '../../engines/ffmpeg/containers.ts';
import { type FilterGraph, filter, num } from '../../engines/ffmpeg/filter-graph.ts';
import { displaySize, type MediaStream, streamsOf } from '../../engines/ffmpeg/media-info.ts';
import { segmentKeyframes } from '../../engines/ffmpeg/output-options.ts';
import { applyOverlays } from '../../engines/ffmpeg/overlay-filters.ts';
import type { PlanStream } from '../../engines/ffmpeg/plan.ts';
import { videoChain } from '../../engines/ffmpeg/video-filters.ts';
import { TaskErrors } from '../task-error.ts';
import type { JobContext, SourceMedia } from './job.ts';
import { resolveAudio } from './plan-audio.ts';
import type { Base } from './plan-base.ts';
import { planOverlays } from './plan-overlays.ts';
import { resolveVideo } from './plan-video.ts';
import type { TargetAudio } from './schema-target.ts';
import type { TargetVideo } from './schema-video.ts';

export interface StreamContext {
  job: JobContext;
  graph: FilterGraph;
  base: Base;
  container: ContainerInfo;
  containerName: string;
  param: string;
  speed: number;
  /** Segment length when the output is segmented (key frames are forced at the boundaries). */
  segmentSeconds?: number;
}

export function selectStreams(
  list: MediaStream[],
  wanted: number[] | undefined,
  param: string,
  kind: string,
): MediaStream[] {
  if (!wanted || wanted.length === 0) return list.slice(0, 1);
  if (wanted.some((i) => i > 100 || i === -1)) return list;
  const picked = [...new Set(wanted)].filter((i) => i >= 0 && i < list.length).map((i) => list[i]!);
  if (picked.length === 0) {
    throw TaskErrors.invalidArgument(
      `${param}.Stream [${wanted.join(',')}] selects no ${kind} stream: the source has ${list.length}.`,
    );
  }
  return picked;
}

type Mode = 'none' | 'copy' | 'encode';

function videoMode(v: TargetVideo | undefined, c: ContainerInfo): Mode {
  if (c.audioOnly) return 'none';
  if (!v) return 'copy';
  if (v.DisableVideo || !v.TranscodeVideo) return 'none';
  return (v.TranscodeVideo.Codec ?? 'copy') === 'copy' ? 'copy' : 'encode';
}

export interface VideoStreamsPlan {
  streams: PlanStream[];
  /** Output size of the first video stream (encoded) or its source size (copied). */
  width?: number;
  height?: number;
}

export function planVideoStreams(sc: StreamContext, v: TargetVideo | undefined): VideoStreamsPlan {
  const mode = videoMode(v, sc.container);
  const bv = sc.base.video;
  if (mode === 'none' || !bv) return { streams: [] };
  const main: { from: string; stream?: MediaStream; source?: SourceMedia }[] = sc.base.concat
    ? [{ from: '' }]
    : selectStreams(streamsOf(sc.base.main.info, 'video'), v?.Stream, `${sc.param}.Video`, 'video').map(
        (s, i) => ({
          from: i === 0 && s === bv.stream ? '' : `${sc.base.main.input}:${s.index}`,
          stream: s,
          source: sc.base.main,
        }),
      );
  const extra = sc.base.attached
    .filter((a) => a.video)
    .map((a) => ({ from: `${a.input}:${a.video!.index}`, stream: a.video, source: a }));
  const out: VideoStreamsPlan = { streams: [] };
  for (const item of [...main, ...extra]) {
    const isBase = item.from === '';
    if (mode === 'copy') {
      out.streams.push({ from: isBase ? bv.take() : item.from, codec: COPY });
      const size = item.stream && displaySize(item.stream);
      out.width ??= size?.width ?? bv.width;
      out.height ??= size?.height ?? bv.height;
      continue;
    }
    const size = (item.stream && displaySize(item.stream)) ?? { width: bv.width, height: bv.height };
    const facts = isBase
      ? { width: bv.width, height: bv.height, frameRate: bv.frameRate, bitRate: bv.stream?.bitRate }
      : { ...size, frameRate: item.stream?.frameRate, bitRate: item.stream?.bitRate };
    const r = resolveVideo(v!.TranscodeVideo!, facts, {
      config: sc.job.config,
      speed: sc.speed,
      param: `${sc.param}.Video.TranscodeVideo`,
      hvc1: sc.containerName === 'mp4' || sc.containerName === 'mov',
    });
    const filters = videoChain(r.chain);
    const pad = padTo(sc, item.source, 'v');
    if (pad) filters.push(pad);
    let label = sc.graph.pipe(isBase ? bv.take() : item.from, filters.length ? filters : ['null'], 'tv');
    label = applyOverlays(
      sc.graph,
      label,
      planOverlays(sc.job, v?.FilterVideo, r, `${sc.param}.Video.FilterVideo`),
    );
    const codec = videoCodecArgs(r.encode);
    if (sc.segmentSeconds) codec.options.push(segmentKeyframes(sc.segmentSeconds));
    out.streams.push({ from: label, codec });
    out.width ??= r.width;
    out.height ??= r.height;
  }
  return out;
}

/** Padding of an attached source to the main timeline (AlignMode pad): black frames or silence. */
function padTo(sc: StreamContext, source: SourceMedia | undefined, kind: 'v' | 'a'): string | undefined {
  if (!source?.req.Attached || source.req.AlignMode !== 'pad' || !sc.base.duration) return undefined;
  if (kind === 'a') return filter('apad', { whole_dur: sc.base.duration });
  const missing = sc.base.duration - source.duration;
  return missing > 0
    ? filter('tpad', { stop_mode: 'add', stop_duration: missing, color: 'black' })
    : undefined;
}

function audioMode(a: TargetAudio | undefined): Mode {
  if (!a) return 'copy';
  if (a.DisableAudio || !a.TranscodeAudio) return 'none';
  return (a.TranscodeAudio.Codec ?? 'copy') === 'copy' ? 'copy' : 'encode';
}

export function planAudioStreams(sc: StreamContext, a: TargetAudio | undefined): PlanStream[] {
  let mode = audioMode(a);
  const ba = sc.base.audio;
  if (mode === 'none' || !ba) return [];
  const main: { from: string; stream?: MediaStream; source?: SourceMedia }[] = sc.base.concat
    ? [{ from: '' }]
    : selectStreams(streamsOf(sc.base.main.info, 'audio'), a?.Stream, `${sc.param}.Audio`, 'audio').map(
        (s, i) => ({
          from: i === 0 && s === ba.stream ? '' : `${sc.base.main.input}:${s.index}`,
          stream: s,
          source: sc.base.main,
        }),
      );
  const extra = sc.base.attached
    .filter((x) => x.audio)
    .map((x) => ({ from: `${x.input}:${x.audio!.index}`, stream: x.audio, source: x }));
  const items = [...main, ...extra];
  let ta = a?.TranscodeAudio;
  // An audio-only container cannot take every codec as it is: transcode to its own codec instead.
  const natural = sc.container.naturalAudio;
  const copyable = sc.container.audio.map((c) => AUDIO_CODEC_NAMES[c]);
  if (
    mode === 'copy' &&
    natural &&
    (sc.base.concat || items.some((it) => !copyable.includes(it.stream?.codec ?? '')))
  ) {
    mode = 'encode';
    ta = { Codec: natural };
  }
  if (mode === 'copy')
    return items.map((it) => ({ from: it.from === '' ? ba.take() : it.from, codec: COPY }));
  const chains = items.map((it) => {
    const filters: string[] = [];
    if (sc.speed !== 1) filters.push(filter('atempo', { tempo: num(sc.speed) }));
    const pad = padTo(sc, it.source, 'a');
    if (pad) filters.push(pad);
    const from = it.from === '' ? ba.take() : it.from;
    return { label: sc.graph.pipe(from, filters.length ? filters : ['anull'], 'ta'), stream: it.stream };
  });
  const first = chains[0]!.stream;
  const facts = {
    sampleRate: first?.sampleRate ?? ba.sampleRate,
    channels: first?.channels ?? ba.channels,
    bitRate: first?.bitRate,
  };
  const spec = resolveAudio(ta!, facts, `${sc.param}.Audio.TranscodeAudio`);
  const codec = () => audioCodecArgs(spec);
  if (a?.FilterAudio?.Mixing && chains.length > 1) {
    const mixed = sc.graph.label('mix');
    sc.graph.chain(
      chains.map((c) => c.label),
      [filter('amix', { inputs: chains.length, duration: 'longest', normalize: 0 })],
      [mixed],
    );
    return [{ from: mixed, codec: codec() }];
  }
  return chains.map((c) => ({ from: c.label, codec: codec() }));
}
