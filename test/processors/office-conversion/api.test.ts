/**
 * CreateOfficeConversionTask as a new user calls it: Alibaba Cloud's openapi-core client against openimm's
 * HTTP API, sources put in an fs bucket, the task awaited, the outputs and the ExtendedMessageURI file read.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { officePool } from '../../../src/engines/office/index.ts';
import { pageSizes, pdfInfo } from '../../../src/engines/poppler/pdf-info.ts';
import { pdfText } from '../../../src/engines/poppler/pdf-text.ts';
import {
  DOCX_PAGES,
  makeOfficeFixtures,
  SHEET_NAMES,
  SLIDE_CM,
  SLIDES,
} from '../../engines/office/fixtures.ts';
import type { ImmClient, ImmParams } from '../../helpers/imm-clients.ts';
import { makeOfficeClient, type OfficeApp, startOfficeApp, waitTask } from './office-app.ts';

const BUCKET = 'office-in';
let dir: string;
let dataDir: string;
let server: OfficeApp;
let client: ImmClient;

const objectPath = (key: string) => path.join(dataDir, 'oss', BUCKET, key);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  dataDir = path.join(dir, 'data');
  server = await startOfficeApp(dataDir, { poolSize: 1 });
  const fx = await makeOfficeFixtures(dir, officePool());
  await mkdir(objectPath('docs'), { recursive: true });
  for (const [name, file] of [
    ['book.xlsx', fx.xlsx],
    ['deck.pptx', fx.pptx],
    ['report.docx', fx.docx],
    ['broken.docx', fx.garbageDocx],
    ['truncated.docx', fx.truncatedDocx],
  ] as const) {
    await copyFile(file, objectPath(`docs/${name}`));
  }
  client = makeOfficeClient(server.endpoint);
  await client.call('CreateProject', { ProjectName: 'office' });
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Creates the task, awaits it with WaitTask, and reads its final state back with GetTask. */
async function convert(params: ImmParams): Promise<Record<string, any>> {
  const created = await client.call('CreateOfficeConversionTask', { ProjectName: 'office', ...params });
  expect(created.TaskId).toMatch(/^OfficeConversion-/);
  const waited = await waitTask(client, 'office', created.TaskId);
  const task = await client.call('GetTask', {
    ProjectName: 'office',
    TaskId: created.TaskId,
    TaskType: 'OfficeConversion',
  });
  expect(task).toMatchObject({ TaskId: created.TaskId, Status: waited.Status, Code: waited.Code });
  return task;
}

const listed = async (prefix: string) => (await readdir(objectPath(prefix))).sort();

/** Raw pixels and size of an output image. */
async function pixels(file: string) {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { data, info, digest: createHash('sha256').update(data).digest('hex') };
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(cmd, args, (err) => (err ? reject(err) : resolve())));
}

/** Mean absolute difference of two images of the same size (0 = identical). */
function difference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('CreateOfficeConversionTask through openapi-core', () => {
  it('turns a 3-sheet xlsx into one PNG per page, named by sheet', async () => {
    const task = await convert({
      SourceURI: `oss://${BUCKET}/docs/book.xlsx`,
      TargetType: 'png',
      TargetURI: 'oss://{bucket}/out/{barename}/{sheetname}-{index}.{autoext}',
      Notification: { ExtendedMessageURI: `oss://${BUCKET}/messages/book.json` },
    });
    expect(task).toMatchObject({ Status: 'Succeeded', Code: '', Progress: 100 });
    // The same workbook as one PDF, through the API too: its pages are the pages to expect.
    const pdf = await convert({
      SourceURI: `oss://${BUCKET}/docs/book.xlsx`,
      TargetType: 'pdf',
      TargetURI: `oss://${BUCKET}/out/book.{autoext}`,
    });
    expect(pdf.Status).toBe('Succeeded');
    const pdfFile = objectPath('out/book.pdf');
    const { pages } = await pdfInfo(pdfFile);
    const names = (await listed('out/book')).sort(bySheetPage);
    expect(names).toHaveLength(pages);
    const betaPages = pages - 2;
    expect(betaPages).toBeGreaterThan(1);
    expect(names).toEqual([
      `${SHEET_NAMES[0]}-1_1.png`,
      ...Array.from({ length: betaPages }, (_, i) => `${SHEET_NAMES[1]}-2_${i + 1}.png`),
      `${SHEET_NAMES[2]}-3_1.png`,
    ]);
    // Each file is a PNG of its own page, at 96 dpi.
    const sizes = await pageSizes(pdfFile, 1, pages);
    const digests = new Set<string>();
    for (const [i, name] of names.entries()) {
      const file = objectPath(`out/book/${name}`);
      expect((await sharp(file).metadata()).format).toBe('png');
      const { info, digest } = await pixels(file);
      expect(info.width).toBe(Math.ceil((sizes[i]!.width / 72) * 96));
      expect(info.height).toBe(Math.ceil((sizes[i]!.height / 72) * 96));
      digests.add(digest);
    }
    expect(digests.size).toBe(names.length);
    // The notification's ExtendedMessageURI file lists the objects in page order.
    const message = JSON.parse(await readFile(objectPath('messages/book.json'), 'utf8'));
    expect(message.Targets).toEqual(names.map((n) => ({ URI: `oss://${BUCKET}/out/book/${n}` })));
    expect(message.PageCount).toBe(pages);
  });

  it('renders slides 2–4 of a pptx as JPEG at the requested DPI', async () => {
    const task = await convert({
      SourceURI: `oss://${BUCKET}/docs/deck.pptx`,
      TargetType: 'jpg',
      TargetURIPrefix: `oss://${BUCKET}/slides/`,
      StartPage: 2,
      EndPage: 4,
      ImageDPI: 150,
    });
    expect(task.Status).toBe('Succeeded');
    expect(await listed('slides')).toEqual(['2.jpg', '3.jpg', '4.jpg']);
    // The whole deck as a PDF, its slides rendered by pdftoppm alone at the same resolution: each output
    // must look like its own slide and unlike the others.
    await convert({
      SourceURI: `oss://${BUCKET}/docs/deck.pptx`,
      TargetType: 'pdf',
      TargetURI: `oss://${BUCKET}/deck/deck.pdf`,
    });
    const refDir = path.join(dir, 'slides-ref');
    await mkdir(refDir, { recursive: true });
    await run('pdftoppm', [
      '-r',
      '150',
      '-jpeg',
      '-jpegopt',
      'quality=80',
      objectPath('deck/deck.pdf'),
      path.join(refDir, 's'),
    ]);
    const refs = await Promise.all(
      Array.from({ length: SLIDES }, (_, i) => pixels(path.join(refDir, `s-${i + 1}.jpg`))),
    );
    for (const slide of [2, 3, 4]) {
      const file = objectPath(`slides/${slide}.jpg`);
      expect((await sharp(file).metadata()).format).toBe('jpeg');
      const out = await pixels(file);
      // A 28 cm × 15.75 cm slide at 150 dpi.
      expect(out.info.width).toBe(Math.ceil((SLIDE_CM.width / 2.54) * 150));
      expect(out.info.height).toBe(Math.ceil((SLIDE_CM.height / 2.54) * 150));
      const diffs = refs.map((ref) => difference(out.data, ref.data));
      expect(diffs.indexOf(Math.min(...diffs)) + 1).toBe(slide);
    }
  });

  it('converts a docx to PDF and to text', async () => {
    const pdf = await convert({
      SourceURI: `oss://${BUCKET}/docs/report.docx`,
      TargetType: 'pdf',
      TargetURI: `oss://${BUCKET}/pdf/{barename}.{autoext}`,
    });
    expect(pdf.Status).toBe('Succeeded');
    expect(await listed('pdf')).toEqual(['report.pdf']);
    const file = objectPath('pdf/report.pdf');
    expect((await pdfInfo(file)).pages).toBe(DOCX_PAGES.length);
    const text = await pdfText(file, { first: 1, last: DOCX_PAGES.length });
    expect(text.map((t) => t.trim())).toEqual(DOCX_PAGES);
    const txt = await convert({
      SourceURI: `oss://${BUCKET}/docs/report.docx`,
      TargetType: 'txt',
      TargetURI: `oss://${BUCKET}/txt/{barename}-{index}.{autoext}`,
    });
    expect(txt.Status).toBe('Succeeded');
    expect(await listed('txt')).toEqual(['report-1.txt', 'report-2.txt', 'report-3.txt']);
    for (const [i, page] of DOCX_PAGES.entries())
      expect(await readFile(objectPath(`txt/report-${i + 1}.txt`), 'utf8')).toBe(page);
  });

  it('fails a corrupt document with its Code, writes nothing and keeps converting', async () => {
    const garbage = await convert({
      SourceURI: `oss://${BUCKET}/docs/broken.docx`,
      TargetType: 'pdf',
      TargetURIPrefix: `oss://${BUCKET}/broken/`,
    });
    expect(garbage).toMatchObject({ Status: 'Failed', Code: 'InvalidArgument' });
    expect(garbage.Message).toMatch(/not a docx document/);
    const truncated = await convert({
      SourceURI: `oss://${BUCKET}/docs/truncated.docx`,
      TargetType: 'png',
      TargetURIPrefix: `oss://${BUCKET}/broken/`,
    });
    expect(truncated).toMatchObject({ Status: 'Failed', Code: 'InvalidArgument' });
    expect(truncated.Message).toMatch(/cannot be opened/);
    await expect(readdir(objectPath('broken'))).rejects.toMatchObject({ code: 'ENOENT' });
    const after = await convert({
      SourceURI: `oss://${BUCKET}/docs/report.docx`,
      TargetType: 'pdf',
      TargetURIPrefix: `oss://${BUCKET}/after/`,
    });
    expect(after.Status).toBe('Succeeded');
  });

  it('refuses a missing source at create time', async () => {
    await expect(
      client.call('CreateOfficeConversionTask', {
        ProjectName: 'office',
        SourceURI: `oss://${BUCKET}/docs/missing.docx`,
        TargetType: 'pdf',
        TargetURIPrefix: `oss://${BUCKET}/x/`,
      }),
    ).rejects.toMatchObject({ code: 'InvalidArgument', statusCode: 400 });
  });
});

/** "Beta-2_10.png" after "Beta-2_9.png": page order, as the task lists them. */
function bySheetPage(a: string, b: string): number {
  const key = (s: string) => (/-(\d+)_(\d+)\./.exec(s) ?? []).slice(1).map(Number);
  const [as, ap] = key(a);
  const [bs, bp] = key(b);
  return as! - bs! || ap! - bp!;
}
