import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { placedSize, placementFor } from '../../../src/engines/image/orientation.ts';
import * as f from './fixtures.ts';

/** A 4×2 image with a distinct value per pixel, so any mirror or turn shows. */
const W = 4;
const H = 2;
const RAW = Buffer.from(Array.from({ length: W * H }, (_, i) => i * 30));

async function applyPlacement(orientation: number, rotate: number) {
  const p = placementFor(orientation, rotate);
  const { data, info } = await sharp(RAW, { raw: { width: W, height: H, channels: 1 } })
    .flop(p.flip)
    .rotate(p.rotate)
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: [...data], width: info.width, height: info.height };
}

/** The reference: sharp's own EXIF auto-orientation, then the requested clockwise turn. */
async function reference(orientation: number, rotate: number) {
  const tagged = await sharp(RAW, { raw: { width: W, height: H, channels: 1 } })
    .png()
    .withMetadata({ orientation })
    .toBuffer();
  const upright = await sharp(tagged, { autoOrient: true }).png().toBuffer();
  const { data, info } = await sharp(upright)
    .rotate(rotate)
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: [...data], width: info.width, height: info.height };
}

describe('placementFor', () => {
  it('matches EXIF auto-orientation followed by Rotate, for all 8 orientations and 4 turns', async () => {
    for (let orientation = 1; orientation <= 8; orientation++) {
      for (const rotate of [0, 90, 180, 270]) {
        expect(
          await applyPlacement(orientation, rotate),
          `orientation ${orientation} rotate ${rotate}`,
        ).toEqual(await reference(orientation, rotate));
      }
    }
  });

  it('swaps the edges on a quarter turn', () => {
    expect(placedSize(30, 20, placementFor(6, 0))).toEqual({ width: 20, height: 30 });
    expect(placedSize(30, 20, placementFor(6, 90))).toEqual({ width: 30, height: 20 });
    expect(placedSize(30, 20, placementFor(1, 270))).toEqual({ width: 20, height: 30 });
  });

  it('treats a missing or invalid orientation as upright', () => {
    expect(placementFor(undefined, 0)).toEqual({ flip: false, rotate: 0 });
    expect(placementFor(9, 90)).toEqual({ flip: false, rotate: 90 });
    expect(f.RED).toHaveLength(3);
  });
});
