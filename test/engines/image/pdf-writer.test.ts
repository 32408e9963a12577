import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJpegHeader } from '../../../src/engines/image/jpeg-header.ts';
import { PdfImageWriter, type PdfPage } from '../../../src/engines/image/pdf-writer.ts';
import * as f from './fixtures.ts';

const run = promisify(execFile);
let work: { dir: string; cleanup(): Promise<void> };
beforeAll(async () => {
  work = await f.tempDir();
});
afterAll(() => work.cleanup());

function jpegPage(data: Buffer): PdfPage {
  const h = parseJpegHeader(data, 'x');
  return {
    image: { kind: 'dct', width: h.width, height: h.height, components: 3, invertCmyk: false, data },
    placement: { flip: false, rotate: 0 },
    scale: 1,
  };
}

/** A consumer that takes `delayMs` per chunk and records the most bytes ever waiting for it. */
function slowSink(delayMs: number) {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      setTimeout(cb, delayMs);
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

describe('PdfImageWriter', () => {
  it('waits for a slow consumer instead of buffering the document', async () => {
    // ~300 KB of JPEG per page, 40 pages: 12 MB of output against a 4 MB high-water mark.
    const noisy = await sharp({
      create: {
        width: 600,
        height: 600,
        channels: 3,
        background: 'gray',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .jpeg({ quality: 100 })
      .toBuffer();
    expect(noisy.length).toBeGreaterThan(250_000);
    const writer = await PdfImageWriter.create();
    const { sink, bytes } = slowSink(1);
    const done = pipeline(writer.stream, sink);
    let peak = 0;
    for (let i = 0; i < 40; i++) {
      writer.addPage(jpegPage(noisy));
      await writer.waitForRoom();
      peak = Math.max(peak, (writer as any).doc.readableLength + writer.stream.readableLength);
    }
    writer.end();
    await done;
    expect(peak).toBeLessThan(4 * 1024 * 1024 + 2 * noisy.length);
    const file = path.join(work.dir, 'slow.pdf');
    await writeFile(file, bytes());
    expect((await run('pdfinfo', [file])).stdout).toMatch(/^Pages:\s+40$/m);
  });

  it('uses UserUnit for pages beyond the 14,400-unit limit of viewers', async () => {
    const writer = await PdfImageWriter.create();
    const { sink, bytes } = slowSink(0);
    const done = pipeline(writer.stream, sink);
    const page = jpegPage(await f.jpeg(8, 8));
    writer.addPage({ ...page, image: { ...page.image, width: 30_000, height: 100 } });
    writer.end();
    await done;
    const text = bytes().toString('latin1');
    expect(text).toMatch(/\/UserUnit 3/);
    expect(text).toMatch(/\/MediaBox \[0 0 10000 33\.33\d*\]/);
  });

  it('fails the output stream when aborted, so no partial PDF is kept', async () => {
    const writer = await PdfImageWriter.create();
    const { sink } = slowSink(0);
    const done = pipeline(writer.stream, sink);
    const page = jpegPage(await f.jpeg(8, 8));
    writer.addPage(page);
    writer.abort(new Error('source failed'));
    await expect(done).rejects.toThrow('source failed');
    expect(() => writer.addPage(page)).toThrow('source failed');
    await expect(writer.waitForRoom()).rejects.toThrow('source failed');
  });
});
