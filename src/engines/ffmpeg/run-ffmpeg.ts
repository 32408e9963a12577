/** One ffmpeg run: global flags, progress from `-progress pipe:1`, abort and timeout through `runTool`. */
import { ProgressParser, type ProgressSample } from './progress.ts';
import { runTool } from './run-tool.ts';

export interface RunFfmpegOptions {
  command?: string;
  /** Everything after the global flags: inputs, filter graph, outputs. */
  args: string[];
  cwd?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  onProgress?: (sample: ProgressSample) => void;
}

/**
 * Flags every run gets: no stdin (ffmpeg would otherwise read keys from it), errors only on stderr,
 * progress as key=value blocks on stdout, overwrite (outputs go to a fresh scratch folder).
 */
export function globalArgs(): string[] {
  return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-progress', 'pipe:1', '-y'];
}

export async function runFfmpeg(opts: RunFfmpegOptions): Promise<{ stderr: string }> {
  const parser = new ProgressParser((s) => opts.onProgress?.(s));
  const { stderr } = await runTool({
    command: opts.command ?? 'ffmpeg',
    args: [...globalArgs(), ...opts.args],
    cwd: opts.cwd,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    onStdout: (chunk) => parser.push(chunk),
  });
  return { stderr };
}
