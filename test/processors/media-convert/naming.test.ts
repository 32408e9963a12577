import { describe, expect, it } from 'vitest';
import {
  compileOutput,
  imageUri,
  relativeUri,
  subtitleUri,
  targetFileUri,
} from '../../../src/processors/media-convert/naming.ts';
import { sourceTemplateVars } from '../../../src/storage/template.ts';

const vars = sourceTemplateVars(
  { uri: 'oss://in-bucket/clips/intro.mov' },
  new Date('2025-03-01T02:10:04Z'),
  { team: 'a' },
);

describe('output naming', () => {
  it('adds the container extension to a target URI without one, and playlist extensions to segmented ones', () => {
    const t = compileOutput('oss://out-bucket/{dirname}/{barename}', 'target', 'URI').render({
      ...vars,
      autoext: 'mp4',
    });
    expect(targetFileUri(t, 'mp4')).toBe('oss://out-bucket/clips/intro.mp4');
    expect(targetFileUri('oss://out-bucket/v/out.mkv', 'mp4')).toBe('oss://out-bucket/v/out.mkv');
    expect(targetFileUri('oss://out-bucket/v/out', 'm3u8', 'hls')).toBe('oss://out-bucket/v/out.m3u8');
    expect(targetFileUri('oss://out-bucket/v/out.ts', 'm3u8', 'hls')).toBe('oss://out-bucket/v/out.m3u8');
    expect(targetFileUri('oss://out-bucket/v/out', 'mpd', 'dash')).toBe('oss://out-bucket/v/out.mpd');
  });

  it('expands {autoext} and {tags.*}', () => {
    const t = compileOutput('oss://out-bucket/{tags.team}/{barename}.{autoext}', 'target', 'URI');
    expect(t.render({ ...vars, autoext: 'flv' })).toBe('oss://out-bucket/a/intro.flv');
  });

  it('names images by {index}, by prefix, or takes a single image as given', () => {
    const make = (uri: string, single: boolean) => ({
      template: compileOutput(uri, 'image', 'URI'),
      vars,
      ext: 'jpg',
      single,
    });
    expect(imageUri(make('oss://out-bucket/s/{barename}-{index}.{autoext}', false), 3)).toBe(
      'oss://out-bucket/s/intro-3.jpg',
    );
    expect(imageUri(make('oss://out-bucket/s/', false), 2)).toBe('oss://out-bucket/s/2.jpg');
    expect(imageUri(make('oss://out-bucket/s/shot.jpg', false), 2)).toBe('oss://out-bucket/s/shot_2.jpg');
    expect(imageUri(make('oss://out-bucket/s/cover.jpg', true), 1)).toBe('oss://out-bucket/s/cover.jpg');
    expect(imageUri(make('oss://out-bucket/s/cover', true), 1)).toBe('oss://out-bucket/s/cover.jpg');
  });

  it('names extracted subtitles by {streamindex} or as IMM documents (<prefix>_<index>.<ext>)', () => {
    const plain = compileOutput('oss://out-bucket/subs/outputSubtitle', 'subtitle', 'URI');
    expect(subtitleUri(plain, vars, 0, 'vtt')).toBe('oss://out-bucket/subs/outputSubtitle_0.vtt');
    const withVar = compileOutput(
      'oss://out-bucket/subs/{barename}.{streamindex}.{autoext}',
      'subtitle',
      'URI',
    );
    expect(subtitleUri(withVar, vars, 1, 'srt')).toBe('oss://out-bucket/subs/intro.1.srt');
  });

  it('refuses variables an operation does not offer', () => {
    expect(() => compileOutput('oss://out-bucket/{index}.mp4', 'target', 'Targets[0].URI')).toThrow(
      /Unknown template variable \{index\}/,
    );
    expect(() => compileOutput('oss://out-bucket/{resolution}.jpg', 'image', 'URI')).toThrow(/resolution/);
    expect(
      compileOutput('oss://out-bucket/hls/{resolution}/v.m3u8', 'variant', 'URI').render({
        ...vars,
        resolution: '640x360',
        autoext: 'm3u8',
      }),
    ).toBe('oss://out-bucket/hls/640x360/v.m3u8');
  });

  it('makes variant paths relative to the master playlist', () => {
    expect(relativeUri('oss://b/hls/master.m3u8', 'oss://b/hls/720/v.m3u8')).toBe('720/v.m3u8');
  });
});
