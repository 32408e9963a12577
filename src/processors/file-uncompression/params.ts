/** Request parameters of CreateFileUncompressionTask (spec 9.2). */
import { z } from 'zod';
import { jsonParam } from '../params.ts';

export const fileUncompressionParamsSchema = z.object({
  SourceURI: z.string().min(1),
  TargetURI: z.string().min(1).optional(),
  SelectedFiles: jsonParam(z.array(z.string().min(1)).max(80_000)).optional(),
  Password: z.string().optional(),
});

export type FileUncompressionParams = z.infer<typeof fileUncompressionParamsSchema>;
