import { describe, expect, it } from 'vitest';
import { defaultMediaConfig } from '../../../src/engines/ffmpeg/config.ts';
import { nearestRate, resolveAudio } from '../../../src/processors/media-convert/plan-audio.ts';
import { pickValue, resolveSize, resolveVideo } from '../../../src/processors/media-convert/plan-video.ts';
import { TaskError } from '../../../src/processors/task-error.ts';

const HD = { width: 1920, height: 1080 };
const PORTRAIT = { width: 1080, height: 1920 };

describe('resolution', () => {
  it('takes WxH as is with stretch, and keeps the source side IMM says a missing side keeps', () => {
    expect(resolveSize({ Resolution: '1280x720' }, HD, 'p')).toEqual({
      width: 1280,
      height: 720,
      mode: 'stretch',
    });
    expect(resolveSize({ Resolution: '1280x' }, HD, 'p')).toEqual({
      width: 1280,
      height: 1080,
      mode: 'stretch',
    });
    expect(resolveSize({ Resolution: 'x720' }, HD, 'p')).toEqual({
      width: 1920,
      height: 720,
      mode: 'stretch',
    });
  });

  it('reads long x short with AdaptiveResolutionDirection, so portrait stays portrait', () => {
    expect(resolveSize({ Resolution: '1280x720', AdaptiveResolutionDirection: true }, PORTRAIT, 'p')).toEqual(
      { width: 720, height: 1280, mode: 'stretch' },
    );
    expect(resolveSize({ Resolution: '1280x720', AdaptiveResolutionDirection: true }, HD, 'p')).toEqual({
      width: 1280,
      height: 720,
      mode: 'stretch',
    });
  });

  it('fits inside the box keeping the shape with fit, and passes crop/fill to the filters', () => {
    expect(resolveSize({ Resolution: '1000x1000', ScaleType: 'fit' }, HD, 'p')).toEqual({
      width: 1000,
      height: 562,
      mode: 'stretch',
    });
    expect(resolveSize({ Resolution: '1000x1000', ScaleType: 'crop' }, HD, 'p')).toEqual({
      width: 1000,
      height: 1000,
      mode: 'crop',
    });
  });

  it('keeps a smaller source with adaptive and fails it with fall', () => {
    const small = { width: 640, height: 360 };
    expect(resolveSize({ Resolution: '1280x720', ResolutionOption: 'adaptive' }, small, 'p')).toEqual({
      width: 640,
      height: 360,
      mode: 'stretch',
    });
    expect(() =>
      resolveSize({ Resolution: '1280x720', ResolutionOption: 'fall' }, small, 'p.TranscodeVideo'),
    ).toThrow(TaskError);
    expect(resolveSize({ Resolution: '1280x720', ResolutionOption: 'fall' }, HD, 'p')).toMatchObject({
      width: 1280,
    });
  });

  it('rounds to even sizes for 4:2:0 encoders', () => {
    expect(resolveSize({ Resolution: '641x361' }, HD, 'p')).toMatchObject({ width: 642, height: 362 });
  });
});

describe('fixed / adaptive / fall values', () => {
  it('applies the three options', () => {
    expect(pickValue(30, 25, 'fixed', 'p')).toBe(30);
    expect(pickValue(30, 25, 'adaptive', 'p')).toBe(25);
    expect(pickValue(30, 50, 'adaptive', 'p')).toBe(30);
    expect(pickValue(30, undefined, 'fall', 'p')).toBe(30);
    expect(() => pickValue(30, 25, 'fall', 'Targets[0].Video.TranscodeVideo.FrameRate')).toThrow(
      /FrameRate 30 is higher/,
    );
  });
});

describe('encoder settings', () => {
  it('defaults to CRF 23, GOP 150, 3 B-frames and 2 refs, and rotates before sizing', () => {
    const r = resolveVideo(
      { Codec: 'h264', Rotation: 90, Resolution: '360x640' },
      { width: 640, height: 360, frameRate: 25 },
      { config: defaultMediaConfig, param: 'p' },
    );
    expect(r.encode).toMatchObject({
      codec: 'h264',
      crf: 23,
      gop: 150,
      bFrames: 3,
      refs: 2,
      preset: 'veryfast',
    });
    expect(r.chain.rotate).toBe(90);
    expect(r.chain.size).toBeUndefined();
    expect([r.width, r.height]).toEqual([360, 640]);
  });

  it('bends audio to what each encoder takes', () => {
    expect(resolveAudio({ Codec: 'opus' }, { sampleRate: 44100, channels: 2 }, 'p')).toMatchObject({
      sampleRate: 48000,
      channels: 2,
    });
    expect(resolveAudio({ Codec: 'mp3', Channel: 6 }, { sampleRate: 96000 }, 'p')).toMatchObject({
      sampleRate: 48000,
      channels: 2,
    });
    expect(
      resolveAudio(
        { Codec: 'aac', SampleRate: 48000, SampleRateOption: 'adaptive' },
        { sampleRate: 22050 },
        'p',
      ).sampleRate,
    ).toBe(22050);
    expect(nearestRate('ac3', 22050)).toBe(32000);
  });
});
