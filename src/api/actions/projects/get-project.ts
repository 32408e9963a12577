import { z } from 'zod';
import { boolParam, parseParams } from '../../../processors/params.ts';
import { getProject, projectToWire } from '../../../projects/project-store.ts';
import { Errors } from '../../../protocol/errors.ts';
import type { ActionDefinition } from '../../services.ts';
import { projectNameSchema } from './project-params.ts';

const schema = z.object({ ProjectName: projectNameSchema, WithStatistics: boolParam().optional() });

export const getProjectAction: ActionDefinition = {
  name: 'GetProject',
  async handler({ services, accountId, params }) {
    const p = parseParams(schema, params);
    const project = await getProject(services.db, accountId, p.ProjectName);
    if (!project) throw Errors.notFound('project');
    // Datasets are out of scope: their statistics are zero.
    return {
      Project: projectToWire(project, p.WithStatistics ? { fileCount: 0, totalFileSize: 0 } : undefined),
    };
  },
};
