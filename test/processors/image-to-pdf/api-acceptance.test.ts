/**
 * The acceptance, as a new user would run it: a real `openimm serve` process, the generic
 * Alibaba Cloud client (openapi-core, ACS3), 20 mixed images to one PDF, 5 images spliced horizontally
 * to WebP, and a pixel bomb and a truncated JPEG failing with their Codes.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as f from '../../engines/image/fixtures.ts';
import { type ImmClient, makeImmClient } from '../../helpers/imm-clients.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';
import { pdfPages } from './pdf-inspect.ts';

const KEYS = { accessKeyId: 'LTAIimageacceptance01', accessKeySecret: 'imageacceptancesecret000000001' };
let dir: string;
let server: ServerProcess;
let client: ImmClient;

const object = (key: string) => path.join(dir, 'data', 'oss', 'photos', key);

async function put(key: string, bytes: Buffer) {
  await mkdir(path.dirname(object(key)), { recursive: true });
  await writeFile(object(key), bytes);
}

/** Creates a task and polls GetTask until it ends; returns it and the time from create to end. */
async function runTask(action: string, type: string, params: Record<string, unknown>) {
  const started = performance.now();
  const { TaskId } = await client.call(action, { ProjectName: 'acceptance', ...(params as any) });
  let task: Record<string, any>;
  do {
    await new Promise((resolve) => setTimeout(resolve, 50));
    task = await client.call('GetTask', { ProjectName: 'acceptance', TaskId, TaskType: type });
  } while (task.Status === 'Running');
  return { task, ms: performance.now() - started };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  const kinds: Array<() => Promise<Buffer> | Buffer> = [
    () => f.jpeg(300, 200, { orientation: 6 }),
    () => f.alphaPng(120, 80),
    () => f.bmp(60, 40),
    () => f.tiff(64, 48),
    () => f.webp(50, 70),
    () => f.svg(100, 50),
    () => f.jp2(44, 22),
    () => f.png16(30, 20),
    () => f.jpeg(90, 60),
    () => f.cmykJpeg(40, 40),
  ];
  for (let i = 0; i < 20; i++)
    await put(`mixed/${String(i).padStart(2, '0')}`, await kinds[i % kinds.length]!());
  for (let i = 0; i < 5; i++) await put(`row/${i}.jpg`, await f.jpeg(200 + i * 20, 100));
  await put('bad/bomb.png', await f.pngBomb());
  await put('bad/cut.jpg', f.truncate(await f.jpeg(600, 400), 0.6));
  server = await startServerProcess({
    dataDir: path.join(dir, 'data'),
    env: { OPENIMM_ACCESS_KEY_ID: KEYS.accessKeyId, OPENIMM_ACCESS_KEY_SECRET: KEYS.accessKeySecret },
    timeoutMs: 150_000,
  });
  client = makeImmClient('acs3', server.endpoint, KEYS);
  await client.call('CreateProject', { ProjectName: 'acceptance' });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('image tasks through openapi-core', () => {
  it('turns 20 mixed-format images into one PDF with the right pages and orientations', async () => {
    const sources = Array.from({ length: 20 }, (_, i) => ({
      URI: `oss://photos/mixed/${String(i).padStart(2, '0')}`,
      Rotate: i === 8 ? 270 : 0,
    }));
    const { task } = await runTask('CreateImageToPDFTask', 'ImageToPDF', {
      Sources: sources,
      TargetURI: 'oss://photos/out/{barename}-album.pdf',
    });
    expect(task).toMatchObject({ Status: 'Succeeded', Progress: 100 });
    const pdf = object('out/00-album.pdf');
    const pages = await pdfPages(pdf);
    expect(pages).toHaveLength(20);
    expect(pages[0]).toEqual({ width: 300, height: 200, rot: 90 }); // EXIF orientation 6
    expect(pages[1]).toEqual({ width: 120, height: 80, rot: 0 }); // PNG with alpha
    expect(pages[2]).toEqual({ width: 60, height: 40, rot: 0 }); // BMP
    expect(pages[8]).toEqual({ width: 90, height: 60, rot: 270 }); // Rotate
    expect(execFileSync('pdfimages', ['-list', pdf], { encoding: 'utf8' })).toContain('smask');
    expect((await readFile(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('splices 5 images horizontally with padding and a background colour to WebP', async () => {
    const { task } = await runTask('CreateImageSplicingTask', 'ImageSplicing', {
      Sources: Array.from({ length: 5 }, (_, i) => ({ URI: `oss://photos/row/${i}.jpg` })),
      TargetURI: 'oss://photos/out/row.webp',
      Direction: 'horizontal',
      Padding: 8,
      Margin: 4,
      BackgroundColor: '#00FF00',
      ImageFormat: 'webp',
    });
    expect(task).toMatchObject({ Status: 'Succeeded' });
    const out = await readFile(object('out/row.webp'));
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('webp');
    expect([meta.width, meta.height]).toEqual([200 + 220 + 240 + 260 + 280 + 4 * 8 + 2 * 4, 108]);
    expect(f.near(await f.pixelAt(out, 205, 50), f.GREEN)).toBe(true); // padding after the first image
  });

  it('fails a pixel bomb and a truncated JPEG with their Codes, quickly', async () => {
    const bomb = await runTask('CreateImageToPDFTask', 'ImageToPDF', {
      Sources: [{ URI: 'oss://photos/bad/bomb.png' }],
      TargetURI: 'oss://photos/out/bomb.pdf',
    });
    expect(bomb.task).toMatchObject({ Status: 'Failed', Code: 'LimitExceededError' });
    expect(bomb.task.Message).toMatch(/20000x20000/);
    const cut = await runTask('CreateImageSplicingTask', 'ImageSplicing', {
      Sources: [{ URI: 'oss://photos/bad/cut.jpg' }],
      TargetURI: 'oss://photos/out/cut.jpg',
    });
    expect(cut.task).toMatchObject({ Status: 'Failed', Code: 'InvalidArgument' });
    expect(cut.task.Message).toMatch(/truncated/);
    // Create, queue, fail and commit: well under a second on an idle machine; room left for a busy one.
    expect(Math.max(bomb.ms, cut.ms)).toBeLessThan(5000);
  });
});
