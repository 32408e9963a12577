/**
 * OfficeConversion benchmark: the same small and large documents converted to PDF and to PNG through
 * openimm's HTTP API (Alibaba Cloud's openapi-core client, the in-process server with its warm
 * LibreOffice pool), beside a cold `soffice --headless --convert-to pdf` per document in the same run.
 * Prints per-document latency p50/p99, throughput and the ratios, and pdftoppm alone against our
 * page rasterising. Each cold run is measured right before the API run it is compared with (a shared
 * machine's load changes over minutes), and the warm pool alone (no server) shows what the API path costs.
 *
 *   npx tsx bench/office.ts [--small 50] [--large 5] [--large-pages 50] [--pool 2] [--no-cold] [--no-png]
 *   (OPENIMM_LOG_LEVEL=info shows the server's log)
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { officeConfig, officePool } from '../src/engines/office/index.ts';
import { pdfInfo } from '../src/engines/poppler/pdf-info.ts';
import { presentationFodp, textFodt } from '../test/engines/office/fixtures.ts';
import type { ImmClient, ImmParams } from '../test/helpers/imm-clients.ts';
import {
  makeOfficeClient,
  startOfficeApp,
  waitTask,
} from '../test/processors/office-conversion/office-app.ts';

const BUCKET = 'bench';
const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const SMALL = arg('small', 50);
const LARGE = arg('large', 5);
const LARGE_PAGES = arg('large-pages', 50);
const POOL = arg('pool', 2);
const COLD = !args.includes('--no-cold');
const PNG = !args.includes('--no-png');

interface Doc {
  name: string;
  file: string;
}

interface Run {
  latencies: number[];
  wallMs: number;
}

const LOREM =
  'Intelligent media management converts documents at scale. Each page carries a few sentences of plain ' +
  'text, enough for a realistic layout, with numbers such as 12345 and words that wrap across lines. ';

function spreadsheetFods(i: number): string {
  const rows = Array.from(
    { length: 30 },
    (_, r) =>
      `<table:table-row><table:table-cell office:value-type="string"><text:p>item ${i}-${r}</text:p></table:table-cell>` +
      `<table:table-cell office:value-type="float" office:value="${r * i}"><text:p>${r * i}</text:p></table:table-cell></table:table-row>`,
  ).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:body><office:spreadsheet><table:table table:name="Data${i}">${rows}</table:table></office:spreadsheet></office:body></office:document>`;
}

/** 50 small documents (docx, xlsx, pptx in turn) and the large ones, made by the pool's LibreOffice. */
async function makeCorpus(dir: string): Promise<{ small: Doc[]; large: Doc[] }> {
  const pool = officePool();
  const small: Doc[] = [];
  for (let i = 0; i < SMALL; i++) {
    const kind = (['docx', 'xlsx', 'pptx'] as const)[i % 3];
    const src = path.join(dir, `src-${i}.${kind === 'docx' ? 'fodt' : kind === 'xlsx' ? 'fods' : 'fodp'}`);
    const body =
      kind === 'docx'
        ? textFodt([`Document ${i}. ${LOREM}`, `Second page of ${i}. ${LOREM}`])
        : kind === 'xlsx'
          ? spreadsheetFods(i)
          : presentationFodp(2);
    await writeFile(src, body);
    const file = path.join(dir, `small-${i}.${kind}`);
    await pool.convert({ input: src, output: file, format: kind });
    small.push({ name: `small-${i}.${kind}`, file });
  }
  const large: Doc[] = [];
  for (let i = 0; i < LARGE; i++) {
    const src = path.join(dir, `large-${i}.fodt`);
    const pages = Array.from(
      { length: LARGE_PAGES },
      (_, p) => `Chapter ${p + 1} of ${i}. ${LOREM.repeat(12)}`,
    );
    await writeFile(src, textFodt(pages));
    const file = path.join(dir, `large-${i}.docx`);
    await pool.convert({ input: src, output: file, format: 'docx' });
    large.push({ name: `large-${i}.docx`, file });
  }
  return { small, large };
}

function run(cmd: string, argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { maxBuffer: 16 * 1024 * 1024 }, (err) => (err ? reject(err) : resolve()));
  });
}

/** One cold `soffice --convert-to pdf` per document, one after the other, as a script would. */
async function coldCli(docs: Doc[], dir: string): Promise<Run> {
  const profile = pathToFileURL(path.join(dir, 'cold-profile')).href;
  const outDir = path.join(dir, 'cold-out');
  const convert = (file: string) =>
    run('soffice', [
      `-env:UserInstallation=${profile}`,
      '--headless',
      '--convert-to',
      'pdf',
      '--outdir',
      outDir,
      file,
    ]);
  await convert(docs[0]!.file); // profile creation is not part of any run
  const latencies: number[] = [];
  const started = performance.now();
  for (const doc of docs) {
    const t = performance.now();
    await convert(doc.file);
    latencies.push(performance.now() - t);
  }
  return { latencies, wallMs: performance.now() - started };
}

/** The warm pool alone, without the server: every document handed to it at once. */
async function directPool(docs: Doc[], dir: string): Promise<Run> {
  const outDir = path.join(dir, 'direct-out');
  await mkdir(outDir, { recursive: true });
  const started = performance.now();
  const latencies = await Promise.all(
    docs.map(async (doc) => {
      const t = performance.now();
      await officePool().convert({ input: doc.file, output: path.join(outDir, `${doc.name}.pdf`) });
      return performance.now() - t;
    }),
  );
  return { latencies, wallMs: performance.now() - started };
}

const failures: string[] = [];

/** Latency of one task; a failed task is counted and reported, not fatal to the run. */
async function apiTask(client: ImmClient, params: ImmParams): Promise<number> {
  const t = performance.now();
  const { TaskId } = await client.call('CreateOfficeConversionTask', { ProjectName: 'bench', ...params });
  const task = await waitTask(client, 'bench', TaskId);
  if (task.Status !== 'Succeeded')
    failures.push(`${params.SourceURI} → ${params.TargetType}: ${task.Code} ${task.Message}`);
  return performance.now() - t;
}

function taskParams(doc: Doc, target: 'pdf' | 'png', tag: string): ImmParams {
  return {
    SourceURI: `oss://${BUCKET}/in/${doc.name}`,
    TargetType: target,
    TargetURIPrefix: `oss://${BUCKET}/out/${tag}/${doc.name}/`,
  };
}

/** Every document submitted at once (the throughput), then one at a time (the latency). */
async function apiRuns(
  client: ImmClient,
  docs: Doc[],
  target: 'pdf' | 'png',
  tag: string,
): Promise<{ burst: Run; serial: Run }> {
  let started = performance.now();
  const burstLatencies = await Promise.all(
    docs.map((doc) => apiTask(client, taskParams(doc, target, `${tag}-burst`))),
  );
  const burst = { latencies: burstLatencies, wallMs: performance.now() - started };
  const serialLatencies: number[] = [];
  started = performance.now();
  for (const doc of docs)
    serialLatencies.push(await apiTask(client, taskParams(doc, target, `${tag}-serial`)));
  return { burst, serial: { latencies: serialLatencies, wallMs: performance.now() - started } };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const rate = (n: number, r: Run) => n / (r.wallMs / 1000);

function row(label: string, n: number, r: Run): string {
  return `${label.padEnd(38)} p50 ${fmt(quantile(r.latencies, 0.5)).padStart(9)}  p99 ${fmt(quantile(r.latencies, 0.99)).padStart(9)}  ${rate(n, r).toFixed(2).padStart(7)} docs/s`;
}

/** pdftoppm alone against a PDF-to-PNG task through the API, per page, on the large documents. */
async function rasterCheck(client: ImmClient, dir: string, dataDir: string, large: Doc[]): Promise<string[]> {
  const pdfs: Doc[] = [];
  for (const doc of large) {
    const pdf = path.join(dir, `${doc.name}.pdf`);
    await officePool().convert({ input: doc.file, output: pdf });
    const name = `${doc.name}.pdf`;
    await copyFile(pdf, path.join(dataDir, 'oss', BUCKET, 'in', name));
    pdfs.push({ name, file: pdf });
  }
  let pages = 0;
  for (const pdf of pdfs) pages += (await pdfInfo(pdf.file)).pages;
  const alone = async (processes: number) => {
    const t = performance.now();
    for (const pdf of pdfs) {
      const { pages: n } = await pdfInfo(pdf.file);
      const per = Math.ceil(n / processes);
      await Promise.all(
        Array.from({ length: processes }, async (_, i) => {
          const out = path.join(dir, 'ppm', `${processes}`, pdf.name, String(i));
          await mkdir(out, { recursive: true });
          const first = i * per + 1;
          const last = Math.min(n, first + per - 1);
          await run('pdftoppm', [
            '-r',
            '96',
            '-f',
            `${first}`,
            '-l',
            `${last}`,
            '-png',
            pdf.file,
            `${out}/p`,
          ]);
        }),
      );
    }
    return performance.now() - t;
  };
  const parallel = officeConfig().rasterParallelism;
  const oneMs = await alone(1);
  const splitMs = await alone(parallel);
  const api = performance.now();
  for (const pdf of pdfs) await apiTask(client, taskParams(pdf, 'png', 'raster'));
  const apiMs = performance.now() - api;
  const perPage = (ms: number) => `${(ms / pages).toFixed(1)} ms/page`;
  return [
    `pdftoppm -r 96 -png alone, 1 process          ${perPage(oneMs)} over ${pages} pages`,
    `pdftoppm -r 96 -png alone, ${parallel} processes         ${perPage(splitMs)} (pages split as a task splits them)`,
    `PDF to PNG through the API, 96 dpi, one task   ${perPage(apiMs)} at a time: ` +
      `${(oneMs / apiMs).toFixed(2)}× pdftoppm's speed (1 process), ${(splitMs / apiMs).toFixed(2)}× (${parallel} processes)`,
  ];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-bench-'));
  const dataDir = path.join(dir, 'data');
  const server = await startOfficeApp(dataDir, {
    poolSize: POOL,
    logLevel: process.env.OPENIMM_LOG_LEVEL ?? 'silent',
  });
  try {
    await officePool().warmUp();
    console.log(
      `corpus: ${SMALL} small and ${LARGE} large (${LARGE_PAGES}-page) documents; ${POOL} warm processes`,
    );
    const { small, large } = await makeCorpus(dir);
    await mkdir(path.join(dataDir, 'oss', BUCKET, 'in'), { recursive: true });
    for (const doc of [...small, ...large])
      await copyFile(doc.file, path.join(dataDir, 'oss', BUCKET, 'in', doc.name));
    const client = makeOfficeClient(server.endpoint);
    await client.call('CreateProject', { ProjectName: 'bench' });
    await apiTask(client, taskParams(small[0]!, 'pdf', 'warmup'));

    const lines: string[] = [`load average before: ${loadavg()}`];
    for (const [label, docs] of [
      ['small', small],
      ['large', large],
    ] as const) {
      // The cold baseline right before the runs it is compared with.
      const base = COLD ? await coldCli(docs, dir) : undefined;
      const direct = await directPool(docs, dir);
      const { burst, serial } = await apiRuns(client, docs, 'pdf', `pdf-${label}`);
      if (base) lines.push(row(`cold soffice --convert-to pdf, ${label}`, docs.length, base));
      lines.push(row(`warm pool alone (no server), ${label}`, docs.length, direct));
      lines.push(row(`API pdf, ${label}, all at once`, docs.length, burst));
      lines.push(row(`API pdf, ${label}, one at a time`, docs.length, serial));
      if (base) {
        const ratio = rate(docs.length, burst) / rate(docs.length, base);
        const directRatio = rate(docs.length, direct) / rate(docs.length, base);
        const goal = label === 'small' ? 12 : 2;
        lines.push(
          `  => API ${ratio.toFixed(1)}× the cold CLI's throughput (goal ≥ ${goal}×: ${ratio >= goal ? 'met' : 'NOT met'}); ` +
            `warm pool alone ${directRatio.toFixed(1)}×`,
        );
      }
    }
    if (PNG) {
      for (const [label, docs] of [
        ['small', small],
        ['large', large],
      ] as const) {
        const { burst, serial } = await apiRuns(client, docs, 'png', `png-${label}`);
        lines.push(row(`API png, ${label}, all at once`, docs.length, burst));
        lines.push(row(`API png, ${label}, one at a time`, docs.length, serial));
      }
    }
    lines.push(...(await rasterCheck(client, dir, dataDir, large)));
    console.log(lines.join('\n'));
    if (failures.length > 0) console.log(`${failures.length} tasks failed:\n  ${failures.join('\n  ')}`);
    const written = await readdir(path.join(dataDir, 'oss', BUCKET, 'out'));
    console.log(
      `(${written.length} output folders written; machine: ${os.cpus().length} cores; load average after: ${loadavg()})`,
    );
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
