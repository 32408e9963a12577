/**
 * Create-time checks of CreateMediaConvertTask beyond the schema: every URI parses and names a bucket of
 * this region, the service role may read the inputs and write the outputs (checked on a sample rendering
 * of each template), inputs exist and are within the size limit, templates use only known variables and
 * tags, and this server's ffmpeg has the encoders the request names.
 */

import { AUDIO_ENCODERS, VIDEO_ENCODERS } from '../../engines/ffmpeg/codec-args.ts';
import type { MediaConfig } from '../../engines/ffmpeg/config.ts';
import { CONTAINERS, type ContainerName } from '../../engines/ffmpeg/containers.ts';
import { ffmpegEncoders } from '../../engines/ffmpeg/detect.ts';
import { Errors } from '../../protocol/errors.ts';
import { AccessDeniedError } from '../../storage/backend.ts';
import { parseOssObjectUri, parseOssUri } from '../../storage/oss-uri.ts';
import { sourceTemplateVars } from '../../storage/template.ts';
import type { CreateContext } from '../types.ts';
import { compileOutput, type OpKind } from './naming.ts';
import type { MediaConvertParams } from './schema.ts';
import type { GroupTarget, Target } from './schema-target.ts';

export async function validateMediaConvert(
  p: MediaConvertParams,
  ctx: CreateContext,
  config: MediaConfig,
): Promise<void> {
  const inputs = inputUris(p);
  for (const [uri, param] of inputs) checkReadable(ctx, uri, param);
  let alignInfo: { lastModified: Date } | undefined;
  const align = p.AlignmentIndex ?? 0;
  for (const [uri, param, sourceIndex] of inputs) {
    const info = await headExisting(ctx, uri);
    if (param.endsWith('.URI') && sourceIndex !== undefined && info.size > config.maxSourceBytes) {
      throw Errors.limitExceeded(`${param}: the object is larger than ${config.maxSourceBytes} bytes.`);
    }
    if (sourceIndex === align && param === `Sources[${align}].URI`) alignInfo = info;
  }
  const vars = sourceTemplateVars(
    { uri: p.Sources[align]!.URI, lastModified: alignInfo?.lastModified },
    ctx.now,
    ctx.tags,
  );
  for (const [uri, kind, param, sample] of outputTemplates(p)) {
    const rendered = compileOutput(uri, kind, param).render({ ...vars, ...sample });
    checkWritable(ctx, rendered, param);
  }
  await checkEncoders(p, config);
}

/** Every object the task reads: sources, their subtitle files, watermark pictures. */
function inputUris(p: MediaConvertParams): [uri: string, param: string, sourceIndex?: number][] {
  const out: [string, string, number?][] = [];
  for (const [i, s] of p.Sources.entries()) {
    out.push([s.URI, `Sources[${i}].URI`, i]);
    for (const [j, sub] of (s.Subtitles ?? []).entries())
      out.push([sub.URI, `Sources[${i}].Subtitles[${j}].URI`]);
  }
  for (const [t, at] of allTargets(p)) {
    for (const [k, w] of (t.Video?.FilterVideo?.Watermarks ?? []).entries()) {
      if (w.Type === 'file' && w.URI) out.push([w.URI, `${at}.Video.FilterVideo.Watermarks[${k}].URI`]);
    }
  }
  return out;
}

type TemplateUse = [uri: string, kind: OpKind, param: string, sample: Record<string, string>];

/** Every output template with sample values of its operation variables. */
function outputTemplates(p: MediaConvertParams): TemplateUse[] {
  const out: TemplateUse[] = [];
  for (const [i, t] of (p.Targets ?? []).entries()) out.push(...targetTemplates(t, `Targets[${i}]`));
  for (const [i, g] of (p.TargetGroups ?? []).entries()) {
    out.push([g.URI, 'group', `TargetGroups[${i}].URI`, {}]);
    for (const [j, t] of g.Targets.entries())
      out.push(...groupTargetTemplates(t, `TargetGroups[${i}].Targets[${j}]`));
  }
  return out;
}

function targetTemplates(t: Target, at: string): TemplateUse[] {
  const out: TemplateUse[] = [];
  if (t.URI)
    out.push([t.URI, 'target', `${at}.URI`, { autoext: CONTAINERS[t.Container as ContainerName].ext }]);
  const extract = t.Subtitle?.ExtractSubtitle;
  if (extract) out.push([extract.URI, 'subtitle', `${at}.Subtitle.ExtractSubtitle.URI`, subtitleSample()]);
  const images: [string, { URI: string; Format: string }[] | undefined][] = [
    ['Snapshots', t.Image?.Snapshots],
    ['Sprites', t.Image?.Sprites],
    ['Animations', t.Image?.Animations],
  ];
  for (const [name, list] of images) {
    for (const [k, img] of (list ?? []).entries()) {
      out.push([img.URI, 'image', `${at}.Image.${name}[${k}].URI`, { index: '1', autoext: img.Format }]);
    }
  }
  return out;
}

function groupTargetTemplates(t: GroupTarget, at: string): TemplateUse[] {
  const out: TemplateUse[] = [[t.URI, 'variant', `${at}.URI`, { resolution: '1280x720', autoext: 'm3u8' }]];
  const extract = t.Subtitle?.ExtractSubtitle;
  if (extract) out.push([extract.URI, 'subtitle', `${at}.Subtitle.ExtractSubtitle.URI`, subtitleSample()]);
  return out;
}

function subtitleSample(): Record<string, string> {
  return { streamindex: '0', index: '0', autoext: 'vtt' };
}

function checkReadable(ctx: CreateContext, uri: string, param: string): void {
  const { bucket } = parseOssObjectUri(uri, param);
  if (!ctx.storage.hasBucket(bucket))
    throw Errors.invalidParameter(param, `The bucket ${bucket} does not exist in this region.`);
  if (!ctx.storage.canRead(uri))
    throw Errors.noPermission(`The service role ${ctx.storage.role} is not allowed to read ${uri}.`);
}

function checkWritable(ctx: CreateContext, uri: string, param: string): void {
  const { bucket } = parseOssUri(uri, param);
  if (!ctx.storage.hasBucket(bucket))
    throw Errors.invalidParameter(param, `The bucket ${bucket} does not exist in this region.`);
  if (!ctx.storage.canWrite(uri))
    throw Errors.noPermission(`The service role ${ctx.storage.role} is not allowed to write ${uri}.`);
}

async function headExisting(ctx: CreateContext, uri: string) {
  try {
    const info = await ctx.storage.head(uri);
    if (!info) throw Errors.invalidArgument(`File does not exist. ${uri}`);
    return info;
  } catch (err) {
    if (err instanceof AccessDeniedError) throw Errors.noPermission(err.message);
    throw err;
  }
}

async function checkEncoders(p: MediaConvertParams, config: MediaConfig): Promise<void> {
  const wanted = new Map<string, string>();
  const note = (t: Target | GroupTarget, at: string) => {
    const v = t.Video?.TranscodeVideo?.Codec;
    if (v && v !== 'copy') wanted.set(VIDEO_ENCODERS[v], `${at}.Video.TranscodeVideo.Codec ${v}`);
    const a = t.Audio?.TranscodeAudio?.Codec;
    if (a && a !== 'copy') wanted.set(AUDIO_ENCODERS[a], `${at}.Audio.TranscodeAudio.Codec ${a}`);
  };
  for (const [t, at] of allTargets(p)) note(t, at);
  if (wanted.size === 0) return;
  let have: Set<string>;
  try {
    have = await ffmpegEncoders(config.ffmpegCommand);
  } catch {
    throw Errors.unavailable('The media engine (ffmpeg) is not installed on this server.');
  }
  for (const [encoder, what] of wanted) {
    if (!have.has(encoder)) {
      throw Errors.invalidArgument(
        `${what} is not supported by this server: its ffmpeg has no ${encoder} encoder.`,
      );
    }
  }
}

/** Targets and TargetGroups variants with their parameter paths. */
function allTargets(p: MediaConvertParams): [Target | GroupTarget, string][] {
  const out: [Target | GroupTarget, string][] = [];
  for (const [i, t] of (p.Targets ?? []).entries()) out.push([t, `Targets[${i}]`]);
  for (const [i, g] of (p.TargetGroups ?? []).entries()) {
    for (const [j, t] of g.Targets.entries()) out.push([t, `TargetGroups[${i}].Targets[${j}]`]);
  }
  return out;
}
