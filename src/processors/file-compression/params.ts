/** Request parameters of CreateFileCompressionTask (spec 9.1). */
import { z } from 'zod';
import { immIssue, jsonParam } from '../params.ts';

/** Sources holds at most 100 rules; longer lists go through SourceManifestURI (≤ 80,000 rules). */
export const MAX_SOURCES = 100;
export const MAX_MANIFEST_RULES = 80_000;

export const sourceRuleSchema = z.object({
  URI: z.string().min(1),
  Alias: z.string().optional(),
  Mode: z.enum(['prefix', 'fullname']).optional(),
});

export type SourceRuleParam = z.infer<typeof sourceRuleSchema>;

export const fileCompressionParamsSchema = z
  .object({
    CompressedFormat: z.enum(['zip']).optional(),
    TargetURI: z.string().min(1),
    Sources: jsonParam(z.array(sourceRuleSchema).min(1).max(MAX_SOURCES)).optional(),
    SourceManifestURI: z.string().min(1).optional(),
  })
  .superRefine((p, ctx) => {
    const given = Number(p.Sources !== undefined) + Number(p.SourceManifestURI !== undefined);
    if (given !== 1) {
      ctx.addIssue({
        ...immIssue('InvalidArgument', 'Exactly one of Sources and SourceManifestURI must be given.'),
        path: ['Sources'],
      });
    }
  });

export type FileCompressionParams = z.infer<typeof fileCompressionParamsSchema>;
