/** The state a MediaConvert run carries from fetching through planning to collecting outputs. */
import type { MediaConfig } from '../../engines/ffmpeg/config.ts';
import type { MediaInfo, MediaStream } from '../../engines/ffmpeg/media-info.ts';
import type { PlanInput } from '../../engines/ffmpeg/plan.ts';
import type { Source } from './schema.ts';

export interface SubtitleFile {
  uri: string;
  path: string;
  /** ffmpeg input index. */
  input: number;
  language?: string;
  info: MediaInfo;
}

export interface SourceMedia {
  /** Position in the request's Sources. */
  index: number;
  req: Source;
  uri: string;
  path: string;
  lastModified: Date;
  info: MediaInfo;
  /** ffmpeg input index of the file. */
  input: number;
  /** Seconds skipped at the start (StartTime). */
  start: number;
  /** Seconds used after trimming; 0 when the file does not say how long it is. */
  duration: number;
  /** First video / audio stream, unless the source disables it. */
  video?: MediaStream;
  audio?: MediaStream;
  subtitleFiles: SubtitleFile[];
}

/** A watermark picture or clip, by request URI. */
export interface WatermarkFile {
  uri: string;
  path: string;
  input: number;
  width: number;
  height: number;
  /** A clip (mov) rather than a still picture. */
  moving: boolean;
}

export interface JobContext {
  config: MediaConfig;
  tmpDir: string;
  /** Public template variables of the AlignmentIndex source. */
  vars: Record<string, string>;
  inputs: PlanInput[];
  sources: SourceMedia[];
  watermarks: Map<string, WatermarkFile>;
  /** Watermark texts, written to the scratch folder before ffmpeg starts (drawtext reads them verbatim). */
  textFiles: { path: string; content: string }[];
}

/** What the run produces; `collect` turns it into files with their destination URIs once ffmpeg is done. */
export type Collector =
  | { kind: 'file'; path: string; uri: string }
  /** An image2 sequence `<dir>/<prefix>%d.<ext>`, numbered from 1. */
  | { kind: 'sequence'; dir: string; prefix: string; ext: string; uriOf: (index: number) => string }
  /** A playlist/manifest and its segments, all in `dir`, uploaded next to `uri`. */
  | { kind: 'segments'; dir: string; playlist: string; uri: string };

export interface ProducedFile {
  path: string;
  uri: string;
  size: number;
  /** Playlists and manifests go up last, so they never name a segment that is not there yet. */
  late?: boolean;
}

export interface PlannedTarget {
  /** Resolved URI of the media file or playlist; '' for image/subtitle-only targets. */
  uri: string;
  main?: Collector;
  snapshots: Collector[];
  sprites: Collector[];
  animations: Collector[];
  subtitles: Collector[];
}

export interface PlannedVariant {
  uri: string;
  width?: number;
  height?: number;
  main: Collector;
  subtitles: { collector: Collector; language?: string; uri: string }[];
}

export interface PlannedGroup {
  uri: string;
  variants: PlannedVariant[];
}
