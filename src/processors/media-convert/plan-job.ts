/**
 * The whole request as one ffmpeg run: the base (one source or a concatenation), every target and every
 * TargetGroups variant as outputs of the same process, so each source is decoded once however many
 * outputs it feeds.
 */
import path from 'node:path';
import { FilterGraph } from '../../engines/ffmpeg/filter-graph.ts';
import type { FfmpegPlan, PlanOutput } from '../../engines/ffmpeg/plan.ts';
import { TaskErrors } from '../task-error.ts';
import type { JobContext, PlannedGroup, PlannedTarget } from './job.ts';
import { compileOutput, dirOf } from './naming.ts';
import { type Base, planBase } from './plan-base.ts';
import { planTarget } from './plan-target.ts';
import type { MediaConvertParams } from './schema.ts';

export interface JobPlan {
  ffmpeg: FfmpegPlan;
  base: Base;
  targets: PlannedTarget[];
  groups: PlannedGroup[];
  /** Seconds of output the progress is measured against. */
  expectedSeconds: number;
}

export function planJob(p: MediaConvertParams, job: JobContext): JobPlan {
  const graph = new FilterGraph();
  const base = planBase(job, graph, p.AlignmentIndex ?? 0);
  const outputs: PlanOutput[] = [];
  const outRoot = path.join(job.tmpDir, 'out');
  const targets = (p.Targets ?? []).map((t, i) => {
    const plan = planTarget(job, graph, base, t, {
      param: `Targets[${i}]`,
      outDir: path.join(outRoot, `t${i}`),
    });
    outputs.push(...plan.outputs);
    return plan.planned;
  });
  const groups = (p.TargetGroups ?? []).map((g, i): PlannedGroup => {
    const uri = compileOutput(g.URI, 'group', `TargetGroups[${i}].URI`).render(job.vars);
    const variants = g.Targets.map((t, j) => {
      const param = `TargetGroups[${i}].Targets[${j}]`;
      const plan = planTarget(job, graph, base, t, {
        param,
        outDir: path.join(outRoot, `g${i}-${j}`),
        variant: true,
      });
      outputs.push(...plan.outputs);
      const main = plan.planned.main!;
      if (!plan.planned.uri.startsWith(dirOf(uri))) {
        throw TaskErrors.invalidArgument(
          `${param}.URI ${plan.planned.uri} is not in the folder of the master playlist ${uri}.`,
        );
      }
      return {
        uri: plan.planned.uri,
        width: plan.width,
        height: plan.height,
        main,
        subtitles: plan.planned.subtitles.map((collector, k) => ({
          collector,
          language: plan.subtitleLanguages[k],
          uri: collector.kind === 'file' ? collector.uri : '',
        })),
      };
    });
    return { uri, variants };
  });
  base.finish(graph);
  const slowest = Math.min(1, ...(p.Targets ?? []).map((t) => t.Video?.FilterVideo?.Speed ?? t.Speed ?? 1));
  return {
    ffmpeg: { inputs: job.inputs, graph, outputs, threads: job.config.threads || undefined },
    base,
    targets,
    groups,
    expectedSeconds: base.duration / slowest,
  };
}
