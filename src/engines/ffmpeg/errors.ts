/**
 * Typed failures of ffmpeg/ffprobe runs. `stderr` is kept for logs only (it names paths): processors map
 * `kind` and `reason` to an IMM Code with a client-safe message.
 */
export type FfmpegFailureKind = 'exit' | 'timeout' | 'aborted' | 'spawn';

/** What the end of ffmpeg's stderr says went wrong, as far as it can be told. */
export type FfmpegFailureReason =
  | 'invalid-data'
  | 'unsupported-codec'
  | 'no-stream'
  | 'muxer'
  | 'too-large'
  | 'io'
  | 'unknown';

export class FfmpegError extends Error {
  readonly kind: FfmpegFailureKind;
  readonly reason: FfmpegFailureReason;
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(opts: {
    kind: FfmpegFailureKind;
    message: string;
    stderr?: string;
    exitCode?: number | null;
    cause?: unknown;
  }) {
    super(opts.message, { cause: opts.cause });
    this.name = 'FfmpegError';
    this.kind = opts.kind;
    this.exitCode = opts.exitCode ?? null;
    this.stderr = opts.stderr ?? '';
    this.reason = opts.kind === 'exit' ? classifyStderr(this.stderr) : 'unknown';
  }
}

const REASONS: [FfmpegFailureReason, RegExp][] = [
  [
    'too-large',
    /Picture size \d+x\d+ is invalid|Invalid image size|dimensions? .* too large|exceeds? .*max(imum)? (size|pixels)/i,
  ],
  [
    'unsupported-codec',
    /Decoder \(codec [^)]*\) not found|Unknown encoder|Encoder not found|unsupported codec|codec not currently supported in container|Could not find tag for codec|not supported by this (muxer|container)|Unsupported codec/i,
  ],
  [
    'no-stream',
    /Stream map '[^']*' matches no streams|does not contain any stream|Output file #\d+ does not contain any stream|Cannot find a matching stream|matches no streams/i,
  ],
  [
    'muxer',
    /Could not write header|Error initializing output stream|Invalid argument.*muxer|incorrect codec parameters/i,
  ],
  [
    'invalid-data',
    /Invalid data found when processing input|moov atom not found|could not find codec parameters|Error while decoding|invalid frame|End of file|Invalid NAL|Header missing|Failed to read frame size|decoding for stream \d+ failed/i,
  ],
  ['io', /No such file or directory|Permission denied|No space left on device|Input\/output error/i],
];

/** Pure: the likely reason of a failed run, from its stderr. */
export function classifyStderr(stderr: string): FfmpegFailureReason {
  for (const [reason, re] of REASONS) if (re.test(stderr)) return reason;
  return 'unknown';
}
