/**
 * CreateOfficeConversionTask as a new user calls it: Alibaba Cloud's openapi-core client against openimm's
 * HTTP API, sources put in an fs bucket, the task awaited, the outputs and the ExtendedMessageURI file read.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { officePool } from '../../../src/engines/office/index.ts';
import { makeOfficeFixtures } from '../../engines/office/fixtures.ts';
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

async function convert(params: ImmParams): Promise<Record<string, any>> {
  const created = await client.call('CreateOfficeConversionTask', { ProjectName: 'office', ...params });
  expect(created.TaskId).toMatch(/^OfficeConversion-/);
  return waitTask(client, 'office', created.TaskId);
}

const listed = async (prefix: string) => (await readdir(objectPath(prefix))).sort();

describe('CreateOfficeConversionTask through openapi-core', () => {
  it('turns a 3-sheet xlsx into one PNG per page, named by sheet', async () => {
    const task = await convert({
      SourceURI: `oss://${BUCKET}/docs/book.xlsx`,
      TargetType: 'png',
      TargetURI: 'oss://{bucket}/out/{barename}/{sheetname}-{index}.{autoext}',
      Notification: { ExtendedMessageURI: `oss://${BUCKET}/messages/book.json` },
    });
    expect(task).toMatchObject({ Status: 'Succeeded', Code: '', Progress: 100 });
    const names = await listed('out/book');
    expect(names[0]).toBe('Alpha-1_1.png');
    expect(names).toContain('Beta-2_2.png');
    expect(names.at(-1)).toBe('Gamma-3_1.png');
    const message = JSON.parse(await readFile(objectPath('messages/book.json'), 'utf8'));
    expect(message.Targets.map((t: { URI: string }) => t.URI.split('/').pop())).toEqual(
      [...names].sort(bySheetPage),
    );
    expect(message.PageCount).toBe(names.length);
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
    const meta = await sharp(objectPath('slides/2.jpg')).metadata();
    // A 28 cm wide slide at 150 dpi.
    expect(meta.width).toBe(Math.ceil((28 / 2.54) * 150));
  });

  it('converts a docx to PDF and to text', async () => {
    const pdf = await convert({
      SourceURI: `oss://${BUCKET}/docs/report.docx`,
      TargetType: 'pdf',
      TargetURI: `oss://${BUCKET}/pdf/{barename}.{autoext}`,
    });
    expect(pdf.Status).toBe('Succeeded');
    expect((await readFile(objectPath('pdf/report.pdf'))).subarray(0, 5).toString()).toBe('%PDF-');
    const txt = await convert({
      SourceURI: `oss://${BUCKET}/docs/report.docx`,
      TargetType: 'txt',
      TargetURI: `oss://${BUCKET}/txt/{barename}-{index}.{autoext}`,
    });
    expect(txt.Status).toBe('Succeeded');
    expect(await readFile(objectPath('txt/report-2.txt'), 'utf8')).toBe('Second page text.');
  });

  it('fails a corrupt document with InvalidArgument', async () => {
    const task = await convert({
      SourceURI: `oss://${BUCKET}/docs/broken.docx`,
      TargetType: 'pdf',
      TargetURIPrefix: `oss://${BUCKET}/broken/`,
    });
    expect(task).toMatchObject({ Status: 'Failed', Code: 'InvalidArgument' });
    expect(task.Message).toMatch(/not a docx document/);
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
