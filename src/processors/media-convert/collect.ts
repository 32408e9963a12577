/** After ffmpeg: the files each collector stands for, with their destination URIs and sizes. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { TaskErrors } from '../task-error.ts';
import type { Collector, ProducedFile } from './job.ts';
import { dirOf } from './naming.ts';

const LATE = /\.(m3u8|mpd)$/i;

export async function collect(c: Collector, maxBytes: number): Promise<ProducedFile[]> {
  const files = await list(c);
  for (const f of files) {
    if (f.size >= maxBytes)
      throw TaskErrors.limitExceeded(`The output ${f.uri} reached the size limit of ${maxBytes} bytes.`);
  }
  return files;
}

async function list(c: Collector): Promise<ProducedFile[]> {
  if (c.kind === 'file') {
    const size = await sizeOf(c.path);
    if (size === undefined)
      throw TaskErrors.invalidArgument(
        `Nothing was produced for ${c.uri}: the source has no frames or samples in the range asked for.`,
      );
    return [{ path: c.path, uri: c.uri, size }];
  }
  if (c.kind === 'sequence') {
    const names = await fs.readdir(c.dir).catch(() => [] as string[]);
    const numbered = names
      .map((n) => ({ n, i: matchIndex(n, c.prefix, c.ext) }))
      .filter((x): x is { n: string; i: number } => x.i !== undefined)
      .sort((a, b) => a.i - b.i);
    const out: ProducedFile[] = [];
    for (const { n, i } of numbered) {
      const p = path.join(c.dir, n);
      out.push({ path: p, uri: c.uriOf(i), size: (await sizeOf(p)) ?? 0 });
    }
    return out;
  }
  const names = (await fs.readdir(c.dir)).sort();
  if (!names.includes(path.basename(c.playlist)))
    throw TaskErrors.internal(`The playlist of ${c.uri} was not written.`);
  const folder = dirOf(c.uri);
  const out: ProducedFile[] = [];
  for (const n of names) {
    const p = path.join(c.dir, n);
    out.push({
      path: p,
      uri: n === path.basename(c.playlist) ? c.uri : `${folder}${n}`,
      size: (await sizeOf(p)) ?? 0,
      late: LATE.test(n),
    });
  }
  return out;
}

function matchIndex(name: string, prefix: string, ext: string): number | undefined {
  if (!name.startsWith(prefix) || !name.endsWith(`.${ext}`)) return undefined;
  const digits = name.slice(prefix.length, name.length - ext.length - 1);
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}

async function sizeOf(p: string): Promise<number | undefined> {
  try {
    return (await fs.stat(p)).size;
  } catch {
    return undefined;
  }
}
