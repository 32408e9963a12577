/** ffprobe of one local file. */
import { FfmpegError } from './errors.ts';
import { type MediaInfo, parseProbeJson } from './media-info.ts';
import { runTool } from './run-tool.ts';

export interface ProbeOptions {
  command?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export async function probeMedia(path: string, opts: ProbeOptions = {}): Promise<MediaInfo> {
  const { stdout, stderr } = await runTool({
    command: opts.command ?? 'ffprobe',
    args: ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', `file:${path}`],
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (cause) {
    throw new FfmpegError({ kind: 'exit', message: 'ffprobe printed no readable JSON', stderr, cause });
  }
  return parseProbeJson(json);
}
