import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY, videoCodecArgs } from '../../../src/engines/ffmpeg/codec-args.ts';
import { FilterGraph, num, quoteOption } from '../../../src/engines/ffmpeg/filter-graph.ts';
import { animationChain, snapshotFilters, spriteFilters } from '../../../src/engines/ffmpeg/image-filters.ts';
import {
  animationCodec,
  animationOptions,
  imageCodec,
  imageSequenceOptions,
} from '../../../src/engines/ffmpeg/output-options.ts';
import { applyOverlays } from '../../../src/engines/ffmpeg/overlay-filters.ts';
import { buildArgs, type FfmpegPlan } from '../../../src/engines/ffmpeg/plan.ts';
import { runFfmpeg } from '../../../src/engines/ffmpeg/run-ffmpeg.ts';
import { imageSize, makeVideo, probe, regionColor, tempDir } from './media-fixtures.ts';

let dir: string;
let src: string;

beforeAll(async () => {
  dir = await tempDir();
  // 4 s at 25 fps, key frame every second.
  src = await makeVideo(path.join(dir, 'src.mp4'), { seconds: 4, gop: 25, color: 'blue' });
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function files(prefix: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => f.startsWith(prefix)).sort();
}

describe('buildArgs', () => {
  it('maps graph labels in brackets, input streams bare, and numbers stream options by output index', () => {
    const graph = new FilterGraph();
    const v = graph.pipe('0:0', ['scale=w=160:h=120']);
    const plan: FfmpegPlan = {
      inputs: [{ path: '/in/a.mp4', seek: 1.5, duration: 2 }],
      graph,
      outputs: [
        {
          path: '/out/o.mp4',
          format: 'mp4',
          streams: [
            {
              from: v,
              codec: videoCodecArgs({
                codec: 'h264',
                preset: 'veryfast',
                vp9CpuUsed: 4,
                gop: 50,
                bFrames: 2,
                refs: 1,
              }),
            },
            { from: '0:1', codec: COPY, metadata: { language: 'eng' } },
          ],
          options: ['-movflags', '+faststart'],
        },
      ],
    };
    expect(buildArgs(plan)).toEqual([
      ...['-ss', '1.5', '-t', '2', '-i', 'file:/in/a.mp4'],
      ...['-filter_complex', '[0:0]scale=w=160:h=120[x0]'],
      ...[
        '-map',
        '[x0]',
        '-c:0',
        'libx264',
        '-preset:0',
        'veryfast',
        '-crf:0',
        '23',
        '-g:0',
        '50',
        '-bf:0',
        '2',
        '-refs:0',
        '1',
      ],
      ...['-map', '0:1', '-c:1', 'copy', '-metadata:s:1', 'language=eng'],
      ...['-movflags', '+faststart', '-f', 'mp4', '/out/o.mp4'],
    ]);
  });

  it('prints plain decimals', () => {
    expect(num(1 / 3)).toBe('0.333333');
    expect(num(-0)).toBe('0');
    expect(num(1e-7)).toBe('0');
  });
});

describe('filters run by ffmpeg', () => {
  it('quotes option values so hostile text file paths and colours stay inside their option', async () => {
    const nasty = path.join(dir, "it's: a, [weird]; name\\x.txt");
    await fs.writeFile(nasty, 'WM');
    const graph = new FilterGraph();
    const out = applyOverlays(graph, '0:0', [
      {
        kind: 'text',
        textFile: nasty,
        font: 'Noto Sans CJK SC:style=Bold',
        fontSize: 80,
        fontColor: 'white',
        alpha: 1,
        corner: 'bottomright',
        dx: 10,
        dy: 10,
      },
    ]);
    const target = path.join(dir, 'wm.mp4');
    const plan: FfmpegPlan = {
      inputs: [{ path: src }],
      graph,
      outputs: [
        {
          path: target,
          format: 'mp4',
          streams: [
            {
              from: out,
              codec: videoCodecArgs({
                codec: 'h264',
                preset: 'ultrafast',
                vp9CpuUsed: 4,
                gop: 25,
                bFrames: 0,
                refs: 1,
              }),
            },
          ],
          options: [],
        },
      ],
    };
    await runFfmpeg({ args: buildArgs(plan) });
    // White text on blue: the bottom-right corner turns bright, the top-left stays blue.
    const corner = await regionColor(target, { x: 200, y: 150, w: 110, h: 80 });
    const clean = await regionColor(target, { x: 0, y: 0, w: 100, h: 80 });
    expect(corner[0]).toBeGreaterThan(clean[0] + 30);
    expect(clean[2]).toBeGreaterThan(200);
    expect(quoteOption("a'b")).toBe("\\'a\\'\\\\\\'\\'b\\'");
  });

  it('takes one snapshot per interval, numbered from 1, sized as asked', async () => {
    const graph = new FilterGraph();
    const out = graph.pipe(
      '0:0',
      snapshotFilters(
        { mode: 'interval', start: 0.5, interval: 1, count: 0 },
        { width: 80, height: 60, mode: 'stretch' },
      ),
    );
    const plan: FfmpegPlan = {
      inputs: [{ path: src }],
      graph,
      outputs: [
        {
          path: path.join(dir, 'snap-%d.jpg'),
          format: 'image2',
          streams: [{ from: out, codec: imageCodec('jpg') }],
          options: imageSequenceOptions(),
        },
      ],
    };
    await runFfmpeg({ args: buildArgs(plan) });
    // 0.5, 1.5, 2.5, 3.5 s.
    expect(await files('snap-')).toEqual(['snap-1.jpg', 'snap-2.jpg', 'snap-3.jpg', 'snap-4.jpg']);
    expect(await imageSize(path.join(dir, 'snap-1.jpg'))).toEqual({ width: 80, height: 60 });
  });

  it('picks key frames only and stops at the count', async () => {
    const graph = new FilterGraph();
    const out = graph.pipe('0:0', snapshotFilters({ mode: 'keyframe', start: 0, count: 3 }));
    const plan: FfmpegPlan = {
      inputs: [{ path: src }],
      graph,
      outputs: [
        {
          path: path.join(dir, 'key-%d.png'),
          format: 'image2',
          streams: [{ from: out, codec: imageCodec('png') }],
          options: imageSequenceOptions(),
        },
      ],
    };
    await runFfmpeg({ args: buildArgs(plan) });
    expect(await files('key-')).toEqual(['key-1.png', 'key-2.png', 'key-3.png']);
  });

  it('tiles sprite sheets with margin and padding, flushing a partial last sheet', async () => {
    const graph = new FilterGraph();
    const out = graph.pipe(
      '0:0',
      spriteFilters(
        { mode: 'interval', start: 0, interval: 0.5, count: 5 },
        { columns: 2, rows: 2, margin: 3, padding: 2, cell: { width: 40, height: 30, mode: 'stretch' } },
      ),
    );
    const plan: FfmpegPlan = {
      inputs: [{ path: src }],
      graph,
      outputs: [
        {
          path: path.join(dir, 'sprite-%d.jpg'),
          format: 'image2',
          streams: [{ from: out, codec: imageCodec('jpg') }],
          options: imageSequenceOptions(),
        },
      ],
    };
    await runFfmpeg({ args: buildArgs(plan) });
    expect(await files('sprite-')).toEqual(['sprite-1.jpg', 'sprite-2.jpg']);
    expect(await imageSize(path.join(dir, 'sprite-1.jpg'))).toEqual({
      width: 3 * 2 + 2 * 40 + 2,
      height: 3 * 2 + 2 * 30 + 2,
    });
  });

  it('makes a GIF of the picked frames at the asked frame rate', async () => {
    const graph = new FilterGraph();
    const out = animationChain(graph, '0:0', {
      pick: { mode: 'interval', start: 0, interval: 0.2, count: 10 },
      size: { width: 64, height: 48, mode: 'stretch' },
      frameRate: 5,
      format: 'gif',
    });
    const target = path.join(dir, 'anim.gif');
    const plan: FfmpegPlan = {
      inputs: [{ path: src }],
      graph,
      outputs: [
        {
          path: target,
          format: 'gif',
          streams: [{ from: out, codec: animationCodec('gif') }],
          options: animationOptions(),
        },
      ],
    };
    await runFfmpeg({ args: buildArgs(plan) });
    const p = await probe(target, true);
    expect(p.streams[0]!.codec_name).toBe('gif');
    expect(Number(p.streams[0]!.nb_read_frames)).toBe(10);
    expect(p.duration).toBeCloseTo(2, 1);
  });
});
