/**
 * Page selection: `Pages` ("1,2-4,7", overriding) or `StartPage`/`EndPage` (default 1 / -1 = last).
 * Runs are `[start, end]` with end -1 meaning the last page; pages past the end are dropped.
 */
export type PageRun = [number, number];

/** Parses "1,2-4,7" (also "5-" = 5 to the end); null when malformed. */
export function parsePageList(text: string): PageRun[] | null {
  const runs: PageRun[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,7})\s*(?:-\s*(\d{1,7})?\s*)?$/.exec(part);
    if (!m) return null;
    const start = Number(m[1]);
    const hasDash = part.includes('-');
    const end = m[2] !== undefined ? Number(m[2]) : hasDash ? -1 : start;
    if (start < 1 || (end !== -1 && end < start)) return null;
    runs.push([start, end]);
  }
  return runs.length > 0 ? runs : null;
}

export interface PageOptions {
  Pages?: string;
  StartPage?: number;
  EndPage?: number;
}

/** The runs a request selects, or null for "every page". */
export function pageRuns(p: PageOptions): PageRun[] | null {
  if (p.Pages !== undefined && p.Pages.trim() !== '') return parsePageList(p.Pages);
  const start = p.StartPage ?? 1;
  const end = p.EndPage ?? -1;
  if (start === 1 && end === -1) return null;
  return [[start, end]];
}

/** Sorted, unique page numbers within 1..total. */
export function resolvePages(runs: PageRun[] | null, total: number): number[] {
  if (runs === null) return Array.from({ length: total }, (_, i) => i + 1);
  const pages = new Set<number>();
  for (const [start, end] of runs) {
    const last = end === -1 ? total : Math.min(end, total);
    for (let page = start; page <= last; page++) pages.add(page);
  }
  return [...pages].sort((a, b) => a - b);
}
