/**
 * An ffmpeg run as data: inputs, one filter graph, outputs with their streams. `buildArgs` turns it into
 * the argument array; nothing else in the project writes ffmpeg arguments by hand. Pure.
 */
import type { StreamCodec } from './codec-args.ts';
import type { FilterGraph } from './filter-graph.ts';

export interface PlanInput {
  path: string;
  /** `-ss` before `-i`: fast, frame-accurate when decoding. */
  seek?: number;
  /** `-t` before `-i`: read no further. */
  duration?: number;
  /** `-itsoffset`: shift the input's timestamps (subtitles with a TimeOffset). */
  offset?: number;
  /** `-stream_loop -1`: repeat the input (bounded by `duration`). */
  loop?: boolean;
  /** Read a single picture as a still image repeated (`-loop 1`, image2 demuxer). */
  stillImage?: boolean;
}

export interface PlanStream {
  /** A graph label (`x3`) or an input stream (`0:3`). */
  from: string;
  codec: StreamCodec;
  metadata?: Record<string, string>;
  disposition?: string;
}

export interface PlanOutput {
  path: string;
  /** ffmpeg muxer (`-f`). */
  format: string;
  streams: PlanStream[];
  /** Output options placed before `-f` (muxer options, `-frames:v`, `-fs`, metadata handling). */
  options: string[];
}

export interface FfmpegPlan {
  inputs: PlanInput[];
  graph: FilterGraph;
  outputs: PlanOutput[];
  /** `-threads` for decoders and encoders; 0/absent = ffmpeg's choice. */
  threads?: number;
}

const INPUT_STREAM = /^\d+:\d+$/;

export function buildArgs(plan: FfmpegPlan): string[] {
  const args: string[] = [];
  for (const input of plan.inputs) args.push(...inputArgs(input, plan.threads));
  if (!plan.graph.empty) args.push('-filter_complex', plan.graph.toString());
  for (const output of plan.outputs) args.push(...outputArgs(output, plan.threads));
  return args;
}

function inputArgs(input: PlanInput, threads?: number): string[] {
  const a: string[] = [];
  if (threads) a.push('-threads', String(threads));
  if (input.loop) a.push('-stream_loop', '-1');
  if (input.stillImage) a.push('-loop', '1');
  if (input.seek) a.push('-ss', fmt(input.seek));
  if (input.duration) a.push('-t', fmt(input.duration));
  if (input.offset) a.push('-itsoffset', fmt(input.offset));
  a.push('-i', `file:${input.path}`);
  return a;
}

function outputArgs(output: PlanOutput, threads?: number): string[] {
  const a: string[] = [];
  output.streams.forEach((s, i) => {
    a.push('-map', INPUT_STREAM.test(s.from) ? s.from : `[${s.from}]`);
    a.push(`-c:${i}`, s.codec.encoder);
    for (const [k, v] of s.codec.options) a.push(`-${k}:${i}`, v);
    for (const [k, v] of Object.entries(s.metadata ?? {})) a.push(`-metadata:s:${i}`, `${k}=${v}`);
    if (s.disposition !== undefined) a.push(`-disposition:${i}`, s.disposition);
  });
  if (threads) a.push('-threads', String(threads));
  a.push(...output.options, '-f', output.format, output.path);
  return a;
}

function fmt(n: number): string {
  return String(Number(n.toFixed(6)));
}
