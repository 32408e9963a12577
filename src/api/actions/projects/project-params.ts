import { z } from 'zod';
import { immIssue, intParam, jsonParam } from '../../../processors/params.ts';

export const projectNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'openimm: letters, digits, - and _ only, starting with a letter or _.');

export const projectTagsSchema = jsonParam(
  z.array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256).default('') })).max(20),
);

const quota = (min: number, max: number) => intParam().pipe(z.number().min(min).max(max));

/** The fields CreateProject and UpdateProject share (all optional for UpdateProject). */
export const projectFieldsSchema = z.object({
  ServiceRole: z.string().min(1).max(256).optional(),
  Description: z.string().max(256).optional(),
  TemplateId: z.string().max(128).optional(),
  DatasetMaxBindCount: quota(1, 10).optional(),
  DatasetMaxEntityCount: quota(1, Number.MAX_SAFE_INTEGER).optional(),
  DatasetMaxFileCount: quota(1, 100_000_000).optional(),
  DatasetMaxRelationCount: quota(1, Number.MAX_SAFE_INTEGER).optional(),
  DatasetMaxTotalFileSize: quota(1, Number.MAX_SAFE_INTEGER).optional(),
  ProjectMaxDatasetCount: quota(1, 1_000_000_000).optional(),
  Tag: projectTagsSchema.optional(),
});

export const QUOTA_FIELDS = [
  'DatasetMaxBindCount',
  'DatasetMaxEntityCount',
  'DatasetMaxFileCount',
  'DatasetMaxRelationCount',
  'DatasetMaxTotalFileSize',
  'ProjectMaxDatasetCount',
] as const;

export const MAX_PROJECTS_PER_ACCOUNT = 100;

export const unknownRoleIssue = (role: string) =>
  immIssue(
    'InvalidArgument',
    `Specified parameter ServiceRole is not valid. The role ${role} does not exist.`,
  );
