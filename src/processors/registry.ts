import { fileCompressionProcessor } from './file-compression/index.ts';
import type { TaskProcessor } from './types.ts';

/** Every task type openimm runs. Explicit: adding a processor is one line here. */
export const processors: readonly TaskProcessor[] = [fileCompressionProcessor];
