/** The benchmark's printed result: Markdown tables of the three figures and their ratios, plus context. */
import os from 'node:os';
import { formatMs, formatRate, type LatencySummary, markdownTable, ratio, summarize } from './stats.ts';
import type { DrainResult, LatencySamples, Throughput } from './timing.ts';

export type System = 'openimm' | 'graphile' | 'raw';
export const SYSTEMS: System[] = ['openimm', 'graphile', 'raw'];

export interface Figures {
  backend: 'postgres' | 'pglite';
  create: Partial<Record<System, Throughput>>;
  drain: Partial<Record<System, DrainResult>>;
  latency: Partial<Record<System, LatencySamples>>;
}

export function emptyFigures(backend: Figures['backend']): Figures {
  return { backend, create: {}, drain: {}, latency: {} };
}

export interface RunInfo {
  command: string;
  sizes: Record<string, number>;
  loadBefore: number[];
  loadAfter: number[];
  seconds: number;
  postgres?: string;
}

const GOAL_P99_MS = 20;

function rateCell(t: Throughput | undefined): string {
  return t ? formatRate(t.rate) : 'n/a';
}

function drainCell(d: DrainResult | undefined): string {
  if (!d) return 'n/a';
  const partial =
    d.done < d.total
      ? ` (${d.done.toLocaleString('en-US')} of ${d.total.toLocaleString('en-US')} in the time budget)`
      : '';
  return `${formatRate(d.rate)}${partial}`;
}

function cpuCell(t: Throughput | undefined): string {
  if (t?.cpuMsPerTask === undefined) return 'n/a';
  const db = t.dbCpuMsPerTask ? ` (db ${t.dbCpuMsPerTask.toFixed(3)})` : '';
  return `${t.cpuMsPerTask.toFixed(3)}${db}`;
}

/** CPU per task: peer ÷ openimm, so above 1 means openimm spends less. */
function cpuRatio(ours: Throughput | undefined, theirs: Throughput | undefined): string {
  return ratio(theirs?.cpuMsPerTask, ours?.cpuMsPerTask);
}

type Which = 'fromCommit' | 'fromCall';

function lat(s: LatencySamples | undefined, which: Which): LatencySummary | undefined {
  return s ? summarize(s[which], s.expected) : undefined;
}

function latencyCell(s: LatencySamples | undefined, which: Which): string {
  const l = lat(s, which);
  return l ? `${formatMs(l.p50)} / ${formatMs(l.p99)}` : 'n/a';
}

/** For latencies a ratio reads "peer p99 ÷ openimm p99": above 1 means openimm starts tasks sooner. */
function latencyRatio(f: Figures, peer: System, which: Which): string {
  return ratio(lat(f.latency[peer], which)?.p99, lat(f.latency.openimm, which)?.p99);
}

function goal(label: string, ok: boolean | undefined): string {
  if (ok === undefined) return label;
  return `${label}: ${ok ? 'met' : 'not met'}`;
}

function rows(f: Figures): string[][] {
  const pg = f.backend === 'postgres';
  const name = pg ? 'PostgreSQL' : 'PGlite';
  const c = f.create;
  const d = f.drain;
  const createOk = pg && c.openimm && c.graphile ? c.openimm.rate >= c.graphile.rate : undefined;
  const drainOk = pg && d.openimm && d.graphile ? d.openimm.rate >= d.graphile.rate : undefined;
  const p99 = lat(f.latency.openimm, 'fromCommit')?.p99;
  const row = (figure: string, cells: string[], ratios: string[], g: string) => [
    figure,
    ...cells,
    ...ratios,
    g,
  ];
  return [
    row(
      `create path, tasks/s (${name})`,
      SYSTEMS.map((s) => rateCell(c[s])),
      [ratio(c.openimm?.rate, c.graphile?.rate), ratio(c.openimm?.rate, c.raw?.rate)],
      pg ? goal('≥ 1.0× graphile', createOk) : '',
    ),
    row(
      `create path, CPU ms per task (${name})`,
      SYSTEMS.map((s) => cpuCell(c[s])),
      [cpuRatio(c.openimm, c.graphile), cpuRatio(c.openimm, c.raw)],
      '',
    ),
    row(
      `drain, tasks/s (${name})`,
      SYSTEMS.map((s) => drainCell(d[s])),
      [ratio(d.openimm?.rate, d.graphile?.rate), ratio(d.openimm?.rate, d.raw?.rate)],
      pg ? goal('≥ 1.0× graphile', drainOk) : '',
    ),
    row(
      `drain, CPU ms per task (${name})`,
      SYSTEMS.map((s) => cpuCell(d[s])),
      [cpuRatio(d.openimm, d.graphile), cpuRatio(d.openimm, d.raw)],
      '',
    ),
    row(
      `create-to-start p50 / p99, ms (${name})`,
      SYSTEMS.map((s) => latencyCell(f.latency[s], 'fromCommit')),
      [latencyRatio(f, 'graphile', 'fromCommit'), latencyRatio(f, 'raw', 'fromCommit')],
      goal(`p99 < ${GOAL_P99_MS} ms`, p99 === undefined ? undefined : p99 < GOAL_P99_MS),
    ),
    row(
      `create call + start, p50 / p99, ms (${name})`,
      SYSTEMS.map((s) => latencyCell(f.latency[s], 'fromCall')),
      [latencyRatio(f, 'graphile', 'fromCall'), latencyRatio(f, 'raw', 'fromCall')],
      '',
    ),
  ];
}

export function printReport(results: Figures[], info: RunInfo): void {
  const header = [
    'figure',
    'openimm',
    'graphile-worker 0.17',
    'raw claim-50',
    'openimm ÷ graphile',
    'openimm ÷ raw',
    'goal',
  ];
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(', ');
  console.log(markdownTable(header, results.flatMap(rows)));
  console.log('');
  console.log(
    'Ratios: openimm ÷ peer for rates; peer ÷ openimm for CPU per task and for latency p99 (so above 1 is ' +
      "always in openimm's favour). CPU per task: this process plus the PostgreSQL backends of the run's database.",
  );
  console.log(`Command: ${info.command}`);
  console.log(`Sizes: ${JSON.stringify(info.sizes)}`);
  console.log(
    `Machine: ${os.cpus().length} cores, Node ${process.version}${info.postgres ? `, ${info.postgres}` : ''}; ` +
      `load average (1, 5, 15 min) before ${load(info.loadBefore)}, after ${load(info.loadAfter)}; ` +
      `run took ${Math.round(info.seconds)} s.`,
  );
}
