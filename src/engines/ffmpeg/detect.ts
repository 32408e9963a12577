/** Capability detection of ffmpeg/ffprobe, logged at start-up and consulted when a task needs an encoder. */
import { runTool } from './run-tool.ts';

export interface EngineStatus {
  name: string;
  available: boolean;
  version?: string;
  installHint?: string;
}

const INSTALL_HINT = 'apt-get install -y --no-install-recommends ffmpeg';

export async function detectFfmpeg(
  opts: { ffmpegCommand?: string; ffprobeCommand?: string } = {},
): Promise<EngineStatus> {
  const ffmpeg = await versionOf(opts.ffmpegCommand ?? 'ffmpeg');
  const ffprobe = await versionOf(opts.ffprobeCommand ?? 'ffprobe');
  if (!ffmpeg || !ffprobe) return { name: 'ffmpeg', available: false, installHint: INSTALL_HINT };
  return { name: 'ffmpeg', available: true, version: ffmpeg };
}

async function versionOf(command: string): Promise<string | undefined> {
  try {
    const { stdout } = await runTool({ command, args: ['-hide_banner', '-version'], timeoutMs: 10_000 });
    return /version\s+(\S+)/.exec(stdout)?.[1] ?? 'unknown';
  } catch {
    return undefined;
  }
}

const encoderCache = new Map<string, Promise<Set<string>>>();

/** Names of the encoders this ffmpeg was built with (e.g. `libx264`), asked once per command. */
export function ffmpegEncoders(command = 'ffmpeg'): Promise<Set<string>> {
  let cached = encoderCache.get(command);
  if (!cached) {
    cached = listEncoders(command);
    encoderCache.set(command, cached);
    cached.catch(() => encoderCache.delete(command));
  }
  return cached;
}

async function listEncoders(command: string): Promise<Set<string>> {
  const { stdout } = await runTool({ command, args: ['-hide_banner', '-encoders'], timeoutMs: 10_000 });
  return parseEncoderList(stdout);
}

/** Pure: `ffmpeg -encoders` lines look like ` V....D libx264   libx264 H.264 ...`. */
export function parseEncoderList(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*[VAS][A-Z.]{5}\s+(\S+)\s/.exec(line);
    if (m) names.add(m[1]!);
  }
  return names;
}
