/** The benchmark's task type: does nothing, so what is measured is the engine around it. */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { TaskProcessor } from '../../src/processors/types.ts';

export const NOOP_TYPE = 'BenchNoop';

/** `onRun` gets the task id and the moment run() was entered (performance.now()). */
export function makeNoopProcessor(onRun: (taskId: string, at: number) => void): TaskProcessor<object> {
  return {
    type: NOOP_TYPE,
    action: 'CreateBenchNoopTask',
    eventName: NOOP_TYPE,
    workClass: 'light',
    params: z.object({}).loose(),
    async validate() {},
    async run(_p, ctx) {
      onRun(ctx.taskId, performance.now());
      return {};
    },
  };
}
