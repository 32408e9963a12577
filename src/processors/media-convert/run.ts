/**
 * A MediaConvert run: fetch and probe the inputs, plan one ffmpeg run for every output, run it with
 * progress, timeout and cancel, then upload what it wrote (playlists last) and report the resolved URIs.
 * ffmpeg writes only into the scratch folder; nothing reaches the object store until it has succeeded.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { MediaConfig } from '../../engines/ffmpeg/config.ts';
import { buildArgs, type PlanInput } from '../../engines/ffmpeg/plan.ts';
import { probeMedia } from '../../engines/ffmpeg/probe.ts';
import { runFfmpeg } from '../../engines/ffmpeg/run-ffmpeg.ts';
import { sourceTemplateVars } from '../../storage/template.ts';
import type { RunContext, TaskOutcome } from '../types.ts';
import { collect } from './collect.ts';
import { type ConvertResult, mediaConvertContent } from './content.ts';
import { withTaskFailures } from './failures.ts';
import { writeMaster } from './hls-master.ts';
import { prepareSources, prepareWatermarks } from './inspect.ts';
import type { JobContext, ProducedFile } from './job.ts';
import { type JobPlan, planJob } from './plan-job.ts';
import type { MediaConvertParams } from './schema.ts';
import { uploadAll } from './upload.ts';

/** Timeout when the sources do not say how long they are. */
const UNKNOWN_DURATION_TIMEOUT_MS = 3_600_000;

export async function runMediaConvert(
  p: MediaConvertParams,
  ctx: RunContext,
  config: MediaConfig,
): Promise<TaskOutcome> {
  return withTaskFailures(async () => {
    const inputs: PlanInput[] = [];
    const sources = await prepareSources(p, ctx, config, inputs);
    const watermarks = await prepareWatermarks(watermarkUris(p), ctx, config, inputs);
    const align = sources[p.AlignmentIndex ?? 0]!;
    const vars = sourceTemplateVars(
      { uri: align.uri, lastModified: align.lastModified },
      ctx.createdAt,
      ctx.tags,
    );
    const job: JobContext = { config, tmpDir: ctx.tmpDir, vars, inputs, sources, watermarks, textFiles: [] };
    const plan = planJob(p, job);
    ctx.progress(2);
    await prepareFolders(job, plan);
    await execute(plan, ctx, config);
    const { result, files } = await gather(plan, ctx, config);
    await uploadAll(ctx.storage, files, {
      signal: ctx.signal,
      onUploaded: (done, total) => ctx.progress(90 + Math.floor((9 * done) / total)),
    });
    return {
      content: mediaConvertContent(p, result),
      details: { Files: files.map((f) => ({ URI: f.uri, Size: f.size })) },
    };
  });
}

function watermarkUris(p: MediaConvertParams): string[] {
  const all = [...(p.Targets ?? []), ...(p.TargetGroups ?? []).flatMap((g) => g.Targets)];
  return all.flatMap((t) =>
    (t.Video?.FilterVideo?.Watermarks ?? []).filter((w) => w.Type === 'file' && w.URI).map((w) => w.URI!),
  );
}

async function prepareFolders(job: JobContext, plan: JobPlan): Promise<void> {
  for (const f of job.textFiles) await fs.writeFile(f.path, f.content);
  const dirs = new Set(plan.ffmpeg.outputs.map((o) => path.dirname(o.path)));
  for (const d of dirs) await fs.mkdir(d, { recursive: true });
}

async function execute(plan: JobPlan, ctx: RunContext, config: MediaConfig): Promise<void> {
  const expected = plan.expectedSeconds;
  const timeoutMs =
    expected > 0
      ? Math.max(config.minRunTimeoutMs, expected * ctx.limits.mediaTimeoutFactor * 1000)
      : Math.max(config.minRunTimeoutMs, UNKNOWN_DURATION_TIMEOUT_MS);
  let last = 2;
  ctx.log.debug({ args: buildArgs(plan.ffmpeg) }, 'ffmpeg run');
  await runFfmpeg({
    command: config.ffmpegCommand,
    args: buildArgs(plan.ffmpeg),
    cwd: ctx.tmpDir,
    signal: ctx.signal,
    timeoutMs,
    onProgress: (s) => {
      if (expected <= 0) return;
      const pct = Math.min(89, 2 + Math.floor((87 * s.outTimeSec) / expected));
      if (pct > last) {
        last = pct;
        ctx.progress(pct);
      }
    },
  });
}

async function gather(
  plan: JobPlan,
  ctx: RunContext,
  config: MediaConfig,
): Promise<{ result: ConvertResult; files: ProducedFile[] }> {
  const files: ProducedFile[] = [];
  const take = async (c: Parameters<typeof collect>[0] | undefined) => {
    if (!c) return [];
    const got = await collect(c, config.maxOutputBytes);
    files.push(...got);
    return got;
  };
  const uris = async (cs: Parameters<typeof collect>[0][]) =>
    (await Promise.all(cs.map(take))).flat().map((f) => f.uri);
  const result: ConvertResult = { targets: [], groups: [] };
  for (const t of plan.targets) {
    await take(t.main);
    result.targets.push({
      uri: t.uri,
      snapshots: await uris(t.snapshots),
      sprites: await uris(t.sprites),
      animations: await uris(t.animations),
      subtitles: await uris(t.subtitles),
    });
  }
  for (const [i, g] of plan.groups.entries()) {
    const variants = [];
    for (const v of g.variants) {
      variants.push({
        files: await take(v.main),
        subtitles: await Promise.all(v.subtitles.map((s) => take(s.collector))),
      });
    }
    const probe = (file: string) =>
      probeMedia(file, {
        command: config.ffprobeCommand,
        signal: ctx.signal,
        timeoutMs: config.probeTimeoutMs,
      });
    files.push(...(await writeMaster(g, variants, path.join(ctx.tmpDir, 'out', `master-${i}`), probe)));
    result.groups.push({ uri: g.uri, variants: g.variants.map((v) => v.uri) });
  }
  return { result, files };
}
