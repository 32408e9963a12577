/**
 * The CreateMediaConvertTask request (spec 9.6), parsed from the decoded wire parameters. Shape and ranges
 * live in the zod schemas; the rules between fields (URI with Container, copy and concatenation, codecs a
 * container can hold, segment formats) are checked here too, so a bad request fails at create time.
 */
import { z } from 'zod';
import { CONTAINERS, type ContainerName } from '../../engines/ffmpeg/containers.ts';
import { jsonParam } from '../params.ts';
import { bool, intIn, numberIn } from './schema-helpers.ts';
import { type GroupTarget, type Target, targetGroupSchema, targetSchema } from './schema-target.ts';

export const MAX_SOURCES = 11;

export const sourceSchema = z.object({
  URI: z.string().min(1),
  StartTime: numberIn(0, 1e7).optional(),
  Duration: numberIn(0, 1e7).optional(),
  DisableVideo: bool().optional(),
  DisableAudio: bool().optional(),
  Attached: bool().optional(),
  AlignMode: z.preprocess((v) => (v === false ? 'false' : v), z.enum(['false', 'loop', 'pad'])).optional(),
  Subtitles: z
    .array(
      z.object({
        URI: z.string().min(1),
        Language: z
          .string()
          .regex(/^[a-zA-Z]{3}$/, 'Use an ISO 639-2 code such as eng.')
          .optional(),
        TimeOffset: numberIn(-1e7, 1e7).optional(),
      }),
    )
    .max(20)
    .optional(),
});

export const mediaConvertParamsSchema = z
  .object({
    Sources: jsonParam(z.array(sourceSchema).min(1).max(MAX_SOURCES)),
    Targets: jsonParam(z.array(targetSchema).max(20)).optional(),
    TargetGroups: jsonParam(z.array(targetGroupSchema).max(5)).optional(),
    AlignmentIndex: intIn(0, MAX_SOURCES - 1).optional(),
  })
  .superRefine((p, ctx) => {
    const bad = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    if (!p.Targets?.length && !p.TargetGroups?.length) {
      bad(['Targets'], 'Give at least one of Targets and TargetGroups.');
      return;
    }
    const align = p.AlignmentIndex ?? 0;
    if (align >= p.Sources.length) bad(['AlignmentIndex'], `There are only ${p.Sources.length} Sources.`);
    else if (p.Sources[align]!.Attached)
      bad(['Sources', align, 'Attached'], 'The AlignmentIndex source cannot be Attached.');
    const concat = p.Sources.filter((s) => !s.Attached).length > 1;
    for (const [i, t] of (p.Targets ?? []).entries()) checkTarget(t, ['Targets', i], concat, bad);
    p.TargetGroups?.forEach((g, gi) => {
      if (!/\.m3u8$/i.test(g.URI))
        bad(['TargetGroups', gi, 'URI'], 'The master playlist URI must end with .m3u8.');
      const dir = g.URI.slice(0, g.URI.lastIndexOf('/') + 1);
      for (const [ti, t] of g.Targets.entries())
        checkGroupTarget(t, ['TargetGroups', gi, 'Targets', ti], dir, concat, bad);
    });
  });

export type MediaConvertParams = z.infer<typeof mediaConvertParamsSchema>;
export type Source = z.infer<typeof sourceSchema>;

type Bad = (path: (string | number)[], message: string) => void;

function checkTarget(t: Target, at: (string | number)[], concat: boolean, bad: Bad): void {
  if (!t.URI !== !t.Container) {
    bad([...at, t.URI ? 'Container' : 'URI'], 'URI and Container must be set together.');
    return;
  }
  if (t.Video?.FilterVideo?.Desensitization) {
    bad(
      [...at, 'Video', 'FilterVideo', 'Desensitization'],
      'Face and licence plate desensitization is not supported by openimm.',
    );
  }
  if (!t.URI) {
    const images = t.Image ?? {};
    const any = images.Snapshots?.length || images.Sprites?.length || images.Animations?.length;
    if (!any && !t.Subtitle?.ExtractSubtitle)
      bad([...at, 'URI'], 'A target without URI must capture images or extract subtitles.');
    return;
  }
  const name = t.Container as ContainerName;
  const info = CONTAINERS[name];
  if (t.AttachedPicture?.Stream?.length && name !== 'mp4' && name !== 'mkv') {
    bad([...at, 'AttachedPicture'], 'AttachedPicture needs Container mp4 or mkv.');
  }
  if (t.Data?.Stream?.length && name !== 'mp4') bad([...at, 'Data'], 'Data streams need Container mp4.');
  if (t.Segment) {
    if (info.audioOnly) bad([...at, 'Segment'], `Container ${name} cannot be segmented.`);
    else if (t.Segment.Format === 'hls' && name !== 'ts' && name !== 'mp4')
      bad([...at, 'Segment'], 'HLS needs Container ts or mp4.');
    else if (t.Segment.Format === 'dash' && name !== 'mp4')
      bad([...at, 'Segment'], 'DASH needs Container mp4.');
    if (t.Segment.Format === 'dash' && t.Segment.StartNumber !== undefined) {
      bad([...at, 'Segment', 'StartNumber'], 'StartNumber applies to HLS only.');
    }
  }
  checkMedia(t, at, name, concat, bad);
}

function checkGroupTarget(
  t: GroupTarget,
  at: (string | number)[],
  dir: string,
  concat: boolean,
  bad: Bad,
): void {
  if (!t.URI.startsWith(dir))
    bad([...at, 'URI'], 'A variant playlist must be in the master playlist folder or below it.');
  if (t.Segment && t.Segment.Format !== 'hls')
    bad([...at, 'Segment', 'Format'], 'TargetGroups package HLS only.');
  const extract = t.Subtitle?.ExtractSubtitle;
  if (extract) {
    if (extract.Format && extract.Format !== 'webvtt')
      bad([...at, 'Subtitle', 'ExtractSubtitle', 'Format'], 'Use vtt.');
    if (!extract.URI.startsWith(dir))
      bad(
        [...at, 'Subtitle', 'ExtractSubtitle', 'URI'],
        'Subtitles must be in the master playlist folder or below it.',
      );
  }
  checkMedia(t, at, t.Container === 'mp4' ? 'mp4' : 'ts', concat, bad);
}

/** Codecs against the container; copy against concatenation and speed. */
function checkMedia(
  t: Target | GroupTarget,
  at: (string | number)[],
  name: ContainerName,
  concat: boolean,
  bad: Bad,
): void {
  const info = CONTAINERS[name];
  const video = t.Video?.DisableVideo || info.audioOnly ? undefined : t.Video;
  const audio = t.Audio?.DisableAudio ? undefined : t.Audio;
  const vCodec = video
    ? video.TranscodeVideo
      ? (video.TranscodeVideo.Codec ?? 'copy')
      : 'none'
    : t.Video
      ? 'none'
      : 'copy';
  const aCodec = audio
    ? audio.TranscodeAudio
      ? (audio.TranscodeAudio.Codec ?? 'copy')
      : 'none'
    : t.Audio
      ? 'none'
      : 'copy';
  const vAt = [...at, 'Video', 'TranscodeVideo', 'Codec'];
  const aAt = [...at, 'Audio', 'TranscodeAudio', 'Codec'];
  if (info.audioOnly && t.Video?.TranscodeVideo?.Codec && t.Video.TranscodeVideo.Codec !== 'copy') {
    bad(vAt, `Container ${name} holds audio only.`);
  }
  if (vCodec !== 'copy' && vCodec !== 'none' && !info.video.includes(vCodec as never)) {
    bad(
      vAt,
      `Container ${name} cannot hold ${vCodec} video. Valid values: ${info.video.join(', ') || 'none'}.`,
    );
  }
  if (aCodec !== 'copy' && aCodec !== 'none' && !info.audio.includes(aCodec as never)) {
    bad(
      aAt,
      `Container ${name} cannot hold ${aCodec} audio. Valid values: ${info.audio.join(', ') || 'none'}.`,
    );
  }
  const copyMsg =
    'copy (the default when Video/Audio or their Codec is absent) cannot concatenate several Sources.';
  if (concat && vCodec === 'copy' && !info.audioOnly) bad(vAt, `Video ${copyMsg}`);
  if (concat && aCodec === 'copy' && !info.naturalAudio) bad(aAt, `Audio ${copyMsg}`);
  if (t.Audio?.FilterAudio?.Mixing && aCodec === 'copy') {
    bad([...at, 'Audio', 'FilterAudio', 'Mixing'], 'Mixing needs an audio Codec other than copy.');
  }
  const speed = t.Video?.FilterVideo?.Speed ?? t.Speed ?? 1;
  if (speed !== 1 && (vCodec === 'copy' || aCodec === 'copy')) {
    bad([...at, 'Speed'], 'Speed below 1 re-times the streams: set a video and audio Codec other than copy.');
  }
}
