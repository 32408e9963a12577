/** Small numeric functions for the engine benchmark: percentiles, rates, ratios and a plain-text table. */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Tasks that never started within the wait count as infinitely late, so they show in p99 and max. */
export function summarize(samplesMs: number[], expected = samplesMs.length): LatencySummary {
  const missing = Math.max(0, expected - samplesMs.length);
  const sorted = [...samplesMs, ...Array<number>(missing).fill(Number.POSITIVE_INFINITY)].sort(
    (a, b) => a - b,
  );
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function perSecond(count: number, ms: number): number {
  return (count * 1000) / ms;
}

export function formatRate(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return Math.round(v).toLocaleString('en-US');
}

export function formatMs(v: number | undefined): string {
  if (v === Number.POSITIVE_INFINITY) return 'not started';
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return v < 10 ? v.toFixed(2) : v.toFixed(1);
}

/** openimm ÷ peer for rates (higher is better); peer ÷ openimm would read the other way. */
export function ratio(ours: number | undefined, theirs: number | undefined): string {
  if (ours === undefined || theirs === undefined || !Number.isFinite(ours) || !Number.isFinite(theirs)) {
    return 'n/a';
  }
  return `${(ours / theirs).toFixed(2)}×`;
}

/** A Markdown table: easy to read in a terminal and pasted as is into the docs. */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
