import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOfficeConfig } from '../../../src/engines/office/config.ts';
import { OfficeError } from '../../../src/engines/office/errors.ts';
import { OfficePool } from '../../../src/engines/office/pool.ts';
import { pageSizes, pdfInfo } from '../../../src/engines/poppler/pdf-info.ts';
import { pdfText } from '../../../src/engines/poppler/pdf-text.ts';
import { FIXTURE_PASSWORD, makeOfficeFixtures, type OfficeFixtures, writeSlowCsv } from './fixtures.ts';

const CSV = {
  importFilter: 'Text - txt - csv (StarCalc)',
  importOptions: '44,34,76,1',
  allowTextImport: true,
};

let dir: string;
let pool: OfficePool;
let fx: OfficeFixtures;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  pool = new OfficePool({ ...defaultOfficeConfig, poolSize: 1, maxJobsPerProcess: 0 });
  fx = await makeOfficeFixtures(dir, pool);
});

afterAll(async () => {
  await pool?.close();
  await rm(dir, { recursive: true, force: true });
});

const out = (name: string) => path.join(dir, name);

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    return err instanceof OfficeError ? err.kind : String(err);
  }
}

describe('OfficePool conversions', () => {
  it('converts a docx to PDF and reports its pages', async () => {
    const result = await pool.convert({ input: fx.docx, output: out('a.pdf') });
    expect(result).toMatchObject({ family: 'writer', importFilter: 'MS Word 2007 XML', pageCount: 3 });
    expect((await pdfInfo(out('a.pdf'))).pages).toBe(3);
  });

  it('exports only the selected pages', async () => {
    const result = await pool.convert({ input: fx.docx, output: out('b.pdf'), pages: [[2, -1]] });
    expect(result.exportedPages).toEqual([2, 3]);
    const text = await pdfText(out('b.pdf'), { first: 1, last: 2 });
    expect(text[0]).toContain('Second page text.');
    expect(text[1]).toContain('中文内容');
  });

  it('selects sheets and reports their pages', async () => {
    const result = await pool.convert({
      input: fx.xlsx,
      output: out('c.pdf'),
      editable: true,
      sheets: { start: 2, count: 1 },
    });
    expect(result.sheets).toEqual([{ index: 2, name: 'Beta', pages: expect.any(Number) }]);
    const betaPages = result.sheets![0]!.pages;
    expect(betaPages).toBeGreaterThan(1);
    expect((await pdfInfo(out('c.pdf'))).pages).toBe(betaPages);
  });

  it('puts each sheet on one page with SinglePageSheets', async () => {
    const result = await pool.convert({
      input: fx.xlsx,
      output: out('d.pdf'),
      editable: true,
      calc: { singlePageSheets: true },
    });
    expect(result.sheets?.map((s) => s.pages)).toEqual([1, 1, 1]);
    expect((await pdfInfo(out('d.pdf'))).pages).toBe(3);
  });

  it('prints styled empty cells only when TrimPolicy keeps them, and fits them to the page width', async () => {
    const styled = path.join(dir, 'styled.fods');
    await writeFile(styled, styledSheetFods(30, 300));
    const convert = (calc: object) =>
      pool.convert({ input: styled, output: out('s.pdf'), editable: true, calc });
    expect((await convert({})).pageCount).toBe(1);
    const untrimmed = (await convert({ trim: { emptyCells: false } })).pageCount;
    expect(untrimmed).toBeGreaterThan(4);
    const fitted = (await convert({ trim: { emptyCells: false }, fitToWidth: true })).pageCount;
    expect(fitted).toBeLessThan(untrimmed);
    expect((await convert({ trim: { emptyCells: false }, maxRows: 5, maxCols: 2 })).pageCount).toBe(1);
  });

  it('sets the paper size and orientation of spreadsheets', async () => {
    await pool.convert({
      input: fx.xlsx,
      output: out('t.pdf'),
      editable: true,
      calc: { paperSize: 'A2', landscape: true },
    });
    const [first] = await pageSizes(out('t.pdf'), 1, 1);
    // A2 landscape: 594 mm × 420 mm.
    expect(first!.width).toBeCloseTo((594 / 25.4) * 72, 0);
    expect(first!.height).toBeCloseTo((420 / 25.4) * 72, 0);
  });

  it('tells a missing password from a wrong one, and opens with the right one', async () => {
    expect(await kindOf(pool.convert({ input: fx.passwordDoc, output: out('e.pdf') }))).toBe(
      'password-required',
    );
    expect(
      await kindOf(pool.convert({ input: fx.passwordDoc, output: out('e.pdf'), password: 'nope' })),
    ).toBe('password-wrong');
    const ok = await pool.convert({
      input: fx.passwordDoc,
      output: out('e.pdf'),
      password: FIXTURE_PASSWORD,
    });
    expect(ok.pageCount).toBe(3);
  });

  it('refuses broken documents and keeps the process in service', async () => {
    const before = pool.processes()[0]!.pids.soffice;
    expect(await kindOf(pool.convert({ input: fx.garbageDocx, output: out('f.pdf') }))).toBe(
      'not-a-document',
    );
    expect(await kindOf(pool.convert({ input: fx.truncatedDocx, output: out('f.pdf') }))).toBe('load-failed');
    expect(
      await kindOf(
        pool.convert({ input: fx.xlsx, output: out('f.pdf'), editable: true, sheets: { start: 9 } }),
      ),
    ).toBe('sheet-range');
    expect(await kindOf(pool.convert({ input: fx.docx, output: out('f.pdf'), pages: [[7, 9]] }))).toBe(
      'page-range',
    );
    await pool.convert({ input: fx.odt, output: out('f.pdf') });
    expect(pool.processes()[0]!.pids.soffice).toBe(before);
  });

  it('converts text documents with comments, shown as footnotes with showComments', async () => {
    const doc = path.join(dir, 'commented.fodt');
    await writeFile(doc, commentedFodt());
    await pool.convert({ input: doc, output: out('u.pdf') });
    const [plain] = await pdfText(out('u.pdf'), { first: 1, last: 1 });
    expect(plain).toContain('Body text');
    expect(plain).not.toContain('ReviewerRemark');
    await pool.convert({ input: doc, output: out('u.pdf'), showComments: true });
    const [shown] = await pdfText(out('u.pdf'), { first: 1, last: 1 });
    expect(shown).toContain('Ann: ReviewerRemark');
  });

  it('exports hidden slides, so that slide numbers stay page numbers', async () => {
    const deck = path.join(dir, 'hidden.fodp');
    await writeFile(deck, hiddenSlideFodp());
    const result = await pool.convert({ input: deck, output: out('v.pdf'), pages: [[2, 2]] });
    expect(result).toMatchObject({ pageCount: 3, exportedPages: [2] });
    const [text] = await pdfText(out('v.pdf'), { first: 1, last: 1 });
    expect(text).toContain('Slide 2 hidden');
  });

  it('reads CSV as UTF-8', async () => {
    const csv = path.join(dir, 'utf8.csv');
    await writeFile(csv, 'name,city\nZoë,北京\n');
    await pool.convert({ input: csv, output: out('g.pdf'), editable: true, ...CSV });
    const [text] = await pdfText(out('g.pdf'), { first: 1, last: 1 });
    expect(text).toContain('Zoë');
    expect(text).toContain('北京');
  });

  it('lets documents reach no network address', async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const doc = path.join(dir, 'linked.fodt');
    await writeFile(doc, linkedImageFodt(`http://127.0.0.1:${port}/pixel.png`));
    try {
      await pool.convert({ input: doc, output: out('h.pdf') });
    } finally {
      server.close();
    }
    expect(hits).toBe(0);
  });
});

describe('OfficePool supervision', () => {
  it('replaces a killed LibreOffice and retries its job', async () => {
    const proc = pool.processes()[0]!;
    const killed = proc.pids.soffice!;
    const crashesBefore = pool.stats().crashes;
    const job = pool.convert({ input: fx.pptx, output: out('i.pdf') });
    // Kill the whole LibreOffice process group while the job is in flight.
    process.kill(-killed, 'SIGKILL');
    const result = await job;
    expect(result.pageCount).toBe(5);
    expect((await pdfInfo(out('i.pdf'))).pages).toBe(5);
    expect(pool.stats().crashes).toBe(crashesBefore + 1);
    expect(pool.processes()[0]!.pids.soffice).not.toBe(killed);
  });

  it('times out a document that keeps the converter busy, and the next job succeeds', async () => {
    const slow = path.join(dir, 'slow.csv');
    // far more rows than a converter gets through in the 1 s allowed, on any machine (12,000 took 0.6 s here)
    await writeSlowCsv(slow, 150_000);
    const started = Date.now();
    const kind = await kindOf(
      pool.convert({ input: slow, output: out('j.pdf'), ...CSV }, { timeoutMs: 1000 }),
    );
    expect(kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(8000);
    expect(pool.stats().timeouts).toBe(1);
    const next = await pool.convert({ input: fx.docx, output: out('k.pdf') });
    expect(next.pageCount).toBe(3);
  });

  it('kills the process of an aborted job and keeps serving', async () => {
    const slow = path.join(dir, 'slow.csv');
    const controller = new AbortController();
    const job = pool.convert({ input: slow, output: out('l.pdf'), ...CSV }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    expect(await kindOf(job)).toBe('aborted');
    expect((await pool.convert({ input: fx.odt, output: out('m.pdf') })).pageCount).toBe(3);
  });

  it('restarts a process after maxJobsPerProcess jobs, and stops it when idle', async () => {
    const small = new OfficePool({
      ...defaultOfficeConfig,
      poolSize: 1,
      maxJobsPerProcess: 2,
      idleShutdownMs: 1500,
    });
    try {
      const pids: number[] = [];
      for (let i = 0; i < 3; i++) {
        await small.convert({ input: fx.odt, output: out(`n${i}.pdf`) });
        pids.push(small.processes()[0]?.pids.soffice ?? -1);
      }
      // Jobs 1 and 2 ran on the first process; it was then replaced, and job 3 ran on the new one.
      expect(pids[2]).not.toBe(pids[0]);
      expect(small.stats()).toMatchObject({ completed: 3, started: 2 });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(small.processes()).toEqual([]);
    } finally {
      await small.close();
    }
    expect(small.processes()).toEqual([]);
  });

  it('fails queued jobs when closed', async () => {
    const closing = new OfficePool({ ...defaultOfficeConfig, poolSize: 1 });
    const job = kindOf(closing.convert({ input: fx.odt, output: out('o.pdf') }));
    await closing.close();
    expect(await job).toBe('closed');
    expect(await kindOf(closing.convert({ input: fx.odt, output: out('o.pdf') }))).toBe('closed');
  });

  it('reports an engine that cannot start', async () => {
    const broken = new OfficePool({
      ...defaultOfficeConfig,
      poolSize: 1,
      sofficeCommand: '/nonexistent/soffice',
    });
    try {
      expect(await kindOf(broken.convert({ input: fx.odt, output: out('p.pdf') }))).toBe('unavailable');
    } finally {
      await broken.close();
    }
  });
});

/** A text document with one comment (such a document aborts a LibreOffice without UI files once laid out). */
function commentedFodt(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text><text:p>Body text<office:annotation><dc:creator>Ann</dc:creator><dc:date>2024-01-01T10:00:00</dc:date><text:p>ReviewerRemark</text:p></office:annotation> continues.</text:p></office:text></office:body></office:document>`;
}

function hiddenSlideFodp(): string {
  const slide = (n: number, text: string, style = '') =>
    `<draw:page draw:name="s${n}" ${style} draw:master-page-name="Default"><draw:frame svg:x="2cm" svg:y="2cm" svg:width="20cm" svg:height="3cm"><draw:text-box><text:p>${text}</text:p></draw:text-box></draw:frame></draw:page>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.presentation">
<office:automatic-styles><style:style style:name="dp2" style:family="drawing-page"><style:drawing-page-properties presentation:visibility="hidden"/></style:style></office:automatic-styles>
<office:master-styles><style:master-page style:name="Default"/></office:master-styles>
<office:body><office:presentation>${slide(1, 'Slide 1')}${slide(2, 'Slide 2 hidden', 'draw:style-name="dp2"')}${slide(3, 'Slide 3')}</office:presentation></office:body></office:document>`;
}

/** A sheet whose content is A1:B1 but whose yellow, bordered cells run to `cols` × `rows`. */
function styledSheetFods(cols: number, rows: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles><style:style style:name="ce1" style:family="table-cell"><style:table-cell-properties fo:background-color="#ffff00" fo:border="0.5pt solid #000000"/></style:style></office:automatic-styles>
<office:body><office:spreadsheet><table:table table:name="S">
<table:table-row><table:table-cell office:value-type="string"><text:p>a1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>b1</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="${rows}"><table:table-cell table:style-name="ce1" table:number-columns-repeated="${cols}"/></table:table-row>
</table:table></office:spreadsheet></office:body></office:document>`;
}

function linkedImageFodt(url: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:body><office:text><text:p>Linked: <draw:frame svg:width="3cm" svg:height="3cm"><draw:image xlink:href="${url}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p></office:text></office:body></office:document>`;
}
