import type { z } from 'zod';
import { parseParams } from '../../../processors/params.ts';
import {
  countProjects,
  defaultProjectSettings,
  insertProject,
  projectToWire,
} from '../../../projects/project-store.ts';
import { Errors, ImmError } from '../../../protocol/errors.ts';
import type { ActionDefinition } from '../../services.ts';
import {
  MAX_PROJECTS_PER_ACCOUNT,
  projectFieldsSchema,
  projectNameSchema,
  QUOTA_FIELDS,
} from './project-params.ts';

const schema = projectFieldsSchema.extend({ ProjectName: projectNameSchema });

export const createProject: ActionDefinition = {
  name: 'CreateProject',
  async handler({ services, accountId, params }) {
    const p = parseParams(schema, params);
    const serviceRole = p.ServiceRole ?? 'AliyunIMMDefaultRole';
    if (!services.storage.roleExists(accountId, serviceRole)) {
      throw new ImmError(
        'InvalidArgument',
        400,
        `Specified parameter ServiceRole is not valid. The role ${serviceRole} does not exist.`,
      );
    }
    if ((await countProjects(services.db, accountId)) >= MAX_PROJECTS_PER_ACCOUNT) {
      throw Errors.limitExceeded('resource count exceeds the limit');
    }
    const settings = { ...defaultProjectSettings };
    for (const f of QUOTA_FIELDS) if (p[f] !== undefined) settings[f] = p[f];
    const project = await insertProject(services.db, {
      accountId,
      name: p.ProjectName,
      serviceRole,
      description: p.Description ?? '',
      templateId: p.TemplateId ?? '',
      settings,
      tags: p.Tag ?? [],
    });
    if (!project) throw Errors.alreadyExists('project');
    return { Project: projectToWire(project) };
  },
};

export type CreateProjectParams = z.infer<typeof schema>;
