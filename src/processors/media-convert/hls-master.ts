/**
 * The master playlist of a TargetGroups entry, written after the variants exist: one EXT-X-STREAM-INF per
 * variant with BANDWIDTH (peak segment rate), AVERAGE-BANDWIDTH, RESOLUTION and CODECS (RFC 6381 strings
 * from ffprobe, left out when a codec has none), and extracted WebVTT subtitles as a SUBTITLES rendition,
 * each behind a one-segment media playlist.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { MediaStream } from '../../engines/ffmpeg/media-info.ts';
import type { probeMedia } from '../../engines/ffmpeg/probe.ts';
import type { PlannedGroup, ProducedFile } from './job.ts';
import { baseNameOf, relativeUri, stripExtension } from './naming.ts';

export interface VariantFiles {
  files: ProducedFile[];
  subtitles: ProducedFile[][];
}

/** Pure: EXTINF durations and segment names of a media playlist. */
export function parseMediaPlaylist(text: string): { duration: number; uri: string }[] {
  const out: { duration: number; uri: string }[] = [];
  let pending: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#') && pending !== undefined) {
      out.push({ duration: pending, uri: line });
      pending = undefined;
    }
  }
  return out;
}

export function bandwidthOf(segments: { duration: number; size: number }[]): {
  peak: number;
  average: number;
} {
  let peak = 0;
  let bits = 0;
  let seconds = 0;
  for (const s of segments) {
    if (s.duration > 0) peak = Math.max(peak, (s.size * 8) / s.duration);
    bits += s.size * 8;
    seconds += s.duration;
  }
  return { peak: Math.ceil(peak), average: Math.ceil(seconds > 0 ? bits / seconds : 0) };
}

const H264_PROFILES: Record<string, string> = {
  'Constrained Baseline': '42E0',
  Baseline: '4200',
  Main: '4D00',
  High: '6400',
  'High 10': '6E00',
  'High 4:2:2': '7A00',
  'High 4:4:4 Predictive': 'F400',
};

/** RFC 6381 codec string of a stream, or undefined when none is known. */
export function codecString(s: MediaStream): string | undefined {
  if (s.codec === 'h264' && s.profile && H264_PROFILES[s.profile] && s.level) {
    return `avc1.${H264_PROFILES[s.profile]}${s.level.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  if (s.codec === 'hevc' && s.level) return `hvc1.${s.profile === 'Main 10' ? '2.4' : '1.6'}.L${s.level}.90`;
  if (s.codec === 'aac')
    return s.profile === 'HE-AAC' ? 'mp4a.40.5' : s.profile === 'HE-AACv2' ? 'mp4a.40.29' : 'mp4a.40.2';
  if (s.codec === 'mp3') return 'mp4a.40.34';
  if (s.codec === 'ac3') return 'ac-3';
  if (s.codec === 'opus') return 'Opus';
  return undefined;
}

/** Writes the master playlist and subtitle playlists into `dir`; returns them as files to upload last. */
export async function writeMaster(
  group: PlannedGroup,
  variants: VariantFiles[],
  dir: string,
  probe: (file: string) => ReturnType<typeof probeMedia>,
): Promise<ProducedFile[]> {
  await fs.mkdir(dir, { recursive: true });
  const produced: ProducedFile[] = [];
  const media: string[] = [];
  const seen = new Set<string>();
  for (const [i, v] of group.variants.entries()) {
    for (const [k, sub] of v.subtitles.entries()) {
      const file = variants[i]!.subtitles[k]?.[0];
      if (!file || seen.has(file.uri)) continue;
      seen.add(file.uri);
      const playlist = await subtitlePlaylist(file, dir, await totalDuration(variants[i]!, v.uri));
      produced.push(playlist);
      const lang = sub.language ?? 'und';
      const name = `${lang}${media.length ? `-${media.length}` : ''}`;
      media.push(
        `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="${name}",LANGUAGE="${lang}",DEFAULT=${media.length ? 'NO' : 'YES'},AUTOSELECT=YES,URI="${relativeUri(group.uri, playlist.uri)}"`,
      );
    }
  }
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS', ...media];
  for (const [i, v] of group.variants.entries()) {
    const files = variants[i]!.files;
    const playlist = files.find((f) => f.uri === v.uri)!;
    lines.push(await streamInf(v, playlist, files, probe, media.length > 0), relativeUri(group.uri, v.uri));
  }
  const master = path.join(dir, 'master.m3u8');
  await fs.writeFile(master, `${lines.join('\n')}\n`);
  produced.push({ path: master, uri: group.uri, size: (await fs.stat(master)).size, late: true });
  return produced;
}

async function streamInf(
  v: PlannedGroup['variants'][number],
  playlist: ProducedFile,
  files: ProducedFile[],
  probe: (file: string) => ReturnType<typeof probeMedia>,
  subtitles: boolean,
): Promise<string> {
  const entries = parseMediaPlaylist(await fs.readFile(playlist.path, 'utf8'));
  const sizes = new Map(files.map((f) => [baseNameOf(f.uri), f.size]));
  const bw = bandwidthOf(entries.map((e) => ({ duration: e.duration, size: sizes.get(e.uri) ?? 0 })));
  const attrs = [`BANDWIDTH=${Math.max(1, bw.peak)}`, `AVERAGE-BANDWIDTH=${Math.max(1, bw.average)}`];
  if (v.width && v.height) attrs.push(`RESOLUTION=${v.width}x${v.height}`);
  const info = await probe(playlist.path).catch(() => undefined);
  const codecs = info?.streams.filter((s) => s.type === 'video' || s.type === 'audio').map(codecString);
  if (codecs?.length && codecs.every((c) => c)) attrs.push(`CODECS="${codecs.join(',')}"`);
  if (subtitles) attrs.push('SUBTITLES="subs"');
  return `#EXT-X-STREAM-INF:${attrs.join(',')}`;
}

async function totalDuration(v: VariantFiles, playlistUri: string): Promise<number> {
  const playlist = v.files.find((f) => f.uri === playlistUri);
  if (!playlist) return 0;
  return parseMediaPlaylist(await fs.readFile(playlist.path, 'utf8')).reduce((n, e) => n + e.duration, 0);
}

async function subtitlePlaylist(vtt: ProducedFile, dir: string, duration: number): Promise<ProducedFile> {
  const seconds = duration > 0 ? duration : await vttEnd(vtt.path);
  const text = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(seconds))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${seconds.toFixed(3)},`,
    baseNameOf(vtt.uri),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
  const file = path.join(dir, `${stripExtension(baseNameOf(vtt.uri))}.m3u8`);
  await fs.writeFile(file, text);
  return { path: file, uri: `${stripExtension(vtt.uri)}.m3u8`, size: Buffer.byteLength(text), late: true };
}

/** The last cue end of a WebVTT file, in seconds. */
async function vttEnd(file: string): Promise<number> {
  const text = await fs.readFile(file, 'utf8');
  let end = 0;
  for (const m of text.matchAll(/-->\s*(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})/g)) {
    end = Math.max(end, Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000);
  }
  return end;
}
