/** CreateFileCompressionTask (TaskType `FileCompression`): pack objects into one zip object. */
import { type ArchiveConfig, defaultArchiveConfig } from '../../engines/archive/config.ts';
import type { TaskProcessor } from '../types.ts';
import { type FileCompressionParams, fileCompressionParamsSchema } from './params.ts';
import { fileCompressionContent, runFileCompression } from './run.ts';
import { validateFileCompression } from './validate.ts';

export function makeFileCompressionProcessor(
  config: ArchiveConfig = defaultArchiveConfig,
): TaskProcessor<FileCompressionParams> {
  return {
    type: 'FileCompression',
    action: 'CreateFileCompressionTask',
    eventName: 'FileCompression',
    workClass: 'archive',
    params: fileCompressionParamsSchema,
    validate: validateFileCompression,
    run: (p, ctx) => runFileCompression(p, ctx, config),
    failureContent: (p) => fileCompressionContent(p, p.TargetURI),
  };
}

export const fileCompressionProcessor = makeFileCompressionProcessor();
