import { z } from 'zod';
import { intParam, parseParams } from '../../../processors/params.ts';
import { getProject } from '../../../projects/project-store.ts';
import { Errors } from '../../../protocol/errors.ts';
import type { ActionDefinition } from '../../services.ts';
import { findTask, getTaskToWire } from './task-wire.ts';

const MAX_WAIT_SECONDS = 60;

const schema = z.object({
  ProjectName: z.string().min(1),
  TaskId: z.string().min(1),
  TaskType: z.string().optional(),
  Timeout: intParam().pipe(z.number().min(0).max(MAX_WAIT_SECONDS)).optional(),
});

/**
 * openimm extension: long-poll until the task reaches a terminal status (answered at the commit, woken by
 * NOTIFY) or `Timeout` seconds (default 30) pass; the answer is GetTask's.
 */
export const waitTaskAction: ActionDefinition = {
  name: 'WaitTask',
  async handler({ services, accountId, params }) {
    const p = parseParams(schema, params);
    if (!(await getProject(services.db, accountId, p.ProjectName))) throw Errors.notFound('project');
    const q = { accountId, projectName: p.ProjectName, taskId: p.TaskId, taskType: p.TaskType };
    const deadline = Date.now() + (p.Timeout ?? 30) * 1000;
    // Register before reading, so a commit between the read and the wait is not missed.
    for (;;) {
      const remaining = deadline - Date.now();
      const stopWaiting = new AbortController();
      const woken = services.waiters.wait(p.TaskId, Math.max(0, remaining), stopWaiting.signal);
      const row = await findTask(services.db, q);
      if (!row || row.state === 'succeeded' || row.state === 'failed' || remaining <= 0) {
        stopWaiting.abort();
        if (!row) throw Errors.notFound('task');
        return getTaskToWire(row);
      }
      await woken;
    }
  },
};
