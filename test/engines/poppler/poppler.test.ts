import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectPoppler } from '../../../src/engines/poppler/detect.ts';
import { PdfError } from '../../../src/engines/poppler/errors.ts';
import { pageSizes, parsePageSizes, pdfInfo } from '../../../src/engines/poppler/pdf-info.ts';
import { pdfText } from '../../../src/engines/poppler/pdf-text.ts';
import { planChunks, rasterize } from '../../../src/engines/poppler/rasterize.ts';

let dir: string;
let plain: string;
let locked: string;

/** A PDF with `pages` A4 pages ("Page N" on each) and one US-Letter page at the end. */
async function makePdf(file: string, pages: number, opts: { userPassword?: string } = {}): Promise<void> {
  const doc = new PDFDocument({ autoFirstPage: false, userPassword: opts.userPassword, pdfVersion: '1.7' });
  const done = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    out.on('finish', resolve).on('error', reject);
    doc.pipe(out);
  });
  for (let i = 1; i <= pages; i++) doc.addPage({ size: 'A4' }).fontSize(24).text(`Page ${i}`, 72, 72);
  doc.addPage({ size: 'LETTER' }).fontSize(24).text('Letter page', 72, 72);
  doc.end();
  await done;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  plain = path.join(dir, 'plain.pdf');
  locked = path.join(dir, 'locked.pdf');
  await makePdf(plain, 5);
  await makePdf(locked, 1, { userPassword: 'pw' });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failureKind(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    return err instanceof PdfError ? err.kind : String(err);
  }
}

describe('pdfinfo', () => {
  it('counts pages and reads their sizes', async () => {
    expect(await pdfInfo(plain)).toEqual({ pages: 6, encrypted: false });
    const sizes = await pageSizes(plain, 5, 6);
    expect(sizes.map((s) => s.page)).toEqual([5, 6]);
    expect(sizes[0]!.width).toBeCloseTo(595.28, 1);
    expect(sizes[1]).toMatchObject({ width: 612, height: 792 });
  });

  it('swaps width and height of rotated pages', () => {
    const text =
      'Page    1 size: 100 x 200 pts\nPage    1 rot:  90\nPage    2 size: 100 x 200 pts\nPage    2 rot:  0\n';
    expect(parsePageSizes(text)).toEqual([
      { page: 1, width: 200, height: 100 },
      { page: 2, width: 100, height: 200 },
    ]);
  });

  it('tells a missing or wrong password from a damaged file', async () => {
    expect(await failureKind(pdfInfo(locked))).toBe('password-required');
    expect(await failureKind(pdfInfo(locked, { password: 'nope' }))).toBe('password-wrong');
    expect(await pdfInfo(locked, { password: 'pw' })).toMatchObject({ pages: 2, encrypted: true });
    const junk = path.join(dir, 'junk.pdf');
    await writeFile(junk, Buffer.alloc(5000, 0x41));
    expect(await failureKind(pdfInfo(junk))).toBe('damaged');
  });
});

describe('pdftotext', () => {
  it('returns one string per page of the range', async () => {
    const texts = await pdfText(plain, { first: 2, last: 4 });
    expect(texts).toHaveLength(3);
    expect(texts.map((t) => t.trim())).toEqual(['Page 2', 'Page 3', 'Page 4']);
  });
});

describe('pdftoppm', () => {
  it('renders the requested pages at the requested resolution', async () => {
    const outDir = path.join(dir, 'png');
    const pages = await rasterize({
      pdf: plain,
      pages: [2, 3, 6],
      format: 'png',
      dpi: () => 72,
      outDir,
      parallelism: 2,
    });
    expect(pages.map((p) => p.page)).toEqual([2, 3, 6]);
    // pdftoppm rounds up: an A4 page (595.28 × 841.89 pt) at 72 dpi is 596 × 842 pixels.
    const a4 = await sharp(pages[0]!.path).metadata();
    expect(a4).toMatchObject({ format: 'png', width: 596, height: 842 });
    const letter = await sharp(pages[2]!.path).metadata();
    expect(letter).toMatchObject({ width: 612, height: 792 });
  });

  it('renders JPEG with a quality setting and per-page resolutions', async () => {
    const outDir = path.join(dir, 'jpg');
    const dpi = (page: number) => (page === 1 ? 36 : 144);
    const [low, high] = await rasterize({
      pdf: plain,
      pages: [1, 2],
      format: 'jpg',
      dpi,
      quality: 50,
      outDir,
      parallelism: 2,
    });
    expect(await sharp(low!.path).metadata()).toMatchObject({ format: 'jpeg', width: 298 });
    expect(await sharp(high!.path).metadata()).toMatchObject({ format: 'jpeg', width: 1191 });
  });

  it('opens an encrypted PDF with its password', async () => {
    const outDir = path.join(dir, 'locked');
    const [page] = await rasterize({
      pdf: locked,
      pages: [1],
      format: 'jpg',
      dpi: () => 30,
      outDir,
      parallelism: 1,
      password: 'pw',
    });
    expect((await sharp(page!.path).metadata()).width).toBe(249);
    expect(
      await failureKind(
        rasterize({
          pdf: locked,
          pages: [1],
          format: 'jpg',
          dpi: () => 30,
          outDir: path.join(dir, 'l2'),
          parallelism: 1,
        }),
      ),
    ).toBe('password-required');
  });

  it('stops at once when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = rasterize({
      pdf: plain,
      pages: [1, 2, 3],
      format: 'png',
      dpi: () => 72,
      outDir: path.join(dir, 'aborted'),
      parallelism: 2,
      signal: controller.signal,
    });
    expect(await failureKind(run)).toBe('aborted');
  });

  it('splits runs into chunks for every process and never mixes resolutions', () => {
    const chunks = planChunks([1, 2, 3, 4, 5, 6, 9], (p) => (p === 4 ? 50 : 100), 2);
    expect(chunks).toEqual([
      { first: 1, last: 3, dpi: 100 },
      { first: 4, last: 4, dpi: 50 },
      { first: 5, last: 6, dpi: 100 },
      { first: 9, last: 9, dpi: 100 },
    ]);
  });
});

describe('detectPoppler', () => {
  it('finds the installed tools and their version', async () => {
    const status = await detectPoppler();
    expect(status).toMatchObject({ name: 'poppler', available: true });
    expect(status.version).toMatch(/^\d+\.\d+/);
  });
});
