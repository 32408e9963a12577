import { describe, expect, it } from 'vitest';
import { ImmError } from '../../../src/protocol/errors.ts';
import { parse } from './harness.ts';

const SRC = [{ URI: 'oss://in-bucket/a.mp4' }];
const H264 = { TranscodeVideo: { Codec: 'h264' } };
const AAC = { TranscodeAudio: { Codec: 'aac' } };

function errorOf(params: Record<string, unknown>): ImmError {
  try {
    parse(params);
  } catch (err) {
    if (err instanceof ImmError) return err;
    throw err;
  }
  throw new Error('the request was accepted');
}

describe('CreateMediaConvertTask request checks', () => {
  it('accepts a full request and keeps unknown common fields out of the way', () => {
    const p = parse({
      ProjectName: 'p',
      UserData: 'u',
      Sources: [
        {
          URI: 'oss://in-bucket/a.mp4',
          StartTime: 1,
          Duration: '2',
          Subtitles: [{ URI: 'oss://in-bucket/a.srt', Language: 'eng' }],
        },
      ],
      Targets: [
        {
          URI: 'oss://out-bucket/x',
          Container: 'mp4',
          Video: {
            TranscodeVideo: {
              Codec: 'h264',
              Resolution: '1280x',
              CRF: 20,
              MaxBitrate: 2000000,
              BufferSize: 4000000,
            },
          },
          Audio: { TranscodeAudio: { Codec: 'aac', SampleRate: 44100, Channel: 2 } },
          Segment: { Format: 'hls', Duration: 4 },
        },
      ],
      AlignmentIndex: '0',
    });
    expect(p.Sources[0]!.Duration).toBe(2);
    expect(p.AlignmentIndex).toBe(0);
  });

  it.each([
    ['no targets at all', { Sources: SRC }, 'Targets'],
    [
      'more than 11 sources',
      { Sources: Array(12).fill(SRC[0]), Targets: [{ URI: 'oss://o/x.mp4', Container: 'mp4' }] },
      'Sources',
    ],
    [
      'URI without Container',
      { Sources: SRC, Targets: [{ URI: 'oss://out-bucket/x.mp4' }] },
      'Targets[0].Container',
    ],
    ['Container without URI', { Sources: SRC, Targets: [{ Container: 'mp4' }] }, 'Targets[0].URI'],
    [
      'an unknown container',
      { Sources: SRC, Targets: [{ URI: 'oss://o/x', Container: 'webm' }] },
      'Targets[0].Container',
    ],
    [
      'CRF out of range',
      {
        Sources: SRC,
        Targets: [
          { URI: 'oss://o/x', Container: 'mp4', Video: { TranscodeVideo: { Codec: 'h264', CRF: 52 } } },
        ],
      },
      'CRF',
    ],
    [
      'Bitrate with CRF',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Video: { TranscodeVideo: { Codec: 'h264', CRF: 20, Bitrate: 1000000 } },
          },
        ],
      },
      'mutually exclusive',
    ],
    [
      'MaxBitrate without BufferSize',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Video: { TranscodeVideo: { Codec: 'h264', MaxBitrate: 1000000 } },
          },
        ],
      },
      'BufferSize',
    ],
    [
      'a resolution side over 4096',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Video: { TranscodeVideo: { Codec: 'h264', Resolution: '5000x100' } },
          },
        ],
      },
      'Resolution',
    ],
    [
      'yuva420p without vp9',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Video: { TranscodeVideo: { Codec: 'h264', PixelFormat: 'yuva420p' } },
          },
        ],
      },
      'vp9',
    ],
    [
      'audio Bitrate with Quality',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Audio: { TranscodeAudio: { Codec: 'aac', Bitrate: 64000, Quality: 50 } },
          },
        ],
      },
      'mutually exclusive',
    ],
    [
      'a sample rate IMM does not list',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Audio: { TranscodeAudio: { Codec: 'aac', SampleRate: 12345 } },
          },
        ],
      },
      'SampleRate',
    ],
    [
      'vp9 in flv',
      {
        Sources: SRC,
        Targets: [{ URI: 'oss://o/x', Container: 'flv', Video: { TranscodeVideo: { Codec: 'vp9' } } }],
      },
      'cannot hold vp9',
    ],
    [
      'opus in mov',
      {
        Sources: SRC,
        Targets: [{ URI: 'oss://o/x', Container: 'mov', Audio: { TranscodeAudio: { Codec: 'opus' } } }],
      },
      'cannot hold opus',
    ],
    [
      'HLS in mkv',
      { Sources: SRC, Targets: [{ URI: 'oss://o/x', Container: 'mkv', Segment: { Format: 'hls' } }] },
      'HLS',
    ],
    [
      'StartNumber with DASH',
      {
        Sources: SRC,
        Targets: [{ URI: 'oss://o/x', Container: 'mp4', Segment: { Format: 'dash', StartNumber: 3 } }],
      },
      'StartNumber',
    ],
    [
      'AttachedPicture in ts',
      { Sources: SRC, Targets: [{ URI: 'oss://o/x', Container: 'ts', AttachedPicture: { Stream: [-1] } }] },
      'AttachedPicture',
    ],
    ['a target doing nothing', { Sources: SRC, Targets: [{ Speed: 1 }] }, 'Targets[0].URI'],
    [
      'copy while concatenating',
      { Sources: [SRC[0], SRC[0]], Targets: [{ URI: 'oss://o/x', Container: 'mp4', Audio: AAC }] },
      'cannot concatenate',
    ],
    [
      'Speed with copy',
      { Sources: SRC, Targets: [{ URI: 'oss://o/x', Container: 'mp4', Speed: 0.5 }] },
      'Speed',
    ],
    [
      'Speed out of range',
      { Sources: SRC, Targets: [{ URI: 'oss://o/x', Container: 'mp4', Video: H264, Audio: AAC, Speed: 2 }] },
      'Speed',
    ],
    [
      'Mixing with copy',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Audio: { TranscodeAudio: { Codec: 'copy' }, FilterAudio: { Mixing: true } },
          },
        ],
      },
      'Mixing',
    ],
    [
      'an attached AlignmentIndex source',
      {
        Sources: [{ URI: 'oss://in-bucket/a.mp4', Attached: true }, SRC[0]],
        Targets: [{ URI: 'oss://o/x', Container: 'mp4' }],
      },
      'Attached',
    ],
    [
      'AlignmentIndex past the sources',
      { Sources: SRC, AlignmentIndex: 3, Targets: [{ URI: 'oss://o/x', Container: 'mp4' }] },
      'AlignmentIndex',
    ],
    [
      'a text watermark without Content',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Video: { ...H264, FilterVideo: { Watermarks: [{ Type: 'text' }] } },
          },
        ],
      },
      'Content',
    ],
    [
      'a watermark file that is not png/mov',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Video: { ...H264, FilterVideo: { Watermarks: [{ Type: 'file', URI: 'oss://in-bucket/w.bmp' }] } },
          },
        ],
      },
      'png',
    ],
    [
      'FontSize out of (4,120)',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Video: { ...H264, FilterVideo: { Watermarks: [{ Content: 'x', FontSize: 4 }] } },
          },
        ],
      },
      'FontSize',
    ],
    [
      'a geometry that is neither pixels nor a ratio',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Video: { ...H264, FilterVideo: { Delogos: [{ Width: 1.5 }] } },
          },
        ],
      },
      'ratio',
    ],
    [
      'desensitization',
      {
        Sources: SRC,
        Targets: [
          {
            URI: 'oss://o/x',
            Container: 'mp4',
            Video: { ...H264, FilterVideo: { Desensitization: { Face: {} } } },
          },
        ],
      },
      'not supported',
    ],
    [
      'a snapshot format IMM lacks',
      { Sources: SRC, Targets: [{ Image: { Snapshots: [{ URI: 'oss://o/s', Format: 'bmp' }] } }] },
      'Format',
    ],
    [
      'a master playlist not ending in .m3u8',
      { Sources: SRC, TargetGroups: [{ URI: 'oss://o/x/master', Targets: [{ URI: 'oss://o/x/a.m3u8' }] }] },
      'm3u8',
    ],
    [
      'a variant outside the master folder',
      {
        Sources: SRC,
        TargetGroups: [{ URI: 'oss://o/x/master.m3u8', Targets: [{ URI: 'oss://o/y/a.m3u8' }] }],
      },
      'folder',
    ],
    ['malformed JSON', { Sources: '[{"URI":', Targets: [] }, 'Sources'],
  ])('refuses %s', (_name, params, fragment) => {
    const err = errorOf(params as Record<string, unknown>);
    expect(err.httpStatus).toBe(400);
    expect(`${err.code} ${err.message}`).toContain(fragment);
  });

  it('names the failing path precisely', () => {
    const err = errorOf({
      Sources: SRC,
      Targets: [
        { URI: 'oss://o/x', Container: 'mp4', Video: { TranscodeVideo: { Codec: 'h264', GOPSize: 0 } } },
      ],
    });
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toContain('Targets[0].Video.TranscodeVideo.GOPSize');
  });

  it('reports malformed JSON with InvalidJSON', () => {
    expect(errorOf({ Sources: '[{"URI":' }).code).toBe('InvalidJSON');
  });
});
