/**
 * CreateArchiveFileInspectionTask (TaskType `ArchiveFileInspection`): list a zip, 7z or rar archive without
 * extracting it. The notification content carries `SourceURI`; the entry list goes to `details.Files`
 * (the ExtendedMessageURI file), as spec 8.3.1 places it.
 */
import { type ArchiveConfig, defaultArchiveConfig } from '../../engines/archive/config.ts';
import { ArchiveErrors } from '../../engines/archive/errors.ts';
import { withTaskFailures } from '../file-compression/failures.ts';
import { openSourceArchive } from '../file-uncompression/archive-source.ts';
import { validateArchiveSource } from '../file-uncompression/validate.ts';
import type { TaskProcessor } from '../types.ts';
import { inspectedFile } from './entries.ts';
import { type ArchiveFileInspectionParams, archiveFileInspectionParamsSchema } from './params.ts';

export function makeArchiveFileInspectionProcessor(
  config: ArchiveConfig = defaultArchiveConfig,
): TaskProcessor<ArchiveFileInspectionParams> {
  return {
    type: 'ArchiveFileInspection',
    action: 'CreateArchiveFileInspectionTask',
    eventName: 'ArchiveFileInspection',
    workClass: 'archive',
    params: archiveFileInspectionParamsSchema,
    validate: (p, ctx) => validateArchiveSource(p.SourceURI, ctx, config),
    async run(p, ctx) {
      const files = await withTaskFailures(async () => {
        const { archive } = await openSourceArchive(p.SourceURI, p.Password, ctx, config);
        try {
          if (archive.entries.length > ctx.limits.archiveMaxEntries) {
            throw ArchiveErrors.limit(`The archive holds more than ${ctx.limits.archiveMaxEntries} entries.`);
          }
          return archive.entries.map(inspectedFile);
        } finally {
          archive.close();
        }
      });
      return { content: { SourceURI: p.SourceURI }, details: { Files: files } };
    },
    failureContent: (p) => ({ SourceURI: p.SourceURI }),
    secretFields: ['Password'],
  };
}

export const archiveFileInspectionProcessor = makeArchiveFileInspectionProcessor();
