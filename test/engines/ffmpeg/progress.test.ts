import { describe, expect, it } from 'vitest';
import { ProgressParser, type ProgressSample } from '../../../src/engines/ffmpeg/progress.ts';

describe('ProgressParser', () => {
  it('emits one sample per block, across arbitrary chunk boundaries', () => {
    const samples: ProgressSample[] = [];
    const p = new ProgressParser((s) => samples.push(s));
    const text =
      'frame=10\nfps=0.00\nout_time_us=400000\nout_time=00:00:00.400000\nspeed=1.5x\nprogress=continue\n' +
      'frame=50\nout_time_us=2000000\nspeed=2x\nprogress=end\n';
    for (let i = 0; i < text.length; i += 7) p.push(text.slice(i, i + 7));
    expect(samples).toEqual([
      { outTimeSec: 0.4, frame: 10, speed: 1.5, end: false },
      { outTimeSec: 2, frame: 50, speed: 2, end: true },
    ]);
  });

  it('treats N/A times as zero only at the end', () => {
    const samples: ProgressSample[] = [];
    const p = new ProgressParser((s) => samples.push(s));
    p.push('out_time_us=N/A\nprogress=continue\nout_time_us=N/A\nprogress=end\n');
    expect(samples).toEqual([{ outTimeSec: 0, end: true, frame: undefined, speed: undefined }]);
  });
});
