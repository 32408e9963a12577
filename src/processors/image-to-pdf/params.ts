/** Request parameters of CreateImageToPDFTask (spec 9.4). */
import { z } from 'zod';
import { jsonParam } from '../params.ts';
import { imageSourceSchema } from './image-sources.ts';

/** At most 100 images, one page each, in order. */
export const MAX_PDF_SOURCES = 100;

export const imageToPdfParamsSchema = z.object({
  Sources: jsonParam(z.array(imageSourceSchema).min(1).max(MAX_PDF_SOURCES)),
  TargetURI: z.string().min(1),
});

export type ImageToPdfParams = z.infer<typeof imageToPdfParamsSchema>;
