import { z } from 'zod';
import { listDeadLetters, redriveDeadLetters } from '../../../notify/dead-letters.ts';
import { intParam, jsonParam, parseParams } from '../../../processors/params.ts';
import type { ActionDefinition } from '../../services.ts';

const listSchema = z.object({
  ProjectName: z.string().min(1).optional(),
  MaxResults: intParam().optional(),
  NextToken: z.string().optional(),
});

/** openimm extension: notifications that could not be delivered after their last try (docs/notifications.md). */
export const listNotificationDeadLettersAction: ActionDefinition = {
  name: 'ListNotificationDeadLetters',
  async handler({ services, accountId, params }) {
    const p = parseParams(listSchema, params);
    const page = await listDeadLetters(services.db, accountId, {
      projectName: p.ProjectName,
      maxResults: p.MaxResults,
      nextToken: p.NextToken || undefined,
    });
    return { DeadLetters: page.items, NextToken: page.nextToken ?? '' };
  },
};

const redriveSchema = z.object({
  ProjectName: z.string().min(1).optional(),
  Ids: jsonParam(z.array(z.string().min(1)).max(1000)).optional(),
});

/** openimm extension: sends dead letters again (all of the account's, a project's, or the given ids). */
export const redriveNotificationDeadLettersAction: ActionDefinition = {
  name: 'RedriveNotificationDeadLetters',
  async handler({ services, accountId, params }) {
    const p = parseParams(redriveSchema, params);
    const redriven = await redriveDeadLetters(services.db, accountId, {
      ids: p.Ids,
      projectName: p.ProjectName,
    });
    return { Redriven: redriven };
  },
};
