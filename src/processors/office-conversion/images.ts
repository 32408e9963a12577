/**
 * Image outputs: one image per selected page (pdftoppm, pages in parallel), or one long picture of
 * up to 20 pages joined top to bottom. The resolution is `ImageDPI × ScalePercentage / 100`, lowered
 * for any page (or long picture) that would pass the pixel limit or JPEG's 65,500-pixel side.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadSharp } from '../../engines/image/sharp-setup.ts';

import { type PageSize, pageSizes } from '../../engines/poppler/pdf-info.ts';
import { rasterize } from '../../engines/poppler/rasterize.ts';
import { TaskErrors } from '../task-error.ts';
import type { ConvertedDocument, DocPage } from './document.ts';
import type { OutputFile } from './outputs.ts';
import type { OfficeConversionParams } from './params.ts';

/** IMM joins at most 20 pages into one long picture. */
export const LONG_PICTURE_MAX_PAGES = 20;
/** JPEG cannot hold a side over 65,535 pixels; keep a margin. */
const MAX_SIDE = 65_000;

export interface ImageSettings {
  maxImagePixels: number;
  parallelism: number;
}

export async function imageOutputs(
  p: OfficeConversionParams,
  doc: ConvertedDocument,
  workDir: string,
  settings: ImageSettings,
  signal: AbortSignal,
): Promise<OutputFile[]> {
  const format = p.TargetType === 'png' ? 'png' : 'jpg';
  const dpi = ((p.ImageDPI ?? 96) * (p.ScalePercentage ?? 100)) / 100;
  const outDir = path.join(workDir, 'pages');
  await mkdir(outDir, { recursive: true });
  const long = (p.LongPicture ?? false) && doc.family !== 'spreadsheet';
  let pages = doc.pages;
  if (doc.family === 'spreadsheet' && p.LongPicture && p.FirstPage) pages = pages.slice(0, 1);
  if (long && pages.length > LONG_PICTURE_MAX_PAGES) {
    throw TaskErrors.invalidArgument(
      `LongPicture joins at most ${LONG_PICTURE_MAX_PAGES} pages and ${pages.length} are selected; ` +
        'narrow the selection with StartPage/EndPage or Pages.',
    );
  }
  const sizes = await sizesOf(doc, pages, signal);
  const dpiFor = long
    ? longPictureDpi(sizes, dpi, settings.maxImagePixels)
    : pageDpi(sizes, dpi, settings.maxImagePixels);
  const rendered = await rasterize({
    pdf: doc.pdf,
    password: doc.pdfPassword,
    pages: pages.map((pg) => pg.pdfPage),
    format,
    dpi: dpiFor,
    quality: p.Quality ?? 80,
    outDir,
    parallelism: settings.parallelism,
    signal,
  });
  const fileOf = new Map(rendered.map((r) => [r.page, r.path]));
  if (!long) {
    return pages.map((pg) => ({
      path: fileOf.get(pg.pdfPage)!,
      vars: { index: pg.index, sheetname: pg.sheetname },
    }));
  }
  const joined = path.join(workDir, `long.${format}`);
  await joinVertically(
    pages.map((pg) => fileOf.get(pg.pdfPage)!),
    joined,
    format,
    p.Quality ?? 80,
  );
  return [{ path: joined, vars: { index: '1', sheetname: '' } }];
}

async function sizesOf(
  doc: ConvertedDocument,
  pages: DocPage[],
  signal: AbortSignal,
): Promise<Map<number, PageSize>> {
  if (pages.length === 0) return new Map();
  const numbers = pages.map((pg) => pg.pdfPage);
  const first = Math.min(...numbers);
  const last = Math.max(...numbers);
  const sizes = await pageSizes(doc.pdf, first, last, { password: doc.pdfPassword, signal });
  return new Map(sizes.map((s) => [s.page, s]));
}

/** Per page: the requested resolution, or less when the page would be too large an image. */
export function pageDpi(
  sizes: Map<number, PageSize>,
  dpi: number,
  maxPixels: number,
): (page: number) => number {
  return (page) => {
    const s = sizes.get(page);
    if (!s) return dpi;
    const w = s.width / 72;
    const h = s.height / 72;
    return floorDpi(Math.min(dpi, MAX_SIDE / Math.max(w, h), Math.sqrt(maxPixels / (w * h))));
  };
}

/** One resolution for every page of a long picture, so that the joined image fits the limits. */
export function longPictureDpi(
  sizes: Map<number, PageSize>,
  dpi: number,
  maxPixels: number,
): (page: number) => number {
  let width = 0;
  let height = 0;
  for (const s of sizes.values()) {
    width = Math.max(width, s.width / 72);
    height += s.height / 72;
  }
  if (width === 0 || height === 0) return () => dpi;
  const fitted = floorDpi(
    Math.min(dpi, MAX_SIDE / width, MAX_SIDE / height, Math.sqrt(maxPixels / (width * height))),
  );
  return () => fitted;
}

function floorDpi(dpi: number): number {
  return Math.max(1, Math.floor(dpi * 1000) / 1000);
}

/** Pages of different widths are centred on a white background. */
async function joinVertically(
  files: string[],
  out: string,
  format: 'png' | 'jpg',
  quality: number,
): Promise<void> {
  const sharp = await loadSharp();
  const image = sharp(files, {
    join: { across: 1, background: '#ffffff', halign: 'centre' },
    limitInputPixels: false,
  });
  if (format === 'png') await image.png().toFile(out);
  else
    await image
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: Math.max(1, quality) })
      .toFile(out);
}
