/** CreateFileUncompressionTask (TaskType `FileUncompression`): extract a zip, 7z or rar archive under a prefix. */
import { type ArchiveConfig, defaultArchiveConfig } from '../../engines/archive/config.ts';
import type { TaskProcessor } from '../types.ts';
import { type FileUncompressionParams, fileUncompressionParamsSchema } from './params.ts';
import { fileUncompressionContent, runFileUncompression } from './run.ts';
import { resolveTargetPrefix } from './target.ts';
import { validateFileUncompression } from './validate.ts';

export function makeFileUncompressionProcessor(
  config: ArchiveConfig = defaultArchiveConfig,
): TaskProcessor<FileUncompressionParams> {
  return {
    type: 'FileUncompression',
    action: 'CreateFileUncompressionTask',
    eventName: 'FileUncompression',
    workClass: 'archive',
    params: fileUncompressionParamsSchema,
    validate: (p, ctx) => validateFileUncompression(p, ctx, config),
    run: (p, ctx) => runFileUncompression(p, ctx, config),
    failureContent: (p) => {
      let target = p.TargetURI ?? '';
      try {
        if (p.TargetURI === undefined)
          target = resolveTargetPrefix(p.SourceURI, undefined, new Date(), {}).uri;
      } catch {
        // an unusable SourceURI: echo what was given
      }
      return fileUncompressionContent(p, target);
    },
    secretFields: ['Password'],
  };
}

export const fileUncompressionProcessor = makeFileUncompressionProcessor();
