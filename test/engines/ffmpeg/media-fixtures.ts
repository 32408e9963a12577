/**
 * Tiny media files made by ffmpeg's lavfi sources for the tests (nothing checked in): test patterns,
 * tones, subtitle tracks, a portrait clip with rotation metadata, an audio-only file. Plus ffprobe
 * helpers the tests use to check outputs.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'openimm-'));
}

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

export interface VideoOpts {
  seconds?: number;
  width?: number;
  height?: number;
  rate?: number;
  audio?: boolean;
  /** Tone frequency, so concatenated parts can be told apart. */
  tone?: number;
  /** Key frame every n frames (x264 `-g`). */
  gop?: number;
  /** `testsrc2` (default) or a plain colour such as `red`. */
  color?: string;
}

/** H.264/AAC mp4 from a test pattern and a tone. */
export async function makeVideo(file: string, o: VideoOpts = {}): Promise<string> {
  const s = o.seconds ?? 2;
  const size = `${o.width ?? 320}x${o.height ?? 240}`;
  const rate = o.rate ?? 25;
  const video = o.color
    ? `color=c=${o.color}:size=${size}:rate=${rate}:duration=${s}`
    : `testsrc2=size=${size}:rate=${rate}:duration=${s}`;
  const args = ['-f', 'lavfi', '-i', video];
  if (o.audio !== false)
    args.push('-f', 'lavfi', '-i', `sine=frequency=${o.tone ?? 440}:sample_rate=44100:duration=${s}`);
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(o.gop ?? rate));
  if (o.audio !== false) args.push('-c:a', 'aac', '-ac', '2', '-shortest');
  await ffmpeg([...args, file]);
  return file;
}

export async function makeAudio(file: string, seconds = 2, tone = 660): Promise<string> {
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${tone}:sample_rate=48000:duration=${seconds}`,
    '-ac',
    '2',
    '-c:a',
    'libmp3lame',
    file,
  ]);
  return file;
}

export const SRT = `1
00:00:00,200 --> 00:00:01,000
Hello openimm

2
00:00:01,200 --> 00:00:01,900
Second line
`;

export async function makeSrt(file: string, text = SRT): Promise<string> {
  await fs.writeFile(file, text);
  return file;
}

/** An mkv with video, audio and two subtitle tracks (eng, fra). */
export async function makeVideoWithSubtitles(dir: string): Promise<string> {
  const video = await makeVideo(path.join(dir, 'silent.mp4'), { audio: false });
  const eng = await makeSrt(path.join(dir, 'eng.srt'));
  const fra = await makeSrt(path.join(dir, 'fra.srt'), SRT.replace('Hello openimm', 'Bonjour openimm'));
  const out = path.join(dir, 'subs.mkv');
  // FLAC has no encoder delay, so no stream starts before 0 and the cue times stay as written.
  const tone = 'sine=frequency=440:sample_rate=44100:duration=2';
  await ffmpeg([
    ...['-i', video, '-f', 'lavfi', '-i', tone, '-i', eng, '-i', fra],
    ...['-map', '0:v', '-map', '1:a', '-map', '2:0', '-map', '3:0'],
    ...['-c:v', 'copy', '-c:a', 'flac', '-c:s', 'srt'],
    ...['-metadata:s:s:0', 'language=eng', '-metadata:s:s:1', 'language=fra', out],
  ]);
  return out;
}

/** A 320x240 coded clip that players show as 240x320 (rotation metadata of 90°). */
export async function makeRotated(file: string): Promise<string> {
  const plain = `${file}.plain.mp4`;
  await makeVideo(plain, { seconds: 1 });
  await ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file]);
  await fs.rm(plain);
  return file;
}

export interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  nb_read_frames?: string;
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

export async function probe(
  file: string,
  countFrames = false,
): Promise<{ duration: number; streams: ProbedStream[]; format: string }> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams'];
  if (countFrames) args.push('-count_frames');
  const { stdout } = await run('ffprobe', [...args, file], { maxBuffer: 32 * 1024 * 1024 });
  const json = JSON.parse(stdout);
  return { duration: Number(json.format.duration), streams: json.streams, format: json.format.format_name };
}

/** Mean RGB of a w×h region of one decoded frame (a pixel check for watermarks). */
export async function regionColor(
  file: string,
  region: { x: number; y: number; w: number; h: number },
  at = 0.5,
): Promise<[number, number, number]> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(at),
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      `crop=${region.w}:${region.h}:${region.x}:${region.y}`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  );
  const buf = stdout as unknown as Buffer;
  const sums = [0, 0, 0];
  for (let i = 0; i < buf.length; i += 3) for (let c = 0; c < 3; c++) sums[c]! += buf[i + c]!;
  const n = buf.length / 3;
  return [sums[0]! / n, sums[1]! / n, sums[2]! / n];
}

/** Decoded stream payload hash (`-f streamhash`), to show a copy left a stream's packets untouched. */
export async function streamHash(file: string, spec: string): Promise<string> {
  const { stdout } = await run('ffmpeg', [
    '-v',
    'error',
    '-i',
    file,
    '-map',
    `0:${spec}`,
    '-c',
    'copy',
    '-f',
    'streamhash',
    '-hash',
    'md5',
    '-',
  ]);
  return stdout.trim().split('=').pop()!;
}

export async function imageSize(file: string): Promise<{ width: number; height: number }> {
  const p = await probe(file);
  return { width: p.streams[0]!.width!, height: p.streams[0]!.height! };
}
