/**
 * A one-line progress display for long copies: rewritten in place on a terminal, one line per tenth
 * otherwise (so logs of scripted copies stay short). Small copies print nothing.
 */
export interface ProgressLine {
  update(done: number, total: number | undefined): void;
  finish(): void;
}

const MIB = 1024 * 1024;

export function createProgressLine(
  label: string,
  out: NodeJS.WriteStream,
  opts: { minBytes?: number; intervalMs?: number; now?: () => number } = {},
): ProgressLine {
  const minBytes = opts.minBytes ?? 16 * MIB;
  const intervalMs = opts.intervalMs ?? 200;
  const now = opts.now ?? Date.now;
  const started = now();
  let last = 0;
  let lastTenth = -1;
  let shown = false;

  const render = (done: number, total: number | undefined) => {
    const secs = Math.max((now() - started) / 1000, 0.001);
    const rate = (done / MIB / secs).toFixed(1);
    const pct = total ? ` ${Math.floor((done / total) * 100)}%` : '';
    const size = total
      ? `${(done / MIB).toFixed(1)}/${(total / MIB).toFixed(1)} MiB`
      : `${(done / MIB).toFixed(1)} MiB`;
    return `${label}: ${size}${pct} ${rate} MiB/s`;
  };

  return {
    update(done, total) {
      if ((total ?? done) < minBytes) return;
      if (out.isTTY) {
        const t = now();
        if (t - last < intervalMs && done !== total) return;
        last = t;
        out.write(`\r${render(done, total)}\u001b[K`);
        shown = true;
        return;
      }
      const tenth = total ? Math.floor((done / total) * 10) : Math.floor(done / (100 * MIB));
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      out.write(`${render(done, total)}\n`);
    },
    finish() {
      if (shown && out.isTTY) out.write('\n');
    },
  };
}
