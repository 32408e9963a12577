/** Page count and page sizes of a PDF through `pdfinfo`. */
import { passwordArgs, runTool, toolFailure } from './run-tool.ts';

export interface PdfInfo {
  pages: number;
  encrypted: boolean;
}

/** Width and height in points as displayed (page rotation applied). */
export interface PageSize {
  page: number;
  width: number;
  height: number;
}

export interface PdfInfoOptions {
  password?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  command?: string;
}

export async function pdfInfo(file: string, opts: PdfInfoOptions = {}): Promise<PdfInfo> {
  const run = await runTool(opts.command ?? 'pdfinfo', [...passwordArgs(opts.password), file], {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 60_000,
    maxStdoutBytes: 1024 * 1024,
  });
  if (run.code !== 0) throw toolFailure(run, opts.password, 'pdfinfo');
  const text = run.stdout.toString('utf8');
  const pages = Number(/^Pages:\s+(\d+)/m.exec(text)?.[1] ?? Number.NaN);
  if (!Number.isInteger(pages)) throw toolFailure({ ...run, code: 1 }, opts.password, 'pdfinfo');
  return { pages, encrypted: /^Encrypted:\s+yes/m.test(text) };
}

/** Sizes of pages `first`…`last` (one pdfinfo run; ~60 bytes of output per page). */
export async function pageSizes(
  file: string,
  first: number,
  last: number,
  opts: PdfInfoOptions = {},
): Promise<PageSize[]> {
  const args = [...passwordArgs(opts.password), '-f', String(first), '-l', String(last), file];
  const run = await runTool(opts.command ?? 'pdfinfo', args, {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 60_000,
    maxStdoutBytes: 64 * 1024 * 1024,
  });
  if (run.code !== 0) throw toolFailure(run, opts.password, 'pdfinfo');
  return parsePageSizes(run.stdout.toString('utf8'));
}

export function parsePageSizes(text: string): PageSize[] {
  const sizes = new Map<number, { width: number; height: number; rot: number }>();
  for (const m of text.matchAll(/^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)/gm)) {
    sizes.set(Number(m[1]), { width: Number(m[2]), height: Number(m[3]), rot: 0 });
  }
  for (const m of text.matchAll(/^Page\s+(\d+)\s+rot:\s+(-?\d+)/gm)) {
    const entry = sizes.get(Number(m[1]));
    if (entry) entry.rot = ((Number(m[2]) % 360) + 360) % 360;
  }
  return [...sizes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([page, s]) =>
      s.rot === 90 || s.rot === 270
        ? { page, width: s.height, height: s.width }
        : { page, width: s.width, height: s.height },
    );
}
