/**
 * Output names (spec sections 5 and 9.6). Every output URI is a template over the public variables of
 * the AlignmentIndex source plus the operation's own: `{autoext}` everywhere, `{index}` (1-based) for
 * images, `{streamindex}` (0-based, as the source's subtitle streams) for extracted subtitles,
 * `{resolution}` (`WxH`) for TargetGroups variants. The rules when a template does not use them:
 * - a target URI without an extension gets the container's (`.m3u8`/`.mpd` when segmented);
 * - image URIs producing one file are taken as they are (extension added if missing); producing several,
 *   `<uri without extension>_<index>.<ext>`, or `<uri><index>.<ext>` for a URI ending in `/`;
 * - extracted subtitles are `<uri without extension>_<streamindex>.<ext>` (IMM's documented naming).
 * Pure.
 */
import { type CompiledTemplate, compileTemplate } from '../../storage/template.ts';

export const OP_VARS = {
  target: ['autoext'],
  image: ['index', 'autoext'],
  subtitle: ['streamindex', 'index', 'autoext'],
  group: [] as string[],
  variant: ['resolution', 'autoext'],
  source: [] as string[],
};

export type OpKind = keyof typeof OP_VARS;

export function compileOutput(uri: string, kind: OpKind, paramName: string): CompiledTemplate {
  return compileTemplate(uri, { paramName, operationVars: OP_VARS[kind] });
}

/** The extension of the last key segment (without the dot), if any. */
export function extensionOf(uri: string): string | undefined {
  const name = uri.slice(uri.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : undefined;
}

export function stripExtension(uri: string): string {
  const ext = extensionOf(uri);
  return ext === undefined ? uri : uri.slice(0, uri.length - ext.length - 1);
}

export function withExtension(uri: string, ext: string): string {
  return extensionOf(uri) === undefined ? `${uri}.${ext}` : uri;
}

export function dirOf(uri: string): string {
  return uri.slice(0, uri.lastIndexOf('/') + 1);
}

export function baseNameOf(uri: string): string {
  return uri.slice(uri.lastIndexOf('/') + 1);
}

/** A target's main file: the media file, or the playlist/manifest of a segmented target. */
export function targetFileUri(rendered: string, ext: string, segment?: 'hls' | 'dash'): string {
  if (!segment) return withExtension(rendered, ext);
  const want = segment === 'hls' ? 'm3u8' : 'mpd';
  return extensionOf(rendered) === want ? rendered : `${stripExtension(rendered)}.${want}`;
}

export interface ImageNaming {
  template: CompiledTemplate;
  vars: Record<string, string>;
  ext: string;
  /** The request asks for exactly one file. */
  single: boolean;
}

/** The URI of image number `index` (1-based). */
export function imageUri(n: ImageNaming, index: number): string {
  const vars = { ...n.vars, index: String(index), autoext: n.ext };
  const rendered = n.template.render(vars);
  if (n.template.variables.includes('index')) return withExtension(rendered, n.ext);
  if (n.single) return withExtension(rendered, n.ext);
  if (rendered.endsWith('/')) return `${rendered}${index}.${n.ext}`;
  return `${stripExtension(rendered)}_${index}.${n.ext}`;
}

/** The URI of the extracted subtitle stream `streamIndex` (0-based among the source's subtitles). */
export function subtitleUri(
  template: CompiledTemplate,
  vars: Record<string, string>,
  streamIndex: number,
  ext: string,
): string {
  const rendered = template.render({
    ...vars,
    streamindex: String(streamIndex),
    index: String(streamIndex),
    autoext: ext,
  });
  if (template.variables.includes('streamindex') || template.variables.includes('index'))
    return withExtension(rendered, ext);
  const known = ['vtt', 'webvtt', 'srt', 'ass'];
  const stem = known.includes(extensionOf(rendered) ?? '') ? stripExtension(rendered) : rendered;
  return stem.endsWith('/') ? `${stem}${streamIndex}.${ext}` : `${stem}_${streamIndex}.${ext}`;
}

/** A relative path from the folder of `fromUri` to `toUri` (both in one bucket, `to` at or below `from`'s folder). */
export function relativeUri(fromUri: string, toUri: string): string {
  const dir = dirOf(fromUri);
  return toUri.startsWith(dir) ? toUri.slice(dir.length) : toUri;
}
