/** CreateImageToPDFTask (TaskType `ImageToPDF`): up to 100 images, one page each, into one PDF. */
import type { TaskProcessor } from '../types.ts';
import { sourcesContent } from './image-sources.ts';
import { type ImageToPdfParams, imageToPdfParamsSchema } from './params.ts';
import { runImageToPdf } from './run.ts';
import { validateImageToPdf } from './validate.ts';

export function makeImageToPdfProcessor(): TaskProcessor<ImageToPdfParams> {
  return {
    type: 'ImageToPDF',
    action: 'CreateImageToPDFTask',
    eventName: 'ImageToPDF',
    workClass: 'image',
    params: imageToPdfParamsSchema,
    validate: validateImageToPdf,
    run: runImageToPdf,
    failureContent: (p) => ({ Sources: sourcesContent(p.Sources), TargetURI: p.TargetURI }),
  };
}

export const imageToPdfProcessor = makeImageToPdfProcessor();
