/**
 * The second path: Debian's `vips` command (package libvips-tools), for the formats sharp's bundled
 * libvips cannot read. It converts one file to libvips' own uncompressed `.v` format, which sharp then
 * reads like any other input, so everything after decoding is shared with the first path.
 */
import { spawn } from 'node:child_process';
import { ImageError } from './errors.ts';

export interface EngineStatus {
  name: string;
  available: boolean;
  version?: string;
  installHint?: string;
  /** Loaders found, by input format. */
  formats?: string[];
}

const INSTALL_HINT = 'apt-get install -y --no-install-recommends libvips-tools';

/** The loader each second-path format needs (named explicitly: the command never guesses). */
const LOADERS = { bmp: 'magickload', jp2: 'jp2kload', j2k: 'jp2kload' } as const;
export type VipsCliFormat = keyof typeof LOADERS;

/**
 * The environment for the command. sharp's bundled libvips sets `VIPSHOME` in this process when it
 * loads; inherited, it sends the system `vips` looking for its plugins (ImageMagick, hence BMP) in
 * the wrong place.
 */
function commandEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.VIPSHOME;
  return env;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  opts: { signal?: AbortSignal; timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
      timeout: opts.timeoutMs,
      killSignal: 'SIGKILL',
      env: opts.env ?? commandEnv(),
    });
    let stdout = '';
    let stderr = '';
    // Keep only the start of the output: enough for versions and error lines, bounded for hostile input.
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 64 * 1024) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8 * 1024) stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code: sig ? null : code, stdout, stderr }));
  });
}

export async function detectVipsCli(command = 'vips'): Promise<EngineStatus> {
  try {
    const version = await run(command, ['--version'], { timeoutMs: 10_000 });
    const list = await run(command, ['-l', 'foreign'], { timeoutMs: 10_000 });
    if (version.code !== 0 || list.code !== 0) throw new Error(version.stderr || list.stderr);
    const formats = Object.entries(LOADERS)
      .filter(([, loader]) => list.stdout.includes(`(${loader})`))
      .map(([format]) => format);
    return {
      name: 'vips-cli',
      available: formats.length > 0,
      version: version.stdout.trim().replace(/^vips-/, ''),
      formats,
      installHint: formats.length === Object.keys(LOADERS).length ? undefined : INSTALL_HINT,
    };
  } catch {
    return { name: 'vips-cli', available: false, installHint: INSTALL_HINT };
  }
}

/**
 * Decodes `input` (BMP or JPEG 2000, first frame) into `output` (a `.v` file). The caller has already
 * checked the pixel count from the header. Aborting `signal` kills the process at once.
 */
export async function convertWithVipsCli(opts: {
  command: string;
  format: VipsCliFormat;
  input: string;
  output: string;
  label: string;
  timeoutMs: number;
  threads: number;
  signal?: AbortSignal;
}): Promise<void> {
  const env = commandEnv({ VIPS_CONCURRENCY: String(Math.max(1, opts.threads)) });
  let result: RunResult;
  try {
    // ImageMagick picks its decoder from the content; the `bmp:` prefix pins it to BMP, so no other
    // ImageMagick coder (with its own features) ever sees the bytes.
    const input = opts.format === 'bmp' ? `bmp:${opts.input}` : opts.input;
    result = await run(opts.command, [LOADERS[opts.format], input, opts.output], {
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
      env,
    });
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? err;
    throw new ImageError(
      'engine-missing',
      `Reading ${opts.label} needs the vips command, which is not available.`,
      {
        cause: err,
      },
    );
  }
  if (result.code === 0) return;
  if (result.code === null) {
    throw new ImageError('engine-failed', `Decoding ${opts.label} took too long.`, {
      cause: new Error(result.stderr),
    });
  }
  throw new ImageError('corrupt', `The image ${opts.label} is damaged or not readable.`, {
    cause: new Error(result.stderr.trim()),
  });
}
