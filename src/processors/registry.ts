import { archiveFileInspectionProcessor } from './archive-file-inspection/index.ts';
import { fileCompressionProcessor } from './file-compression/index.ts';
import { fileUncompressionProcessor } from './file-uncompression/index.ts';
import { imageSplicingProcessor } from './image-splicing/index.ts';
import { imageToPdfProcessor } from './image-to-pdf/index.ts';
import { mediaConvertProcessor } from './media-convert/index.ts';
import { officeConversionProcessor } from './office-conversion/index.ts';
import type { TaskProcessor } from './types.ts';

/** Every task type openimm runs. Explicit: adding a processor is one line here. */
export const processors: readonly TaskProcessor[] = [
  fileCompressionProcessor,
  fileUncompressionProcessor,
  archiveFileInspectionProcessor,
  officeConversionProcessor,
  mediaConvertProcessor,
  imageToPdfProcessor,
  imageSplicingProcessor,
];
