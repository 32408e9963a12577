/**
 * Opens the archive object of a task through the task's storage (the service role's view), for both
 * FileUncompression and ArchiveFileInspection.
 */
import type { ArchiveConfig } from '../../engines/archive/config.ts';
import { type OpenedArchive, openArchive } from '../../engines/archive/open-archive.ts';
import { parseOssObjectUri } from '../../storage/oss-uri.ts';
import { TaskErrors } from '../task-error.ts';
import type { RunContext } from '../types.ts';

export interface SourceArchive {
  archive: OpenedArchive;
  size: number;
}

export async function openSourceArchive(
  sourceUri: string,
  password: string | undefined,
  ctx: RunContext,
  config: ArchiveConfig,
): Promise<SourceArchive> {
  const { key } = parseOssObjectUri(sourceUri, 'SourceURI');
  const info = await ctx.storage.head(sourceUri);
  if (!info) throw TaskErrors.fileNotExist(sourceUri);
  const archive = await openArchive(
    {
      name: key,
      size: info.size,
      read: (start, end) => ctx.storage.read(sourceUri, { range: { start, end }, signal: ctx.signal }),
      localPath: ctx.storage.localPath(sourceUri),
    },
    {
      config,
      password: password === '' ? undefined : password,
      maxEntries: ctx.limits.archiveMaxEntries,
      tmpDir: ctx.tmpDir,
      signal: ctx.signal,
    },
  );
  return { archive, size: info.size };
}
