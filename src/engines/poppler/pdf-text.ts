/** Text of PDF pages through `pdftotext` (reading order, UTF-8), one string per page. */
import { passwordArgs, runTool, toolFailure } from './run-tool.ts';

export interface PdfTextOptions {
  first: number;
  last: number;
  password?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Bound on the text kept in memory; a hostile PDF can hold a lot of text. */
  maxBytes?: number;
  command?: string;
}

export async function pdfText(file: string, opts: PdfTextOptions): Promise<string[]> {
  const args = [
    ...passwordArgs(opts.password),
    '-enc',
    'UTF-8',
    '-f',
    String(opts.first),
    '-l',
    String(opts.last),
    file,
    '-',
  ];
  const run = await runTool(opts.command ?? 'pdftotext', args, {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    maxStdoutBytes: opts.maxBytes ?? 64 * 1024 * 1024,
  });
  if (run.code !== 0) throw toolFailure(run, opts.password, 'pdftotext');
  // pdftotext ends every page with a form feed.
  const pages = run.stdout.toString('utf8').split('\f');
  const count = opts.last - opts.first + 1;
  return Array.from({ length: count }, (_, i) => pages[i] ?? '');
}
