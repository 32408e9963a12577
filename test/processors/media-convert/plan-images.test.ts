import { describe, expect, it } from 'vitest';
import { defaultMediaConfig } from '../../../src/engines/ffmpeg/config.ts';
import { FilterGraph } from '../../../src/engines/ffmpeg/filter-graph.ts';
import type { Base } from '../../../src/processors/media-convert/plan-base.ts';
import {
  type ImageContext,
  planSnapshot,
  planSprite,
} from '../../../src/processors/media-convert/plan-images.ts';

/** A 60 s 1920x1080 base video, as one plain source gives it. */
function context(): ImageContext {
  const base = {
    concat: false,
    duration: 60,
    video: { take: () => '0:0', width: 1920, height: 1080, frameRate: 30 },
  } as unknown as Base;
  return {
    job: {
      config: defaultMediaConfig,
      tmpDir: '/scratch',
      vars: { barename: 'movie' },
      inputs: [],
      sources: [],
      watermarks: new Map(),
      textFiles: [],
    },
    graph: new FilterGraph(),
    base,
    ref: { width: 1920, height: 1080 },
    outDir: '/scratch/out',
    name: 'snapshot0',
    param: 'Targets.1.Image.Snapshots.1',
  };
}

const framesCap = (options: string[]) => {
  const i = options.indexOf('-frames:v');
  return i < 0 ? undefined : Number(options[i + 1]);
};

describe('image outputs stop ffmpeg once they have their frames', () => {
  it('caps a snapshot sequence at the number of pictures it picks', () => {
    const every3s = planSnapshot(
      context(),
      { URI: 'oss://out-bucket/{index}.jpg', Format: 'jpg', Interval: 3, Number: 20 } as never,
      defaultMediaConfig,
    );
    expect(framesCap(every3s.output.options)).toBe(20);
    // Without Number, the count follows from the duration: 60 s every 7 s is 9 pictures.
    const byDuration = planSnapshot(
      context(),
      { URI: 'oss://out-bucket/{index}.jpg', Format: 'jpg', Interval: 7 } as never,
      defaultMediaConfig,
    );
    expect(framesCap(byDuration.output.options)).toBe(9);
  });

  it('caps a sprite output at the sheets its pictures fill', () => {
    const sprite = planSprite(
      context(),
      {
        URI: 'oss://out-bucket/sprite-{index}.jpg',
        Format: 'jpg',
        Interval: 1,
        Number: 30,
        TileWidth: 5,
        TileHeight: 5,
        ScaleWidth: 160,
        ScaleHeight: 90,
      } as never,
      defaultMediaConfig,
    );
    expect(framesCap(sprite.output.options)).toBe(2);
  });
});
