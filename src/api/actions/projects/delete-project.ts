import { z } from 'zod';
import { parseParams } from '../../../processors/params.ts';
import { countUnfinishedTasks, deleteProject, getProject } from '../../../projects/project-store.ts';
import { Errors } from '../../../protocol/errors.ts';
import type { ActionDefinition } from '../../services.ts';
import { projectNameSchema } from './project-params.ts';

const schema = z.object({ ProjectName: projectNameSchema });

export const deleteProjectAction: ActionDefinition = {
  name: 'DeleteProject',
  async handler({ services, accountId, params }) {
    const p = parseParams(schema, params);
    if (!(await getProject(services.db, accountId, p.ProjectName))) throw Errors.notFound('project');
    // A project whose tasks still run keeps its service role until they end.
    const unfinished = await countUnfinishedTasks(services.db, accountId, p.ProjectName);
    if (unfinished > 0) {
      throw Errors.invalidArgument(`The project ${p.ProjectName} still has ${unfinished} running tasks.`);
    }
    await deleteProject(services.db, accountId, p.ProjectName);
    services.projects.forget(accountId, p.ProjectName);
    return {};
  },
};
