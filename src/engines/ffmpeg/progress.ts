/**
 * Parser of ffmpeg's `-progress pipe:1` output: blocks of `key=value` lines ending in `progress=continue`
 * or `progress=end`. Pure, fed with raw chunks as they arrive.
 */
export interface ProgressSample {
  /** Output time reached, in seconds (the furthest stream across outputs). */
  outTimeSec: number;
  frame?: number;
  speed?: number;
  end: boolean;
}

export class ProgressParser {
  private partial = '';
  private block: Record<string, string> = {};

  constructor(private readonly onSample: (s: ProgressSample) => void) {}

  push(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line.trim());
  }

  private line(line: string): void {
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      this.block[key] = value;
      return;
    }
    const sample = toSample(this.block, value === 'end');
    this.block = {};
    if (sample) this.onSample(sample);
  }
}

function toSample(block: Record<string, string>, end: boolean): ProgressSample | null {
  // out_time_us is the documented key; out_time_ms is (despite its name) also microseconds.
  const us = Number(block.out_time_us ?? block.out_time_ms);
  if (!Number.isFinite(us) && !end) return null;
  const frame = Number(block.frame);
  const speed = Number.parseFloat(block.speed ?? '');
  return {
    outTimeSec: Number.isFinite(us) && us > 0 ? us / 1e6 : 0,
    frame: Number.isFinite(frame) ? frame : undefined,
    speed: Number.isFinite(speed) ? speed : undefined,
    end,
  };
}
