import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFfmpeg, ffmpegEncoders, parseEncoderList } from '../../../src/engines/ffmpeg/detect.ts';
import { FfmpegError } from '../../../src/engines/ffmpeg/errors.ts';
import { displaySize, parseProbeJson, streamsOf } from '../../../src/engines/ffmpeg/media-info.ts';
import { probeMedia } from '../../../src/engines/ffmpeg/probe.ts';
import { makeAudio, makeRotated, makeVideoWithSubtitles, tempDir } from './media-fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('probeMedia', () => {
  it('reads streams, languages and durations', async () => {
    const info = await probeMedia(await makeVideoWithSubtitles(dir));
    expect(info.formatName).toContain('matroska');
    expect(info.duration).toBeCloseTo(2, 0);
    expect(streamsOf(info, 'video')[0]).toMatchObject({
      codec: 'h264',
      width: 320,
      height: 240,
      frameRate: 25,
    });
    expect(streamsOf(info, 'audio')[0]).toMatchObject({ codec: 'flac', sampleRate: 44100, channels: 1 });
    expect(streamsOf(info, 'subtitle').map((s) => [s.codec, s.language])).toEqual([
      ['subrip', 'eng'],
      ['subrip', 'fra'],
    ]);
  });

  it('swaps the display size of a rotated clip', async () => {
    const info = await probeMedia(await makeRotated(path.join(dir, 'rot.mp4')));
    const v = streamsOf(info, 'video')[0]!;
    expect(v.rotation % 180).toBe(90);
    expect(displaySize(v)).toEqual({ width: 240, height: 320 });
  });

  it('sees an audio-only file', async () => {
    const info = await probeMedia(await makeAudio(path.join(dir, 'a.mp3')));
    expect(streamsOf(info, 'video')).toEqual([]);
    expect(streamsOf(info, 'audio')[0]!.codec).toBe('mp3');
  });

  it('fails on a file that is not media, and on an empty one', async () => {
    const text = path.join(dir, 'notes.mp4');
    await fs.writeFile(text, 'this is not a video at all\n'.repeat(100));
    const empty = path.join(dir, 'empty.mp4');
    await fs.writeFile(empty, '');
    for (const f of [text, empty]) {
      const err = await probeMedia(f).catch((e) => e);
      expect(err).toBeInstanceOf(FfmpegError);
      expect(err.reason).toBe('invalid-data');
    }
  });

  it('ignores absurd frame rates and keeps unknown codecs visible', () => {
    const info = parseProbeJson({
      format: { format_name: 'x', duration: 'N/A' },
      streams: [
        {
          index: 0,
          codec_type: 'video',
          r_frame_rate: '90000/1',
          avg_frame_rate: '0/0',
          width: 10,
          height: 10,
        },
      ],
    });
    expect(info.duration).toBeUndefined();
    expect(info.streams[0]).toMatchObject({ codec: 'unknown', frameRate: undefined, rotation: 0 });
  });
});

describe('detection', () => {
  it('finds ffmpeg with a version and its encoders', async () => {
    const status = await detectFfmpeg();
    expect(status).toMatchObject({ name: 'ffmpeg', available: true });
    expect(status.version).toMatch(/^\d/);
    const enc = await ffmpegEncoders();
    expect(enc.has('libx264')).toBe(true);
    expect(enc.has('aac')).toBe(true);
  });

  it('reports a missing binary with the install command', async () => {
    const status = await detectFfmpeg({ ffmpegCommand: 'no-such-ffmpeg' });
    expect(status.available).toBe(false);
    expect(status.installHint).toContain('apt-get install');
  });

  it('parses the encoder list', () => {
    expect([
      ...parseEncoderList(' V....D libx264              libx264 H.264\n A..... aac   AAC\n ------\n'),
    ]).toEqual(['libx264', 'aac']);
  });
});
