/**
 * One `Targets[]` entry (or a TargetGroups variant) as ffmpeg outputs: the media file or segmented
 * playlist with its streams, plus its snapshots, sprites, animations and extracted subtitles.
 */
import path from 'node:path';
import { COPY } from '../../engines/ffmpeg/codec-args.ts';
import { CONTAINERS, type ContainerName } from '../../engines/ffmpeg/containers.ts';
import type { FilterGraph } from '../../engines/ffmpeg/filter-graph.ts';
import { attachedPictures, streamsOf } from '../../engines/ffmpeg/media-info.ts';
import {
  type ContainerOptions,
  containerOptions,
  dashOptions,
  hlsOptions,
} from '../../engines/ffmpeg/output-options.ts';
import type { PlanOutput, PlanStream } from '../../engines/ffmpeg/plan.ts';
import { TaskErrors } from '../task-error.ts';
import type { Collector, JobContext, PlannedTarget } from './job.ts';
import { baseNameOf, compileOutput, stripExtension, targetFileUri } from './naming.ts';
import type { Base } from './plan-base.ts';
import { type ImageContext, planAnimation, planSnapshot, planSprite } from './plan-images.ts';
import { planAudioStreams, planVideoStreams, type StreamContext, selectStreams } from './plan-streams.ts';
import { planExtraction, planSubtitleStreams } from './plan-subtitles.ts';
import type { GroupTarget, Segment, Target } from './schema-target.ts';

export interface TargetPlan {
  planned: PlannedTarget;
  outputs: PlanOutput[];
  width?: number;
  height?: number;
  subtitleLanguages: (string | undefined)[];
}

const DEFAULT_SEGMENT_SECONDS = 10;

export function planTarget(
  job: JobContext,
  graph: FilterGraph,
  base: Base,
  t: Target | GroupTarget,
  opts: { param: string; outDir: string; variant?: boolean },
): TargetPlan {
  const plan: TargetPlan = {
    planned: { uri: '', snapshots: [], sprites: [], animations: [], subtitles: [] },
    outputs: [],
    subtitleLanguages: [],
  };
  const containerName = (t.Container ?? (opts.variant ? 'ts' : undefined)) as ContainerName | undefined;
  if (t.URI && containerName) planMedia(job, graph, base, t, { ...opts, containerName }, plan);
  const target = t as Target;
  const ref = { width: plan.width ?? base.video?.width ?? 0, height: plan.height ?? base.video?.height ?? 0 };
  const ic = (name: string, param: string): ImageContext => ({
    job,
    graph,
    base,
    ref,
    outDir: opts.outDir,
    name,
    param,
  });
  const add = (list: Collector[], p: { output: PlanOutput; collector: Collector }) => {
    plan.outputs.push(p.output);
    list.push(p.collector);
  };
  const images = target.Image;
  for (const [i, s] of (images?.Snapshots ?? []).entries()) {
    add(
      plan.planned.snapshots,
      planSnapshot(ic(`snapshot${i}`, `${opts.param}.Image.Snapshots[${i}]`), s, job.config),
    );
  }
  for (const [i, s] of (images?.Sprites ?? []).entries()) {
    add(
      plan.planned.sprites,
      planSprite(ic(`sprite${i}`, `${opts.param}.Image.Sprites[${i}]`), s, job.config),
    );
  }
  for (const [i, a] of (images?.Animations ?? []).entries()) {
    add(
      plan.planned.animations,
      planAnimation(ic(`animation${i}`, `${opts.param}.Image.Animations[${i}]`), a, job.config),
    );
  }
  if (t.Subtitle?.ExtractSubtitle && !t.Subtitle.DisableSubtitle) {
    const ex = planExtraction(job, base, t.Subtitle, opts.param, opts.outDir);
    plan.outputs.push(...ex.outputs);
    plan.planned.subtitles.push(...ex.collectors);
    plan.subtitleLanguages = ex.languages;
  }
  return plan;
}

function planMedia(
  job: JobContext,
  graph: FilterGraph,
  base: Base,
  t: Target | GroupTarget,
  opts: { param: string; outDir: string; variant?: boolean; containerName: ContainerName },
  plan: TargetPlan,
): void {
  const name = opts.containerName;
  const info = CONTAINERS[name];
  const segment: Segment | undefined = opts.variant ? { Format: 'hls', ...t.Segment } : t.Segment;
  const segmentSeconds = segment ? (segment.Duration ?? DEFAULT_SEGMENT_SECONDS) : undefined;
  const sc: StreamContext = {
    job,
    graph,
    base,
    container: info,
    containerName: name,
    param: opts.param,
    speed: t.Video?.FilterVideo?.Speed ?? t.Speed ?? 1,
    segmentSeconds,
  };
  const video = planVideoStreams(sc, t.Video);
  const streams: PlanStream[] = [...video.streams, ...planAudioStreams(sc, t.Audio)];
  if (!segment) streams.push(...planSubtitleStreams(base, t.Subtitle, info, opts.param));
  streams.push(...extraStreams(base, t as Target, opts.param));
  if (streams.length === 0) {
    throw TaskErrors.invalidArgument(
      `${opts.param}: the output would hold no stream (the source has none of the kinds asked for).`,
    );
  }
  plan.width = video.width;
  plan.height = video.height;
  const ext = segment ? (segment.Format === 'hls' ? 'm3u8' : 'mpd') : info.ext;
  const kind = opts.variant ? 'variant' : 'target';
  const vars = { ...job.vars, autoext: ext, resolution: video.width ? `${video.width}x${video.height}` : '' };
  const uri = targetFileUri(
    compileOutput(t.URI!, kind, `${opts.param}.URI`).render(vars),
    ext,
    segment?.Format,
  );
  plan.planned.uri = uri;
  // A copied stream may need it as much as an encoded one (FLAC into MP4), so the container decides.
  const experimental = !!info.experimentalAudio?.length;
  const common = { stripMetadata: t.StripMetadata, maxBytes: job.config.maxOutputBytes, experimental };
  if (!segment) {
    const file = path.join(opts.outDir, `media.${info.ext}`);
    plan.outputs.push({ path: file, format: info.muxer, streams, options: containerOptions(name, common) });
    plan.planned.main = { kind: 'file', path: file, uri };
    return;
  }
  const out = segmentedOutput(uri, segment, segmentSeconds!, name, opts.outDir, common);
  plan.outputs.push({ ...out.output, streams });
  plan.planned.main = out.collector;
}

/** The playlist/manifest output of a segmented target and where its files go. */
function segmentedOutput(
  uri: string,
  segment: Segment,
  seconds: number,
  name: ContainerName,
  outDir: string,
  common: ContainerOptions,
): { output: Omit<PlanOutput, 'streams'>; collector: Collector } {
  const dir = path.join(outDir, 'segments');
  // The muxers read `%` (HLS) and `$` (DASH) in names as patterns: local names keep letters, digits, `._-`.
  const stem = stripExtension(baseNameOf(uri)).replace(/[^\p{L}\p{N}._-]/gu, '_') || 'playlist';
  const hls = segment.Format === 'hls';
  const playlist = path.join(dir, `${stem}.${hls ? 'm3u8' : 'mpd'}`);
  const options = hls
    ? hlsOptions({
        ...common,
        segmentSeconds: seconds,
        startNumber: segment.StartNumber ?? 0,
        segmentPattern: path.join(dir, `${stem}-%d.${name === 'mp4' ? 'm4s' : 'ts'}`),
        fmp4: name === 'mp4',
        initName: `${stem}-init.mp4`,
      })
    : dashOptions({ ...common, segmentSeconds: seconds, stem });
  return {
    output: { path: playlist, format: hls ? 'hls' : 'dash', options },
    collector: { kind: 'segments', dir, playlist, uri },
  };
}

/** AttachedPicture and Data streams of the main source, copied (`-1` = all; empty = none). */
function extraStreams(base: Base, t: Target, param: string): PlanStream[] {
  if (base.concat) return [];
  const out: PlanStream[] = [];
  const pics = t.AttachedPicture?.Stream;
  if (pics?.length) {
    for (const s of selectStreams(
      attachedPictures(base.main.info),
      pics,
      `${param}.AttachedPicture`,
      'attached picture',
    )) {
      out.push({ from: `${base.main.input}:${s.index}`, codec: COPY, disposition: 'attached_pic' });
    }
  }
  const data = t.Data?.Stream;
  if (data?.length) {
    for (const s of selectStreams(streamsOf(base.main.info, 'data'), data, `${param}.Data`, 'data')) {
      out.push({ from: `${base.main.input}:${s.index}`, codec: COPY });
    }
  }
  return out;
}
