/**
 * Building blocks of a `-filter_complex` graph: labels, chains and the escaping of option values.
 * Pure; every string ffmpeg parses goes through `quoteOption` so user text (font names, colours,
 * paths) can never break out of its option.
 */

/**
 * An option value safe at both levels ffmpeg parses: the filter's option list (`:` separated, `'`
 * quoting) and the graph (`,;[]` and `'`). The value is quoted for the first level, then every
 * character special to the graph level is backslash-escaped.
 */
export function quoteOption(value: string): string {
  const level1 = `'${value.replace(/'/g, "'\\''")}'`;
  return level1.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** A number printed for ffmpeg: plain decimal, no exponent, trimmed. */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  const fixed = Number(n.toFixed(6));
  return Object.is(fixed, -0) ? '0' : String(fixed);
}

/** `name=k1=v1:k2=v2` from an option list (undefined values skipped). Values must already be safe. */
export function filter(name: string, opts: Record<string, string | number | undefined> = {}): string {
  const parts = Object.entries(opts)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? num(v) : v}`);
  return parts.length ? `${name}=${parts.join(':')}` : name;
}

/** Accumulates the chains of one `-filter_complex`. Labels are unique per graph. */
export class FilterGraph {
  private readonly chains: string[] = [];
  private counter = 0;

  label(prefix = 'x'): string {
    return `${prefix}${this.counter++}`;
  }

  /**
   * Adds `[in1][in2]f1,f2[out1][out2]`. Inputs are labels or input stream specifiers such as `0:3`;
   * the same input stream may feed several chains (ffmpeg decodes it once).
   */
  chain(inputs: string[], filters: string[], outputs: string[]): void {
    if (filters.length === 0) throw new Error('a chain needs at least one filter');
    const ins = inputs.map((l) => `[${l}]`).join('');
    const outs = outputs.map((l) => `[${l}]`).join('');
    this.chains.push(`${ins}${filters.join(',')}${outs}`);
  }

  /** Passes `input` through `filters` into a new label (or returns `input` when there is nothing to do). */
  pipe(input: string, filters: string[], prefix = 'x'): string {
    if (filters.length === 0) return input;
    const out = this.label(prefix);
    this.chain([input], filters, [out]);
    return out;
  }

  /** Splits a video (or audio) label into `n` labels; one consumer keeps the label itself. */
  split(input: string, n: number, kind: 'v' | 'a'): string[] {
    if (n <= 1) return [input];
    const outs = Array.from({ length: n }, () => this.label(kind === 'v' ? 'sv' : 'sa'));
    this.chain([input], [kind === 'v' ? `split=${n}` : `asplit=${n}`], outs);
    return outs;
  }

  get empty(): boolean {
    return this.chains.length === 0;
  }

  toString(): string {
    return this.chains.join(';');
  }
}
