/**
 * The work of one OfficeConversion task: copy the source into the scratch folder, make a PDF of it
 * (warm LibreOffice pool; a PDF source is used as is), turn the selected pages into the target files,
 * name them from the template or prefix, and write them. The task's own work runs under
 * `limits.officeTimeoutMs` (IMM's 120 s), time spent waiting for a LibreOffice process aside; LibreOffice
 * is held only for the PDF step.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { OfficeConfig } from '../../engines/office/config.ts';
import { OfficeError } from '../../engines/office/errors.ts';
import { ImmError } from '../../protocol/errors.ts';
import { TaskErrors } from '../task-error.ts';
import type { RunContext, TaskOutcome } from '../types.ts';
import { type Budget, createBudget } from './budget.ts';
import { officeConversionContent } from './content.ts';
import { type ConvertedDocument, type ConvertFn, toPdf } from './document.ts';
import { toTaskFailure } from './failures.ts';
import { imageOutputs } from './images.ts';
import { makeNamer, nameOutputs } from './naming.ts';
import { type OutputFile, uploadOutputs } from './outputs.ts';
import type { OfficeConversionParams } from './params.ts';
import { downloadSource } from './source.ts';
import { textOutputs } from './text.ts';
import { sourceFamily } from './validate.ts';

export interface OfficeRunDeps {
  convert: ConvertFn;
  config(): OfficeConfig;
}

export async function runOfficeConversion(
  p: OfficeConversionParams,
  ctx: RunContext,
  deps: OfficeRunDeps,
): Promise<TaskOutcome> {
  const { type, family } = asTaskError(() => sourceFamily(p));
  const budget = createBudget(ctx.limits.officeTimeoutMs);
  const signal = AbortSignal.any([ctx.signal, budget.signal]);
  const workDir = await mkdtemp(path.join(ctx.tmpDir, 'office-'));
  try {
    return await convertAll({ p, ctx, deps, type, family, workDir, signal, budget });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    if (budget.signal.aborted || (err instanceof OfficeError && err.kind === 'timeout')) {
      throw TaskErrors.internal(
        `The conversion did not finish within ${Math.round(budget.limitMs / 1000)} s. ` +
          'Convert large documents in page batches (StartPage/EndPage or Pages).',
        err,
      );
    }
    throw toTaskFailure(err, type);
  } finally {
    budget.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

interface Job {
  p: OfficeConversionParams;
  ctx: RunContext;
  deps: OfficeRunDeps;
  type: string;
  family: ReturnType<typeof sourceFamily>['family'];
  workDir: string;
  signal: AbortSignal;
  budget: Budget;
}

async function convertAll(job: Job): Promise<TaskOutcome> {
  const { p, ctx, deps, workDir, signal } = job;
  const config = deps.config();
  ctx.progress(1);
  const source = await downloadSource({
    storage: ctx.storage,
    uri: p.SourceURI!,
    file: path.join(workDir, `source.${job.type}`),
    maxBytes: config.maxSourceBytes,
    signal,
  });
  ctx.progress(10);
  const doc = await toPdf({
    p,
    sourcePath: source.path,
    sourceType: job.type,
    family: job.family,
    workDir,
    convert: deps.convert,
    signal,
    budget: job.budget,
    cancel: ctx.signal,
  });
  ctx.progress(40);
  const files = await produce(job, doc, config);
  ctx.progress(80);
  const namer = asTaskError(() =>
    makeNamer(p as Parameters<typeof makeNamer>[0], {
      createdAt: ctx.createdAt,
      tags: ctx.tags,
      lastModified: source.lastModified,
    }),
  );
  const uris = nameOutputs(
    namer,
    files.map((f) => f.vars),
  );
  await uploadOutputs({
    storage: ctx.storage,
    files,
    uris,
    targetType: p.TargetType,
    signal,
    onProgress: (done) => ctx.progress(80 + Math.floor((19 * done) / files.length)),
  });
  return {
    content: officeConversionContent(p, uris, doc.pageCount),
    details: { Targets: uris.map((URI) => ({ URI })), PageCount: doc.pageCount },
  };
}

/** The target files for the selected pages, in page (and sheet) order. */
async function produce(job: Job, doc: ConvertedDocument, config: OfficeConfig): Promise<OutputFile[]> {
  const { p, workDir, signal } = job;
  if (p.TargetType === 'pdf') {
    if (doc.family !== 'pdf') return [{ path: doc.pdf, vars: { index: '1', sheetname: doc.firstSheet } }];
    const copy = path.join(workDir, 'target.pdf');
    await copyFile(doc.pdf, copy);
    return [{ path: copy, vars: { index: '1', sheetname: '' } }];
  }
  if (doc.pages.length === 0) {
    throw TaskErrors.invalidArgument(
      doc.pageCount === 0
        ? 'The document has no pages to convert.'
        : `The page selection is outside the document's ${doc.pageCount} pages.`,
    );
  }
  const spreadsheet = doc.family === 'spreadsheet';
  const singleFile =
    p.TargetType === 'txt' ? (p.LongText ?? false) || spreadsheet : (p.LongPicture ?? false) && !spreadsheet;
  if (!singleFile && doc.pages.length > config.maxOutputPages) {
    throw TaskErrors.limitExceeded(
      `The selection has ${doc.pages.length} pages; at most ${config.maxOutputPages} are converted per task. ` +
        'Use StartPage/EndPage or Pages.',
    );
  }
  if (p.TargetType === 'txt') return textOutputs(p, doc, workDir, signal);
  const settings = { maxImagePixels: config.maxImagePixels, parallelism: config.rasterParallelism };
  return imageOutputs(p, doc, workDir, settings, signal);
}

/** Create-time checks repeated at run time throw ImmError; a task fails with a TaskError instead. */
function asTaskError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ImmError) throw TaskErrors.invalidArgument(err.message, err);
    throw err;
  }
}
