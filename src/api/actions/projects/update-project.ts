import { parseParams } from '../../../processors/params.ts';
import { getProject, projectToWire, updateProject } from '../../../projects/project-store.ts';
import { Errors, ImmError } from '../../../protocol/errors.ts';
import type { ActionDefinition } from '../../services.ts';
import { projectFieldsSchema, projectNameSchema, QUOTA_FIELDS } from './project-params.ts';

const schema = projectFieldsSchema.extend({ ProjectName: projectNameSchema });

export const updateProjectAction: ActionDefinition = {
  name: 'UpdateProject',
  async handler({ services, accountId, params }) {
    const p = parseParams(schema, params);
    const current = await getProject(services.db, accountId, p.ProjectName);
    if (!current) throw Errors.notFound('project');
    if (p.ServiceRole !== undefined && !services.storage.roleExists(accountId, p.ServiceRole)) {
      throw new ImmError(
        'InvalidArgument',
        400,
        `Specified parameter ServiceRole is not valid. The role ${p.ServiceRole} does not exist.`,
      );
    }
    const settings = { ...current.settings };
    for (const f of QUOTA_FIELDS) if (p[f] !== undefined) settings[f] = p[f];
    // Only the supplied fields change; IMM applies updates within minutes, openimm at once.
    const project = await updateProject(services.db, {
      accountId,
      name: current.name,
      serviceRole: p.ServiceRole ?? current.serviceRole,
      description: p.Description ?? current.description,
      templateId: p.TemplateId ?? current.templateId,
      settings,
      tags: p.Tag ?? current.tags,
    });
    services.projects.forget(accountId, current.name);
    if (!project) throw Errors.notFound('project');
    return { Project: projectToWire(project) };
  },
};
