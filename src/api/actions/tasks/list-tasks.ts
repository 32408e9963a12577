import { z } from 'zod';
import { boolParam, intParam, jsonParam, parseParams } from '../../../processors/params.ts';
import { getProject } from '../../../projects/project-store.ts';
import { Errors } from '../../../protocol/errors.ts';
import { listTasks } from '../../../tasks/list-tasks.ts';
import { stateOfWireStatus } from '../../../tasks/model.ts';
import type { ActionDefinition } from '../../services.ts';
import { taskInfoToWire } from './task-wire.ts';

const timeString = z.string().refine((s) => s === '' || !Number.isNaN(Date.parse(s)), {
  message: 'openimm: expected an RFC 3339 time such as 2024-01-01T00:00:00+08:00.',
});
const timeRange = jsonParam(z.object({ Start: timeString.optional(), End: timeString.optional() }));

const schema = z.object({
  ProjectName: z.string().min(1),
  TaskTypes: jsonParam(z.array(z.string())).optional(),
  Status: z.enum(['Running', 'Succeeded', 'Failed']).optional(),
  TagSelector: z.string().max(1024).optional(),
  StartTimeRange: timeRange.optional(),
  EndTimeRange: timeRange.optional(),
  Sort: z.enum(['TaskId', 'StartTime', 'EndTime']).optional(),
  Order: z.enum(['asc', 'desc']).optional(),
  MaxResults: intParam().pipe(z.number().min(0).max(100)).optional(),
  NextToken: z.string().optional(),
  RequestDefinition: boolParam().optional(),
});

/** `k=v,k2=v2`: every pair must match (see the spec's open question 8). */
export function parseTagSelector(selector: string | undefined): Record<string, string> | undefined {
  if (!selector?.trim()) return undefined;
  const tags: Record<string, string> = {};
  for (const term of selector.split(',')) {
    const eq = term.indexOf('=');
    if (eq <= 0)
      throw Errors.invalidArgument(
        `Specified parameter TagSelector is not valid: "${term}" is not key=value.`,
      );
    tags[term.slice(0, eq).trim()] = term.slice(eq + 1).trim();
  }
  return tags;
}

function range(r: { Start?: string; End?: string } | undefined) {
  if (!r) return undefined;
  return { start: r.Start ? new Date(r.Start) : undefined, end: r.End ? new Date(r.End) : undefined };
}

export const listTasksAction: ActionDefinition = {
  name: 'ListTasks',
  async handler({ services, accountId, params }) {
    const p = parseParams(schema, params);
    if (!(await getProject(services.db, accountId, p.ProjectName))) throw Errors.notFound('project');
    const page = await listTasks(
      services.db,
      {
        accountId,
        projectName: p.ProjectName,
        taskTypes: p.TaskTypes,
        states: p.Status ? stateOfWireStatus(p.Status) : undefined,
        tags: parseTagSelector(p.TagSelector),
        startTimeRange: range(p.StartTimeRange),
        endTimeRange: range(p.EndTimeRange),
        sort: p.Sort ?? 'TaskId',
        order: p.Order ?? 'asc',
        maxResults: p.MaxResults || 100,
        nextToken: p.NextToken || undefined,
      },
      { withDefinition: p.RequestDefinition === true },
    );
    return {
      ProjectName: p.ProjectName,
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      MaxResults: String(page.rows.length),
      Tasks: page.rows.map((row) =>
        taskInfoToWire(row, p.RequestDefinition ? (row.definition ?? '') : undefined),
      ),
    };
  },
};
