/**
 * Fetches and probes the inputs, and refuses hostile ones before any decoding: files ffprobe cannot
 * read (corrupt, empty, not media), no usable stream, unknown codecs, absurd frame sizes or durations,
 * a StartTime past the end.
 */
import path from 'node:path';
import type { MediaConfig } from '../../engines/ffmpeg/config.ts';
import { FfmpegError } from '../../engines/ffmpeg/errors.ts';
import { displaySize, type MediaInfo, streamsOf } from '../../engines/ffmpeg/media-info.ts';
import type { PlanInput } from '../../engines/ffmpeg/plan.ts';
import { probeMedia } from '../../engines/ffmpeg/probe.ts';
import { TaskErrors } from '../task-error.ts';
import type { RunContext } from '../types.ts';
import { fetchObject } from './fetch.ts';
import type { SourceMedia, SubtitleFile, WatermarkFile } from './job.ts';
import { extensionOf } from './naming.ts';
import type { MediaConvertParams, Source } from './schema.ts';

/** Largest side ffmpeg's scalers and encoders are asked to handle. */
const MAX_SIDE = 16384;

export async function prepareSources(
  p: MediaConvertParams,
  ctx: RunContext,
  config: MediaConfig,
  inputs: PlanInput[],
): Promise<SourceMedia[]> {
  const out: SourceMedia[] = [];
  for (const [i, req] of p.Sources.entries()) {
    const file = await fetchInput(ctx, config, req.URI, `source-${i}`);
    const info = await probeInput(file.path, `Sources[${i}]`, req.URI, ctx, config);
    checkMedia(info, `Sources[${i}]`, req.URI, config);
    const input = inputs.length;
    const start = req.StartTime ?? 0;
    inputs.push({
      path: file.path,
      seek: start || undefined,
      duration: req.Duration || undefined,
      loop: undefined,
    });
    const subtitleFiles: SubtitleFile[] = [];
    for (const [j, sub] of (req.Subtitles ?? []).entries()) {
      const f = await fetchInput(ctx, config, sub.URI, `subtitle-${i}-${j}`);
      const subInfo = await probeInput(f.path, `Sources[${i}].Subtitles[${j}]`, sub.URI, ctx, config);
      if (streamsOf(subInfo, 'subtitle').length === 0) {
        throw TaskErrors.invalidArgument(`Sources[${i}].Subtitles[${j}]: ${sub.URI} holds no subtitles.`);
      }
      subtitleFiles.push({ uri: sub.URI, path: f.path, input: -1, language: sub.Language, info: subInfo });
    }
    out.push({
      index: i,
      req,
      uri: req.URI,
      path: file.path,
      lastModified: file.lastModified,
      info,
      input,
      start,
      duration: effectiveDuration(info, req, `Sources[${i}]`),
      video: req.DisableVideo ? undefined : streamsOf(info, 'video')[0],
      audio: req.DisableAudio ? undefined : streamsOf(info, 'audio')[0],
      subtitleFiles,
    });
  }
  return out;
}

export async function prepareWatermarks(
  uris: string[],
  ctx: RunContext,
  config: MediaConfig,
  inputs: PlanInput[],
): Promise<Map<string, WatermarkFile>> {
  const out = new Map<string, WatermarkFile>();
  for (const uri of uris) {
    if (out.has(uri)) continue;
    const f = await fetchInput(ctx, config, uri, `watermark-${out.size}`);
    const info = await probeInput(f.path, 'Watermarks.URI', uri, ctx, config);
    const v = streamsOf(info, 'video')[0];
    const size = v && displaySize(v);
    if (!size) throw TaskErrors.invalidArgument(`The watermark ${uri} is not a picture or a video.`);
    if (size.width > 4096 || size.height > 4096)
      throw TaskErrors.limitExceeded(`The watermark ${uri} is larger than 4096 pixels.`);
    const moving = (v.frames ?? 0) > 1 || (info.duration ?? 0) > 0.5;
    out.set(uri, { uri, path: f.path, input: inputs.length, width: size.width, height: size.height, moving });
    inputs.push({ path: f.path, loop: moving || undefined });
  }
  return out;
}

async function fetchInput(ctx: RunContext, config: MediaConfig, uri: string, name: string) {
  const ext = (extensionOf(uri) ?? 'bin').replace(/[^a-zA-Z0-9]/g, '').slice(0, 8) || 'bin';
  const dest = path.join(ctx.tmpDir, `${name}.${ext}`);
  return fetchObject(ctx.storage, uri, dest, { maxBytes: config.maxSourceBytes, signal: ctx.signal });
}

async function probeInput(
  file: string,
  param: string,
  uri: string,
  ctx: RunContext,
  config: MediaConfig,
): Promise<MediaInfo> {
  try {
    return await probeMedia(file, {
      command: config.ffprobeCommand,
      signal: ctx.signal,
      timeoutMs: config.probeTimeoutMs,
    });
  } catch (err) {
    if (err instanceof FfmpegError && err.kind === 'spawn') {
      throw TaskErrors.internal(
        'The media engine (ffprobe) is not installed: apt-get install -y ffmpeg.',
        err,
      );
    }
    if (err instanceof FfmpegError && (err.kind === 'exit' || err.kind === 'timeout')) {
      throw TaskErrors.invalidArgument(
        `${param}: ${uri} is not a media file that can be read (corrupt, empty or of an unknown format).`,
        err,
      );
    }
    throw err;
  }
}

function checkMedia(info: MediaInfo, param: string, uri: string, config: MediaConfig): void {
  const video = streamsOf(info, 'video');
  const audio = streamsOf(info, 'audio');
  if (video.length === 0 && audio.length === 0) {
    throw TaskErrors.invalidArgument(`${param}: ${uri} has no audio or video stream.`);
  }
  for (const s of [...video, ...audio]) {
    if (s.codec === 'unknown')
      throw TaskErrors.invalidArgument(
        `${param}: stream ${s.index} of ${uri} uses a codec that is not supported.`,
      );
  }
  for (const s of video) {
    const w = s.width ?? 0;
    const h = s.height ?? 0;
    if (w > MAX_SIDE || h > MAX_SIDE || w * h > config.maxFramePixels) {
      throw TaskErrors.limitExceeded(
        `${param}: the video of ${uri} is ${w}x${h}, over the frame size limit.`,
      );
    }
  }
  if ((info.duration ?? 0) > config.maxSourceDurationSec) {
    throw TaskErrors.limitExceeded(
      `${param}: ${uri} lasts ${Math.round(info.duration!)} s, over the ${config.maxSourceDurationSec} s limit.`,
    );
  }
}

function effectiveDuration(info: MediaInfo, req: Source, param: string): number {
  const streams = info.streams.map((s) => s.duration ?? 0);
  const total = info.duration ?? Math.max(0, ...streams);
  const start = req.StartTime ?? 0;
  if (total > 0 && start >= total) {
    throw TaskErrors.invalidArgument(
      `${param}.StartTime ${start} is past the end of the source (${total.toFixed(3)} s).`,
    );
  }
  const rest = total > 0 ? total - start : 0;
  if (req.Duration) return rest > 0 ? Math.min(rest, req.Duration) : req.Duration;
  return rest;
}
