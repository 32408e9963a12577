/** Reads a PDF back with poppler's tools: pages, sizes, rotations, embedded images, rendered pixels. */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pixelAt, type Rgb } from '../../engines/image/fixtures.ts';

const run = promisify(execFile);

export interface PageInfo {
  width: number;
  height: number;
  rot: number;
}

export async function pdfPages(file: string): Promise<PageInfo[]> {
  const { stdout: head } = await run('pdfinfo', [file]);
  const count = Number(/^Pages:\s+(\d+)/m.exec(head)![1]);
  const { stdout } = await run('pdfinfo', ['-f', '1', '-l', String(count), file]);
  const pages: PageInfo[] = [];
  for (const m of stdout.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gm)) {
    const n = Number(m[1]);
    const rot = Number(new RegExp(`^Page\\s+${n} rot:\\s+(\\d+)`, 'm').exec(stdout)![1]);
    pages.push({ width: Number(m[2]), height: Number(m[3]), rot });
  }
  return pages;
}

export interface ImageEntry {
  page: number;
  type: string;
  width: number;
  height: number;
  color: string;
  enc: string;
}

export async function pdfImageList(file: string): Promise<ImageEntry[]> {
  const { stdout } = await run('pdfimages', ['-list', file]);
  return stdout
    .split('\n')
    .slice(2)
    .filter((l) => l.trim())
    .map((l) => {
      const c = l.trim().split(/\s+/);
      return {
        page: Number(c[0]),
        type: c[2]!,
        width: Number(c[3]),
        height: Number(c[4]),
        color: c[5]!,
        enc: c[8]!,
      };
    });
}

/** The DCT streams as stored in the PDF (`pdfimages -j` writes them out unchanged), in order. */
export async function embeddedJpegs(file: string): Promise<Buffer[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  try {
    await run('pdfimages', ['-j', file, path.join(dir, 'img')]);
    const names = (await readdir(dir)).filter((n) => n.endsWith('.jpg')).sort();
    return Promise.all(names.map((n) => readFile(path.join(dir, n))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Renders one page (rotation applied, as a viewer shows it) and samples pixels at fractions of its size. */
export async function renderedColors(
  file: string,
  page: number,
  points: Array<[number, number]>,
): Promise<{ width: number; height: number; colors: Rgb[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-'));
  try {
    const out = path.join(dir, 'p');
    await run('pdftoppm', [
      '-f',
      String(page),
      '-l',
      String(page),
      '-r',
      '36',
      '-png',
      '-singlefile',
      file,
      out,
    ]);
    const png = `${out}.png`;
    const { default: sharp } = await import('sharp');
    const meta = await sharp(png).metadata();
    const colors = await Promise.all(
      points.map(([fx, fy]) =>
        pixelAt(png, Math.floor(fx * (meta.width - 1)), Math.floor(fy * (meta.height - 1))),
      ),
    );
    return { width: meta.width, height: meta.height, colors };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
