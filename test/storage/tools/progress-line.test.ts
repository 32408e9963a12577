import { describe, expect, it } from 'vitest';
import { createProgressLine } from '../../../src/storage/tools/progress-line.ts';

const MIB = 1024 * 1024;

function sink(isTTY: boolean) {
  const writes: string[] = [];
  const out = { isTTY, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { out, writes };
}

describe('progress line', () => {
  it('rewrites one line on a terminal, throttled, and ends it', () => {
    const { out, writes } = sink(true);
    let t = 0;
    const line = createProgressLine('oss://b/big.bin', out, { now: () => t });
    for (let done = 4 * MIB; done <= 64 * MIB; done += 4 * MIB) {
      t += 50;
      line.update(done, 64 * MIB);
    }
    line.finish();
    // 16 updates 50 ms apart with a 200 ms interval: every 4th is drawn, plus the final 100%.
    expect(writes.filter((w) => w.startsWith('\r')).length).toBeLessThanOrEqual(5);
    expect(writes.at(-2)).toMatch(/^\ross:\/\/b\/big\.bin: 64\.0\/64\.0 MiB 100% [\d.]+ MiB\/s\u001b\[K$/);
    expect(writes.at(-1)).toBe('\n');
  });

  it('prints one line per tenth when not on a terminal', () => {
    const { out, writes } = sink(false);
    const line = createProgressLine('x', out);
    for (let done = MIB; done <= 100 * MIB; done += MIB) line.update(done, 100 * MIB);
    line.finish();
    expect(writes).toHaveLength(11);
    expect(writes.every((w) => w.endsWith('\n'))).toBe(true);
  });

  it('stays silent for small copies', () => {
    const { out, writes } = sink(true);
    const line = createProgressLine('x', out);
    line.update(MIB, MIB);
    line.finish();
    expect(writes).toEqual([]);
  });
});
