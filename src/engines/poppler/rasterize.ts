/**
 * PDF pages to images with `pdftoppm`. PNG encoding dominates the cost (~290 ms per A4 page at 150 dpi
 * against ~16 ms for JPEG, measured), so the pages are split into contiguous chunks rendered by
 * `parallelism` pdftoppm processes at once; each process streams its pages to files.
 */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PdfError } from './errors.ts';
import { passwordArgs, runTool, toolFailure } from './run-tool.ts';

export type RasterFormat = 'png' | 'jpg';

export interface RasterOptions {
  pdf: string;
  /** Page numbers of `pdf` to render, any order (rendered once each). */
  pages: number[];
  format: RasterFormat;
  /** Resolution per page (lets a huge page be rendered smaller than the rest). */
  dpi: (page: number) => number;
  /** JPEG quality 0–100. */
  quality?: number;
  outDir: string;
  parallelism: number;
  password?: string;
  signal?: AbortSignal;
  /** Per pdftoppm process. */
  timeoutMs?: number;
  command?: string;
}

export interface RasterPage {
  page: number;
  path: string;
}

interface Chunk {
  first: number;
  last: number;
  dpi: number;
}

export async function rasterize(opts: RasterOptions): Promise<RasterPage[]> {
  const pages = [...new Set(opts.pages)].sort((a, b) => a - b);
  if (pages.length === 0) return [];
  const chunks = planChunks(pages, opts.dpi, Math.max(1, opts.parallelism));
  const found = new Map<number, string>();
  // The first failure stops the other pdftoppm processes too.
  const failFast = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, failFast.signal]) : failFast.signal;
  await runLimited(chunks, opts.parallelism, async (chunk, i) => {
    const dir = path.join(opts.outDir, `chunk-${i}`);
    await mkdir(dir, { recursive: true });
    try {
      for (const r of await renderChunk({ ...opts, signal }, chunk, dir)) found.set(r.page, r.path);
    } catch (err) {
      failFast.abort();
      throw err;
    }
  });
  return pages.map((page) => {
    const file = found.get(page);
    if (!file) throw new PdfError('failed', `pdftoppm did not render page ${page}.`);
    return { page, path: file };
  });
}

/** Contiguous runs of the same resolution, cut so that there is work for every process. */
export function planChunks(pages: number[], dpi: (page: number) => number, parallelism: number): Chunk[] {
  const runs: Chunk[] = [];
  for (const page of pages) {
    const d = dpi(page);
    const last = runs[runs.length - 1];
    if (last && last.last === page - 1 && last.dpi === d) last.last = page;
    else runs.push({ first: page, last: page, dpi: d });
  }
  const target = Math.max(1, Math.ceil(pages.length / parallelism));
  const chunks: Chunk[] = [];
  for (const run of runs) {
    for (let first = run.first; first <= run.last; first += target) {
      chunks.push({ first, last: Math.min(run.last, first + target - 1), dpi: run.dpi });
    }
  }
  return chunks;
}

async function renderChunk(opts: RasterOptions, chunk: Chunk, dir: string): Promise<RasterPage[]> {
  const format =
    opts.format === 'jpg' ? ['-jpeg', '-jpegopt', `quality=${clampQuality(opts.quality ?? 80)}`] : ['-png'];
  const args = [
    ...passwordArgs(opts.password),
    '-r',
    formatDpi(chunk.dpi),
    '-f',
    String(chunk.first),
    '-l',
    String(chunk.last),
    ...format,
    opts.pdf,
    path.join(dir, 'p'),
  ];
  const run = await runTool(opts.command ?? 'pdftoppm', args, {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
  });
  if (run.code !== 0) throw toolFailure(run, opts.password, 'pdftoppm');
  const out: RasterPage[] = [];
  // pdftoppm pads the page number to the width of the document's page count: parse, don't guess.
  for (const name of await readdir(dir)) {
    const m = /^p-(\d+)\.(png|jpg)$/.exec(name);
    if (m) out.push({ page: Number(m[1]), path: path.join(dir, name) });
  }
  return out;
}

function formatDpi(dpi: number): string {
  return Number.isInteger(dpi) ? String(dpi) : dpi.toFixed(3);
}

function clampQuality(q: number): number {
  return Math.min(100, Math.max(1, Math.round(q)));
}

async function runLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < items.length && failed === undefined) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}
