import { type ArchiveConfig, archiveConfigSchema } from '../engines/archive/config.ts';
import { type MediaConfig, mediaConfigSchema } from '../engines/ffmpeg/config.ts';
import { makeArchiveFileInspectionProcessor } from './archive-file-inspection/index.ts';
import { makeFileCompressionProcessor } from './file-compression/index.ts';
import { makeFileUncompressionProcessor } from './file-uncompression/index.ts';
import { makeImageSplicingProcessor } from './image-splicing/index.ts';
import { makeImageToPdfProcessor } from './image-to-pdf/index.ts';
import { makeMediaConvertProcessor } from './media-convert/index.ts';
import { makeOfficeConversionProcessor } from './office-conversion/index.ts';
import type { TaskProcessor } from './types.ts';

/** The engine settings processors take directly (office and image engines are configured process-wide). */
export interface ProcessorSettings {
  archive?: Partial<ArchiveConfig>;
  media?: Partial<MediaConfig>;
}

/** Every task type openimm runs. Explicit: adding a processor is one line here. */
export function createProcessors(settings: ProcessorSettings = {}): TaskProcessor[] {
  const archive = archiveConfigSchema.parse(settings.archive ?? {});
  const media = mediaConfigSchema.parse(settings.media ?? {});
  return [
    makeFileCompressionProcessor(archive),
    makeFileUncompressionProcessor(archive),
    makeArchiveFileInspectionProcessor(archive),
    makeOfficeConversionProcessor(),
    makeMediaConvertProcessor(media),
    makeImageToPdfProcessor(),
    makeImageSplicingProcessor(),
  ];
}
