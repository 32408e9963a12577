import { z } from 'zod';
import { parseExtendedMessageUri } from '../../../notify/targets.ts';
import { jsonParam, parseParams } from '../../../processors/params.ts';
import { defaultProcessorLimits, type TaskProcessor } from '../../../processors/types.ts';
import { Errors } from '../../../protocol/errors.ts';
import { credentialConfigSchema } from '../../../storage/credential-config.ts';
import { newEventId, newTaskId } from '../../../tasks/ids.ts';
import type { ActionDefinition } from '../../services.ts';
import { storageErrorToImm } from '../../storage-errors.ts';
import { taskDefinition } from './task-definition.ts';

const MAX_USER_DATA_BYTES = 2048;

const commonSchema = z.object({
  ProjectName: z.string().min(1),
  UserData: z
    .string()
    .refine((s) => Buffer.byteLength(s) <= MAX_USER_DATA_BYTES, { message: 'openimm: at most 2048 bytes.' })
    .optional(),
  Tags: jsonParam(z.record(z.string(), z.unknown())).optional(),
  CredentialConfig: jsonParam(credentialConfigSchema).optional(),
});

/** Tag values may be any JSON value on the wire; templates and TagSelector compare them as strings. */
function stringTags(tags: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/**
 * The Create action of one processor: validate everything that can be known now (parameters, project, URIs,
 * buckets, access, templates, notification targets), then commit the queued task and answer its ids.
 */
export function createTaskAction(processor: TaskProcessor): ActionDefinition {
  return {
    name: processor.action,
    async handler({ services, accountId, requestId, params }) {
      const common = parseParams(commonSchema, params);
      const taskParams = parseParams(processor.params, params);
      const project = await services.projects.get(accountId, common.ProjectName);
      if (!project) throw Errors.notFound('project');
      const notification = services.parseNotificationTargets(params);
      const tags = stringTags(common.Tags);
      const now = new Date();
      const scope = {
        accountId,
        projectName: project.name,
        serviceRole: project.serviceRole,
        region: services.config.region,
      };
      const limits = { ...defaultProcessorLimits, ...(services.config.limits as object) };
      // A chain that cannot be honoured is refused here; sources and target are then checked as that role.
      const storage = services.storageFor(scope, common.CredentialConfig);
      try {
        await processor.validate(taskParams, { ...scope, now, tags, storage, limits });
      } catch (err) {
        throw storageErrorToImm(err);
      }
      const taskId = newTaskId(processor.type);
      const eventId = newEventId();
      const extendedMessageUri = parseExtendedMessageUri(params) ?? '';
      await services.insertTask({
        id: taskId,
        accountId,
        projectName: project.name,
        type: processor.type,
        workClass: processor.workClass,
        maxAttempts: services.config.worker.maxAttempts,
        eventId,
        requestId,
        createdAt: now,
        userData: common.UserData ?? '',
        tags,
        params,
        definition: taskDefinition(params, processor.secretFields),
        notification,
        extendedMessageUri,
      });
      return { TaskId: taskId, EventId: eventId };
    },
  };
}
