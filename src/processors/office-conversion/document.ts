/**
 * Step one of every conversion: a PDF of the document (LibreOffice for office formats, the source itself
 * for PDF) and the list of its pages with the names they carry (`{index}`, `{sheetname}`).
 */
import path from 'node:path';
import type {
  OfficeConvertRequest,
  OfficeConvertResult,
  OfficeJobOptions,
} from '../../engines/office/job.ts';
import { pdfInfo } from '../../engines/poppler/pdf-info.ts';
import type { Budget } from './budget.ts';
import { type PageRun, pageRuns, resolvePages } from './page-selection.ts';
import type { OfficeConversionParams } from './params.ts';
import { importHints, type SourceFamily } from './source-type.ts';

export type ConvertFn = (req: OfficeConvertRequest, opts?: OfficeJobOptions) => Promise<OfficeConvertResult>;

/** One page of the PDF and the names it gives its output. */
export interface DocPage {
  pdfPage: number;
  index: string;
  sheetname: string;
}

export interface ConvertedDocument {
  pdf: string;
  /** PDF sources keep their own password for poppler. */
  pdfPassword?: string;
  family: SourceFamily;
  /** Pages of the source document (spreadsheets: of the selected sheets). */
  pageCount: number;
  /** The selected pages, in order. */
  pages: DocPage[];
  /** Name of the first sheet written (spreadsheets), for single-file outputs. */
  firstSheet: string;
}

export interface DocumentJob {
  p: OfficeConversionParams;
  sourcePath: string;
  sourceType: string;
  family: SourceFamily;
  workDir: string;
  convert: ConvertFn;
  signal: AbortSignal;
  /** Paused while the job waits for a LibreOffice process. */
  budget: Budget;
  /** Cancellation only: the budget does not run while the job waits in the pool's queue. */
  cancel: AbortSignal;
}

export async function toPdf(job: DocumentJob): Promise<ConvertedDocument> {
  const runs = job.p.TargetType === 'pdf' ? null : pageRuns(job.p);
  if (job.family === 'pdf') return pdfSource(job, runs);
  const output = path.join(job.workDir, 'document.pdf');
  job.budget.pause();
  const result = await job.convert(officeRequest(job, output, runs), {
    signal: AbortSignal.any([job.cancel, job.budget.signal]),
    timeoutMs: job.budget.remaining(),
    onStart: () => job.budget.resume(),
  });
  job.budget.resume();
  if (result.sheets) return spreadsheetPages(job, output, result, runs);
  const exported = result.exportedPages ?? resolvePages(null, result.pageCount);
  return {
    pdf: output,
    family: job.family,
    pageCount: result.pageCount,
    pages: exported.map((page, i) => ({ pdfPage: i + 1, index: String(page), sheetname: '' })),
    firstSheet: '',
  };
}

function officeRequest(job: DocumentJob, output: string, runs: PageRun[] | null): OfficeConvertRequest {
  const { p } = job;
  const req: OfficeConvertRequest = {
    input: job.sourcePath,
    output,
    format: 'pdf',
    password: p.Password || undefined,
    showComments: p.ShowComments ?? false,
    ...importHints(job.sourceType),
  };
  if (job.family !== 'spreadsheet') {
    if (runs) req.pages = runs;
    return req;
  }
  const image = p.TargetType === 'png' || p.TargetType === 'jpg';
  const long = image && (p.LongPicture ?? false);
  const trim = p.TrimPolicy ?? {};
  req.editable = true;
  req.sheets = { start: p.SheetIndex ?? 1, count: p.SheetCount };
  req.calc = {
    singlePageSheets: long,
    fitToWidth: p.FitToWidth,
    fitToHeight: p.FitToHeight,
    paperSize: p.PaperSize,
    landscape: p.PaperHorizontal,
    maxRows: long ? p.MaxSheetRow : undefined,
    maxCols: long ? p.MaxSheetColumn : undefined,
    trim: {
      emptyCells: !trim.DisableDeleteEmptyCell,
      repeatedStyles: !trim.DisableDeleteRepeatedStyle,
      unusedPictures: !trim.DisableDeleteUnusedPicture,
      unusedShapes: !trim.DisableDeleteUnusedShape,
    },
  };
  return req;
}

/** Sheet pages follow each other in the PDF; a page selection counts across all of them. */
function spreadsheetPages(
  job: DocumentJob,
  pdf: string,
  result: OfficeConvertResult,
  runs: PageRun[] | null,
): ConvertedDocument {
  const all: DocPage[] = [];
  for (const sheet of result.sheets ?? []) {
    for (let sub = 1; sub <= sheet.pages; sub++) {
      all.push({ pdfPage: all.length + 1, index: `${sheet.index}_${sub}`, sheetname: sheet.name });
    }
  }
  const long = job.p.LongPicture ?? false;
  const selected = long ? all : resolvePages(runs, all.length).map((n) => all[n - 1]!);
  return {
    pdf,
    family: job.family,
    pageCount: result.pageCount,
    pages: selected,
    firstSheet: result.sheets?.[0]?.name ?? '',
  };
}

async function pdfSource(job: DocumentJob, runs: PageRun[] | null): Promise<ConvertedDocument> {
  const password = job.p.Password || undefined;
  const info = await pdfInfo(job.sourcePath, { password, signal: job.signal });
  return {
    pdf: job.sourcePath,
    pdfPassword: password,
    family: 'pdf',
    pageCount: info.pages,
    pages: resolvePages(runs, info.pages).map((page) => ({
      pdfPage: page,
      index: String(page),
      sheetname: '',
    })),
    firstSheet: '',
  };
}
