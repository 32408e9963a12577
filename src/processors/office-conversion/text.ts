/**
 * Text outputs through pdftotext: one file per selected page, or a single file with `LongText` and
 * for spreadsheets. Without `HoldLineFeed` the line feeds of the layout are removed (IMM's default):
 * lines are joined with a space, or with nothing between two CJK characters.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pdfText } from '../../engines/poppler/pdf-text.ts';
import type { ConvertedDocument } from './document.ts';
import type { OutputFile } from './outputs.ts';
import type { OfficeConversionParams } from './params.ts';

export async function textOutputs(
  p: OfficeConversionParams,
  doc: ConvertedDocument,
  workDir: string,
  signal: AbortSignal,
): Promise<OutputFile[]> {
  const hold = p.HoldLineFeed ?? false;
  const texts = await pageTexts(doc, signal);
  const single = (p.LongText ?? false) || doc.family === 'spreadsheet';
  if (single) {
    const file = path.join(workDir, 'text.txt');
    const body = texts.map((t) => tidy(t, hold)).filter((t) => t !== '');
    await writeFile(file, hold ? body.join('\n') : joinLines(body));
    return [{ path: file, vars: { index: '1', sheetname: doc.firstSheet } }];
  }
  const out: OutputFile[] = [];
  for (const [i, page] of doc.pages.entries()) {
    const file = path.join(workDir, `text-${i + 1}.txt`);
    await writeFile(file, tidy(texts[i] ?? '', hold));
    out.push({ path: file, vars: { index: page.index, sheetname: page.sheetname } });
  }
  return out;
}

/** Text of the selected pages, in order (one pdftotext run over their span). */
async function pageTexts(doc: ConvertedDocument, signal: AbortSignal): Promise<string[]> {
  if (doc.pages.length === 0) return [];
  const numbers = doc.pages.map((pg) => pg.pdfPage);
  const first = Math.min(...numbers);
  const last = Math.max(...numbers);
  const span = await pdfText(doc.pdf, { first, last, password: doc.pdfPassword, signal });
  return numbers.map((n) => span[n - first] ?? '');
}

export function tidy(text: string, holdLineFeed: boolean): string {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  while (lines.length > 0 && lines[0] === '') lines.shift();
  if (holdLineFeed) return lines.join('\n');
  return joinLines(lines.map((l) => l.trim()).filter((l) => l !== ''));
}

const CJK = /[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]/;

export function joinLines(parts: string[]): string {
  let out = '';
  for (const part of parts) {
    if (out === '') out = part;
    else if (CJK.test(out[out.length - 1]!) && CJK.test(part[0]!)) out += part;
    else out += ` ${part}`;
  }
  return out;
}
