import { describe, expect, it } from 'vitest';
import { classifyStderr, FfmpegError } from '../../../src/engines/ffmpeg/errors.ts';

describe('classifyStderr', () => {
  it.each([
    ['/tmp/x/source-0.mp4: Invalid data found when processing input', 'invalid-data'],
    ['[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found', 'invalid-data'],
    ["Stream map '0:7' matches no streams.", 'no-stream'],
    [
      'Could not find tag for codec vp9 in stream #0, codec not currently supported in container',
      'unsupported-codec',
    ],
    ['Unknown encoder libopencore_amrnb', 'unsupported-codec'],
    ['Could not write header for output file #0 (incorrect codec parameters ?)', 'muxer'],
    ['av_interleaved_write_frame(): No space left on device', 'io'],
    ['something else entirely', 'unknown'],
  ])('%s → %s', (stderr, reason) => {
    expect(classifyStderr(stderr)).toBe(reason);
  });

  it('classifies only exits, not kills', () => {
    expect(new FfmpegError({ kind: 'exit', message: 'x', stderr: 'moov atom not found' }).reason).toBe(
      'invalid-data',
    );
    expect(new FfmpegError({ kind: 'timeout', message: 'x', stderr: 'moov atom not found' }).reason).toBe(
      'unknown',
    );
  });
});
