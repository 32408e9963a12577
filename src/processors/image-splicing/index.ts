/** CreateImageSplicingTask (TaskType `ImageSplicing`): up to 10 images joined into one. */
import { sourcesContent } from '../image-to-pdf/image-sources.ts';
import type { TaskProcessor } from '../types.ts';
import { type ImageSplicingParams, imageSplicingParamsSchema } from './params.ts';
import { runImageSplicing } from './run.ts';
import { validateImageSplicing } from './validate.ts';

export function makeImageSplicingProcessor(): TaskProcessor<ImageSplicingParams> {
  return {
    type: 'ImageSplicing',
    action: 'CreateImageSplicingTask',
    eventName: 'ImageSplicing',
    workClass: 'image',
    params: imageSplicingParamsSchema,
    validate: validateImageSplicing,
    run: runImageSplicing,
    failureContent: (p) => ({ Sources: sourcesContent(p.Sources), TargetURI: p.TargetURI }),
  };
}

export const imageSplicingProcessor = makeImageSplicingProcessor();
