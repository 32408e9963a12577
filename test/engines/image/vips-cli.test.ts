import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError } from '../../../src/engines/image/errors.ts';
import { convertWithVipsCli, detectVipsCli } from '../../../src/engines/image/vips-cli.ts';
import * as f from './fixtures.ts';

let work: { dir: string; cleanup(): Promise<void> };
beforeAll(async () => {
  work = await f.tempDir();
});
afterAll(() => work.cleanup());

const convert = (format: 'bmp' | 'jp2' | 'j2k', input: string, output: string, command = 'vips') =>
  convertWithVipsCli({ command, format, input, output, label: 'src', timeoutMs: 30_000, threads: 1 });

describe('the vips command (second path)', () => {
  it('is detected with BMP and JPEG 2000 loaders, even after sharp has loaded', async () => {
    // Loading sharp sets VIPSHOME in this process, which hides the system command's plugins.
    expect(sharp.versions.vips).toBeTruthy();
    const status = await detectVipsCli();
    expect(status).toMatchObject({ name: 'vips-cli', available: true, formats: ['bmp', 'jp2', 'j2k'] });
    expect(status.version).toMatch(/^\d+\.\d+/);
  });

  it('reports a missing command with the install hint', async () => {
    const status = await detectVipsCli('/nonexistent/vips');
    expect(status.available).toBe(false);
    expect(status.installHint).toMatch(/libvips-tools/);
  });

  it('decodes BMP and JPEG 2000 into files sharp reads, pixels intact', async () => {
    const inputs: Array<['bmp' | 'jp2' | 'j2k', Buffer]> = [
      ['bmp', f.bmp(40, 20)],
      ['jp2', await f.jp2(40, 20)],
      ['j2k', await f.jp2(40, 20, 'j2k')],
    ];
    for (const [format, bytes] of inputs) {
      const input = await f.writeTemp(work.dir, `in.${format}`, bytes);
      const output = path.join(work.dir, `${format}.v`);
      await convert(format, input, output);
      const meta = await sharp(output).metadata();
      expect([meta.width, meta.height], format).toEqual([40, 20]);
      expect(f.near(await f.pixelAt(output, 2, 10), f.RED, 2), format).toBe(true);
      expect(f.near(await f.pixelAt(output, 38, 10), f.BLUE, 2), format).toBe(true);
    }
  });

  it('turns a damaged file into a corrupt-input error and a missing command into engine-missing', async () => {
    const bad = await f.writeTemp(work.dir, 'bad.jp2', f.truncate(await f.jp2(64, 64), 0.3));
    const err = await convert('jp2', bad, path.join(work.dir, 'bad.v')).then(
      () => null,
      (e) => e,
    );
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).kind).toBe('corrupt');
    expect((err as ImageError).message).not.toContain(work.dir);
    // A "BMP" that is something else is never handed to another ImageMagick decoder.
    const posing = await f.writeTemp(
      work.dir,
      'posing.bmp',
      Buffer.concat([Buffer.from('BM'), f.svg(10, 10)]),
    );
    const refused = await convert('bmp', posing, path.join(work.dir, 'posing.v')).then(
      () => null,
      (e) => e,
    );
    expect((refused as ImageError).kind).toBe('corrupt');
    const input = await f.writeTemp(work.dir, 'ok.bmp', f.bmp(4, 4));
    const missing = await convert('bmp', input, path.join(work.dir, 'm.v'), '/nonexistent/vips').then(
      () => null,
      (e) => e,
    );
    expect((missing as ImageError).kind).toBe('engine-missing');
  });

  it('is killed at once when its signal aborts', async () => {
    const input = await f.writeTemp(work.dir, 'big.bmp', f.bmp(3000, 3000));
    const controller = new AbortController();
    const started = Date.now();
    const running = convertWithVipsCli({
      command: 'vips',
      format: 'bmp',
      input,
      output: path.join(work.dir, 'big.v'),
      label: 'big',
      timeoutMs: 30_000,
      threads: 1,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('cancelled')), 20);
    await expect(running).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await readFile(input)).length).toBeGreaterThan(0);
  });
});
