import { describe, expect, it } from 'vitest';
import { FfmpegError } from '../../../src/engines/ffmpeg/errors.ts';
import { runFfmpeg } from '../../../src/engines/ffmpeg/run-ffmpeg.ts';
import { runTool } from '../../../src/engines/ffmpeg/run-tool.ts';

// An endless input: ffmpeg encodes until it is killed.
const ENDLESS = ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'null', '-'];

describe('runFfmpeg', () => {
  it('reports progress and resolves on success', async () => {
    const times: number[] = [];
    await runFfmpeg({
      args: ['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=2', '-f', 'null', '-'],
      onProgress: (s) => times.push(s.outTimeSec),
    });
    expect(times.at(-1)).toBeGreaterThan(1.9);
  });

  it('kills ffmpeg at once on abort', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const run = runFfmpeg({ args: ENDLESS, signal: ac.signal, onProgress: () => ac.abort() });
    const err = await run.catch((e) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err.kind).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('kills ffmpeg on timeout', async () => {
    const started = Date.now();
    const err = await runFfmpeg({ args: ENDLESS, timeoutMs: 300 }).catch((e) => e);
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('turns a failing exit into a classified error with the stderr tail', async () => {
    const err = await runFfmpeg({ args: ['-i', 'file:/nonexistent/x.mp4', '-f', 'null', '-'] }).catch(
      (e) => e,
    );
    expect(err.kind).toBe('exit');
    expect(err.reason).toBe('io');
    expect(err.stderr).toContain('No such file');
  });

  it('reports a missing binary as a spawn failure', async () => {
    const err = await runTool({ command: 'ffmpeg-not-installed-here', args: [] }).catch((e) => e);
    expect(err.kind).toBe('spawn');
  });
});
