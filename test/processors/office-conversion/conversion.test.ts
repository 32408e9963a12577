import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOfficeConfig, type OfficeConfig } from '../../../src/engines/office/config.ts';
import { OfficePool } from '../../../src/engines/office/pool.ts';
import { pdfInfo } from '../../../src/engines/poppler/pdf-info.ts';
import { makeOfficeConversionProcessor } from '../../../src/processors/office-conversion/index.ts';
import { officeConversionParamsSchema } from '../../../src/processors/office-conversion/params.ts';
import { parseParams } from '../../../src/processors/params.ts';
import { TaskError } from '../../../src/processors/task-error.ts';
import type { TaskOutcome } from '../../../src/processors/types.ts';
import { BETA_ROWS, FIXTURE_PASSWORD, makeOfficeFixtures } from '../../engines/office/fixtures.ts';
import { makeCreateContext, makeRunContext } from '../../helpers/run-context.ts';
import { makeTestStorage, type TestStorage } from '../../helpers/storage.ts';

const IN = 'oss://in-bucket/docs';
let dir: string;
let pool: OfficePool;
let storage: TestStorage;
let config: OfficeConfig = defaultOfficeConfig;
const processor = makeOfficeConversionProcessor({
  convert: (req, opts) => pool.convert(req, opts),
  config: () => config,
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  pool = new OfficePool({ ...defaultOfficeConfig, poolSize: 1 });
  storage = await makeTestStorage();
  const fx = await makeOfficeFixtures(dir, pool);
  const upload: Array<[string, string]> = [
    ['report.docx', fx.docx],
    ['book.xlsx', fx.xlsx],
    ['deck.pptx', fx.pptx],
    ['notes.odt', fx.odt],
    ['locked.doc', fx.passwordDoc],
    ['table.csv', fx.csv],
    ['report.pdf', fx.pdf],
    ['broken.docx', fx.garbageDocx],
  ];
  for (const [name, file] of upload) await storage.put(`${IN}/${name}`, await readFile(file));
  await storage.put('oss://out-bucket/.keep', '');
});

afterAll(async () => {
  await pool?.close();
  await storage?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function convert(
  params: Record<string, unknown>,
  limits: { officeTimeoutMs?: number } = {},
): Promise<TaskOutcome> {
  const p = parseParams(officeConversionParamsSchema, params);
  await processor.validate(p, makeCreateContext(storage.scoped));
  const ctx = makeRunContext(storage.scoped, { taskType: 'OfficeConversion' });
  ctx.limits.officeTimeoutMs = limits.officeTimeoutMs ?? ctx.limits.officeTimeoutMs;
  try {
    const outcome = await processor.run(p, ctx);
    // Progress only grows, and the scratch folder is left for the engine to remove.
    expect([...ctx.progressValues].sort((a, b) => a - b)).toEqual(ctx.progressValues);
    return outcome;
  } finally {
    await ctx.cleanup();
  }
}

async function failure(
  params: Record<string, unknown>,
  limits?: { officeTimeoutMs?: number },
): Promise<string> {
  try {
    await convert(params, limits);
    return 'ok';
  } catch (err) {
    if (err instanceof TaskError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

const targets = (o: TaskOutcome) => ((o.content?.Targets ?? []) as Array<{ URI: string }>).map((t) => t.URI);

async function imageSize(uri: string) {
  const meta = await sharp(await storage.get(uri)).metadata();
  return { format: meta.format, width: meta.width, height: meta.height };
}

/** pdftoppm rounds up: width in pixels of `points` at `dpi`. */
const px = (points: number, dpi: number) => Math.ceil((points * dpi) / 72 - 1e-6);
const A4 = { width: 595.304, height: 841.89 };

describe('OfficeConversion to images', () => {
  it('gives one PNG per spreadsheet page, named by sheet', async () => {
    const outcome = await convert({
      SourceURI: `${IN}/book.xlsx`,
      TargetType: 'png',
      TargetURI: 'oss://{bucket}/out/{barename}/{sheetname}-{index}.{autoext}',
    });
    const uris = targets(outcome);
    expect(uris[0]).toBe('oss://in-bucket/out/book/Alpha-1_1.png');
    expect(uris.at(-1)).toBe('oss://in-bucket/out/book/Gamma-3_1.png');
    const beta = uris.filter((u) => u.includes('/Beta-2_'));
    expect(beta.length).toBeGreaterThan(1);
    expect(beta).toEqual(beta.map((_, i) => `oss://in-bucket/out/book/Beta-2_${i + 1}.png`));
    expect(await storage.list('oss://in-bucket/out/book/')).toEqual([...uris].sort());
    expect(outcome.content?.PageCount).toBe(uris.length);
    // Default 96 dpi on A4.
    expect(await imageSize(uris[0]!)).toEqual({
      format: 'png',
      width: px(A4.width, 96),
      height: px(A4.height, 96),
    });
  });

  it('converts slides 2–4 to JPEG at the requested DPI under a prefix', async () => {
    const outcome = await convert({
      SourceURI: `${IN}/deck.pptx`,
      TargetType: 'jpg',
      TargetURIPrefix: 'oss://out-bucket/slides/',
      StartPage: '2',
      EndPage: '4',
      ImageDPI: '150',
      Quality: '70',
    });
    expect(targets(outcome)).toEqual(['2', '3', '4'].map((i) => `oss://out-bucket/slides/${i}.jpg`));
    // 28 cm × 15.75 cm slides.
    expect(await imageSize('oss://out-bucket/slides/3.jpg')).toEqual({
      format: 'jpeg',
      width: px(793.7, 150),
      height: px(446.5, 150),
    });
  });

  it('honours a page list and ScalePercentage on a PDF source', async () => {
    const outcome = await convert({
      SourceURI: `${IN}/report.pdf`,
      TargetType: 'png',
      TargetURI: 'oss://out-bucket/pdfpages/{index}.{autoext}',
      Pages: '1,3',
      ImageDPI: '200',
      ScalePercentage: '50',
    });
    expect(targets(outcome)).toEqual(['oss://out-bucket/pdfpages/1.png', 'oss://out-bucket/pdfpages/3.png']);
    expect((await imageSize('oss://out-bucket/pdfpages/3.png')).width).toBe(px(A4.width, 100));
  });

  it('joins pages into one long picture', async () => {
    const outcome = await convert({
      SourceURI: `${IN}/report.docx`,
      TargetType: 'jpg',
      TargetURI: 'oss://out-bucket/long/{barename}.{autoext}',
      LongPicture: 'true',
    });
    expect(targets(outcome)).toEqual(['oss://out-bucket/long/report.jpg']);
    const size = await imageSize('oss://out-bucket/long/report.jpg');
    expect(size.width).toBe(px(A4.width, 96));
    expect(size.height).toBe(3 * px(A4.height, 96));
  });

  it('makes one long picture per sheet, or only the first with FirstPage', async () => {
    const all = await convert({
      SourceURI: `${IN}/book.xlsx`,
      TargetType: 'png',
      TargetURIPrefix: 'oss://out-bucket/sheets/',
      LongPicture: 'true',
    });
    expect(targets(all)).toEqual(['1_1', '2_1', '3_1'].map((i) => `oss://out-bucket/sheets/${i}.png`));
    // Beta's rows all land on one tall page.
    const beta = await imageSize('oss://out-bucket/sheets/2_1.png');
    expect(beta.height!).toBeGreaterThan(px(A4.height, 96));
    const first = await convert({
      SourceURI: `${IN}/book.xlsx`,
      TargetType: 'png',
      TargetURIPrefix: 'oss://out-bucket/first/',
      LongPicture: 'true',
      FirstPage: 'true',
      MaxSheetRow: String(BETA_ROWS / 2),
    });
    expect(targets(first)).toEqual(['oss://out-bucket/first/1_1.png']);
  });

  it('selects sheets with SheetIndex and SheetCount', async () => {
    const outcome = await convert({
      SourceURI: `${IN}/book.xlsx`,
      TargetType: 'jpg',
      TargetURI: 'oss://out-bucket/pick/{sheetname}_{index}.jpg',
      SheetIndex: '3',
      SheetCount: '1',
    });
    expect(targets(outcome)).toEqual(['oss://out-bucket/pick/Gamma_3_1.jpg']);
  });
});

describe('OfficeConversion to PDF and text', () => {
  it('converts a docx to one PDF', async () => {
    const outcome = await convert({
      SourceURI: `${IN}/report.docx`,
      TargetType: 'pdf',
      TargetURI: 'oss://out-bucket/pdf/{barename}.{autoext}',
      UserData: 'ignored here',
    });
    expect(outcome.content).toEqual({
      SourceURI: `${IN}/report.docx`,
      TargetType: 'pdf',
      TargetURI: 'oss://out-bucket/pdf/{barename}.{autoext}',
      TargetURIPrefix: '',
      Targets: [{ URI: 'oss://out-bucket/pdf/report.pdf' }],
      PageCount: 3,
    });
    const file = path.join(dir, 'got.pdf');
    await writeFile(file, await storage.get('oss://out-bucket/pdf/report.pdf'));
    expect((await pdfInfo(file)).pages).toBe(3);
  });

  it('converts CSV and ODT sources', async () => {
    const csv = await convert({
      SourceURI: `${IN}/table.csv`,
      TargetType: 'txt',
      TargetURIPrefix: 'oss://out-bucket/csv/',
    });
    const text = (await storage.get(targets(csv)[0]!)).toString('utf8');
    expect(text).toContain('apple');
    expect(text).toContain('pear');
    const odt = await convert({
      SourceURI: `${IN}/notes.odt`,
      TargetType: 'pdf',
      TargetURIPrefix: 'oss://out-bucket/odt/',
    });
    expect(targets(odt)).toEqual(['oss://out-bucket/odt/1.pdf']);
  });

  it('writes the text of each page, or one file with LongText', async () => {
    const perPage = await convert({
      SourceURI: `${IN}/report.docx`,
      TargetType: 'txt',
      TargetURI: 'oss://out-bucket/txt/{index}.{autoext}',
    });
    expect(targets(perPage)).toHaveLength(3);
    expect((await storage.get('oss://out-bucket/txt/2.txt')).toString('utf8')).toBe('Second page text.');
    expect((await storage.get('oss://out-bucket/txt/3.txt')).toString('utf8')).toBe('第三页 中文内容');
    const long = await convert({
      SourceURI: `${IN}/report.docx`,
      TargetType: 'txt',
      TargetURI: 'oss://out-bucket/txt/all.txt',
      LongText: 'true',
      HoldLineFeed: 'true',
    });
    expect((await storage.get(targets(long)[0]!)).toString('utf8')).toBe(
      'First page text.\nSecond page text.\n第三页 中文内容',
    );
  });
});

describe('OfficeConversion failures', () => {
  it('fails a corrupt document with InvalidArgument', async () => {
    expect(
      await failure({
        SourceURI: `${IN}/broken.docx`,
        TargetType: 'pdf',
        TargetURIPrefix: 'oss://out-bucket/broken/',
      }),
    ).toMatch(/^InvalidArgument: The file is not a docx document/);
    expect(await storage.list('oss://out-bucket/broken/')).toEqual([]);
  });

  it('needs the right Password for a protected document', async () => {
    const params = {
      SourceURI: `${IN}/locked.doc`,
      TargetType: 'pdf',
      TargetURIPrefix: 'oss://out-bucket/locked/',
    };
    expect(await failure(params)).toMatch(/^InvalidArgument: The document is password-protected/);
    expect(await failure({ ...params, Password: 'wrong' })).toMatch(
      /^InvalidArgument: The Password does not open/,
    );
    const ok = await convert({ ...params, Password: FIXTURE_PASSWORD });
    expect(targets(ok)).toEqual(['oss://out-bucket/locked/1.pdf']);
  });

  it('fails a page selection outside the document', async () => {
    expect(
      await failure({
        SourceURI: `${IN}/report.docx`,
        TargetType: 'png',
        TargetURIPrefix: 'oss://out-bucket/x/',
        StartPage: '9',
      }),
    ).toMatch(/^InvalidArgument: .*3 pages/);
    expect(
      await failure({
        SourceURI: `${IN}/report.pdf`,
        TargetType: 'png',
        TargetURIPrefix: 'oss://out-bucket/x/',
        Pages: '5-6',
      }),
    ).toMatch(/^InvalidArgument: .*3 pages/);
  });

  it('refuses to write several outputs to one object', async () => {
    expect(
      await failure({
        SourceURI: `${IN}/report.docx`,
        TargetType: 'png',
        TargetURI: 'oss://out-bucket/same/page.png',
      }),
    ).toMatch(/^InvalidArgument: TargetURI names the same object/);
    expect(await storage.list('oss://out-bucket/same/')).toEqual([]);
  });

  it('limits the pages of one task', async () => {
    config = { ...defaultOfficeConfig, maxOutputPages: 2 };
    try {
      expect(
        await failure({
          SourceURI: `${IN}/report.pdf`,
          TargetType: 'jpg',
          TargetURIPrefix: 'oss://out-bucket/lim/',
        }),
      ).toMatch(/^LimitExceededError: /);
    } finally {
      config = defaultOfficeConfig;
    }
  });

  it('ends with InternalError past the task time limit', async () => {
    expect(
      await failure(
        {
          SourceURI: `${IN}/report.pdf`,
          TargetType: 'png',
          TargetURIPrefix: 'oss://out-bucket/slow/',
          ImageDPI: '600',
        },
        { officeTimeoutMs: 50 },
      ),
    ).toMatch(/^InternalError: The conversion did not finish within/);
    expect(await storage.list('oss://out-bucket/slow/')).toEqual([]);
  });
});
