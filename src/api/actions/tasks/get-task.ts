import { z } from 'zod';
import { boolParam, parseParams } from '../../../processors/params.ts';
import { getProject } from '../../../projects/project-store.ts';
import { Errors } from '../../../protocol/errors.ts';
import type { ActionDefinition } from '../../services.ts';
import { findTask, getTaskToWire } from './task-wire.ts';

const schema = z.object({
  ProjectName: z.string().min(1),
  TaskId: z.string().min(1),
  TaskType: z.string().min(1),
  RequestDefinition: boolParam().optional(),
});

export const getTaskAction: ActionDefinition = {
  name: 'GetTask',
  async handler({ services, accountId, params }) {
    const p = parseParams(schema, params);
    if (!(await getProject(services.db, accountId, p.ProjectName))) throw Errors.notFound('project');
    const row = await findTask(
      services.db,
      { accountId, projectName: p.ProjectName, taskId: p.TaskId, taskType: p.TaskType },
      p.RequestDefinition === true,
    );
    if (!row) throw Errors.notFound('task');
    return getTaskToWire(row, p.RequestDefinition ? (row.definition ?? '') : undefined);
  },
};
