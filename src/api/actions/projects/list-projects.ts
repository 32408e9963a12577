import { z } from 'zod';
import { intParam, parseParams } from '../../../processors/params.ts';
import { listProjects, projectToWire } from '../../../projects/project-store.ts';
import { Errors } from '../../../protocol/errors.ts';
import type { ActionDefinition } from '../../services.ts';
import { projectTagsSchema } from './project-params.ts';

const schema = z.object({
  MaxResults: intParam().pipe(z.number().min(0).max(200)).optional(),
  NextToken: z.string().optional(),
  Prefix: z.string().max(128).optional(),
  Tag: projectTagsSchema.optional(),
});

export const listProjectsAction: ActionDefinition = {
  name: 'ListProjects',
  async handler({ services, accountId, params }) {
    const p = parseParams(schema, params);
    const limit = p.MaxResults || 100;
    let after: string | undefined;
    if (p.NextToken) {
      after = Buffer.from(p.NextToken, 'base64url').toString('utf8');
      if (!after) throw Errors.invalidArgument('Specified parameter NextToken is not valid.');
    }
    const rows = await listProjects(services.db, {
      accountId,
      prefix: p.Prefix,
      after,
      limit: limit + 1,
      tags: p.Tag,
    });
    const page = rows.slice(0, limit);
    const more = rows.length > limit;
    return {
      NextToken: more ? Buffer.from(page.at(-1)!.name).toString('base64url') : '',
      Projects: page.map((r) => projectToWire(r)),
    };
  },
};
