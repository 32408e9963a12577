/**
 * CreateMediaConvertTask (TaskType `MediaConvert`): transcoding, concatenation, snapshots, sprites,
 * animations, HLS/DASH packaging and subtitles on ffmpeg (spec 9.6).
 */
import { defaultMediaConfig, type MediaConfig } from '../../engines/ffmpeg/config.ts';
import type { TaskProcessor } from '../types.ts';
import { mediaConvertContent } from './content.ts';
import { runMediaConvert } from './run.ts';
import { type MediaConvertParams, mediaConvertParamsSchema } from './schema.ts';
import { validateMediaConvert } from './validate.ts';

export function makeMediaConvertProcessor(
  config: MediaConfig = defaultMediaConfig,
): TaskProcessor<MediaConvertParams> {
  return {
    type: 'MediaConvert',
    action: 'CreateMediaConvertTask',
    eventName: 'MediaConvert',
    workClass: 'media',
    params: mediaConvertParamsSchema,
    validate: (p, ctx) => validateMediaConvert(p, ctx, config),
    run: (p, ctx) => runMediaConvert(p, ctx, config),
    failureContent: (p) => mediaConvertContent(p),
  };
}

export const mediaConvertProcessor = makeMediaConvertProcessor();
