/**
 * Subtitles of a target: carried in the media output (Subtitle absent = the first subtitle stream;
 * present = its `Stream` list, all by default; subtitle files of the Sources always), and extracted to
 * ass/srt/webvtt files named by `{streamindex}`. Text subtitles become mov_text in mp4/mov; containers
 * without subtitle support drop them; picture subtitles cannot become text and fail extraction.
 */
import path from 'node:path';
import { COPY } from '../../engines/ffmpeg/codec-args.ts';
import type { ContainerInfo } from '../../engines/ffmpeg/containers.ts';
import { SUBTITLE_FILES, type SubtitleFileFormat } from '../../engines/ffmpeg/output-options.ts';
import type { PlanOutput, PlanStream } from '../../engines/ffmpeg/plan.ts';
import { TaskErrors } from '../task-error.ts';
import type { Collector, JobContext } from './job.ts';
import { compileOutput, subtitleUri } from './naming.ts';
import type { Base, SubtitleStream } from './plan-base.ts';
import type { TargetSubtitle } from './schema-target.ts';

const TEXT_CODECS = new Set(['subrip', 'ass', 'ssa', 'webvtt', 'mov_text', 'text']);

/** Which of the offered subtitle streams a Subtitle object selects. */
function selected(
  base: Base,
  s: TargetSubtitle | undefined,
  param: string,
  fallbackAll: boolean,
): SubtitleStream[] {
  const all = base.subtitles;
  const wanted = s?.Stream;
  if (!wanted || wanted.length === 0) return fallbackAll ? all : all.slice(0, 1);
  if (wanted.some((i) => i > 100 || i === -1)) return all;
  const picked = [...new Set(wanted)].filter((i) => i >= 0 && i < all.length).map((i) => all[i]!);
  if (picked.length === 0 && all.length > 0) {
    throw TaskErrors.invalidArgument(
      `${param}.Stream [${wanted.join(',')}] selects no subtitle stream: the source has ${all.length}.`,
    );
  }
  return picked;
}

export function planSubtitleStreams(
  base: Base,
  s: TargetSubtitle | undefined,
  c: ContainerInfo,
  param: string,
): PlanStream[] {
  if (!c.textSubtitles || s?.DisableSubtitle) return [];
  const embedded = base.subtitles.filter((x) => !isFile(base, x));
  const files = base.subtitles.filter((x) => isFile(base, x));
  const chosen = s ? selected(base, s, `${param}.Subtitle`, true) : embedded.slice(0, 1);
  const streams = [...new Set([...chosen, ...files])];
  const out: PlanStream[] = [];
  for (const x of streams) {
    const codec = subtitleCodec(x, c);
    if (!codec) continue;
    out.push({ from: x.from, codec, metadata: x.language ? { language: x.language } : undefined });
  }
  return out;
}

function isFile(base: Base, x: SubtitleStream): boolean {
  const input = Number(x.from.split(':')[0]);
  return base.parts.some((p) => p.subtitleFiles.some((f) => f.input === input));
}

function subtitleCodec(x: SubtitleStream, c: ContainerInfo) {
  if (x.bitmap) return c.textSubtitles === 'copy' ? COPY : undefined;
  if (!TEXT_CODECS.has(x.codec)) return undefined;
  if (c.textSubtitles === 'mov_text') return { encoder: 'mov_text', options: [] };
  return x.codec === 'mov_text' ? { encoder: 'srt', options: [] } : COPY;
}

export interface ExtractPlan {
  outputs: PlanOutput[];
  collectors: Collector[];
  /** Language per collector, for HLS subtitle renditions. */
  languages: (string | undefined)[];
}

export function planExtraction(
  job: JobContext,
  base: Base,
  s: TargetSubtitle,
  param: string,
  outDir: string,
): ExtractPlan {
  const extract = s.ExtractSubtitle!;
  const format = (extract.Format ?? 'webvtt') as SubtitleFileFormat;
  const file = SUBTITLE_FILES[format];
  const template = compileOutput(extract.URI, 'subtitle', `${param}.Subtitle.ExtractSubtitle.URI`);
  const plan: ExtractPlan = { outputs: [], collectors: [], languages: [] };
  for (const x of selected(base, s, `${param}.Subtitle`, true)) {
    if (x.bitmap) {
      throw TaskErrors.invalidArgument(
        `${param}: subtitle stream ${x.index} is made of pictures (${x.codec}) and cannot be extracted as ${format}.`,
      );
    }
    const filePath = path.join(outDir, `subtitle-${x.index}.${file.ext}`);
    plan.outputs.push({
      path: filePath,
      format: file.muxer,
      streams: [{ from: x.from, codec: { encoder: file.encoder, options: [] } }],
      options: [],
    });
    plan.collectors.push({
      kind: 'file',
      path: filePath,
      uri: subtitleUri(template, job.vars, x.index, file.ext),
    });
    plan.languages.push(x.language);
  }
  return plan;
}
