/** Request parameters of CreateArchiveFileInspectionTask (spec 9.3). */
import { z } from 'zod';

export const archiveFileInspectionParamsSchema = z.object({
  SourceURI: z.string().min(1),
  Password: z.string().optional(),
});

export type ArchiveFileInspectionParams = z.infer<typeof archiveFileInspectionParamsSchema>;
