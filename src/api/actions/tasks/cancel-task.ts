import { z } from 'zod';
import { parseParams } from '../../../processors/params.ts';
import { getProject } from '../../../projects/project-store.ts';
import { Errors, ImmError } from '../../../protocol/errors.ts';
import type { OnFinished } from '../../../tasks/completion-batcher.ts';
import { cancelTask } from '../../../tasks/sql/cancel-task.ts';
import type { ActionDefinition } from '../../services.ts';

const schema = z.object({
  ProjectName: z.string().min(1),
  TaskId: z.string().min(1),
  TaskType: z.string().optional(),
});

/** openimm extension: see docs/api-extensions.md. */
export function cancelTaskAction(onFinished: OnFinished): ActionDefinition {
  return {
    name: 'CancelTask',
    async handler({ services, accountId, params }) {
      const p = parseParams(schema, params);
      if (!(await getProject(services.db, accountId, p.ProjectName))) throw Errors.notFound('project');
      if (p.TaskType && !p.TaskId.startsWith(`${p.TaskType}-`)) throw Errors.notFound('task');
      const result = await services.db.transaction((tx) =>
        cancelTask(tx, {
          taskId: p.TaskId,
          accountId,
          projectName: p.ProjectName,
          by: `a CancelTask request of account ${accountId}`,
          onFinished,
        }),
      );
      if (result === 'not-found') throw Errors.notFound('task');
      if (result === 'already-finished') {
        throw new ImmError('InvalidArgument', 400, `The task ${p.TaskId} has already finished.`);
      }
      return {
        TaskId: p.TaskId,
        Status: result === 'cancelled' ? 'Failed' : 'Running',
        Cancelling: result === 'cancelling',
      };
    },
  };
}
