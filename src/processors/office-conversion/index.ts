/**
 * CreateOfficeConversionTask (TaskType `OfficeConversion`): documents (Word, Excel, PowerPoint,
 * OpenDocument, RTF, CSV/TXT, PDF) to PDF, PNG, JPG or TXT through the warm LibreOffice pool and poppler.
 */
import { convertDocument, type OfficeConfig, officeConfig } from '../../engines/office/index.ts';
import type { TaskProcessor } from '../types.ts';
import { officeConversionContent } from './content.ts';
import type { ConvertFn } from './document.ts';
import { type OfficeConversionParams, officeConversionParamsSchema } from './params.ts';
import { runOfficeConversion } from './run.ts';
import { validateOfficeConversion } from './validate.ts';

export interface OfficeProcessorDeps {
  /** The LibreOffice conversion; defaults to the shared pool of `src/engines/office`. */
  convert?: ConvertFn;
  /** The settings; defaults to those given to `configureOffice` at start-up. */
  config?: () => OfficeConfig;
}

export function makeOfficeConversionProcessor(
  deps: OfficeProcessorDeps = {},
): TaskProcessor<OfficeConversionParams> {
  const config = deps.config ?? officeConfig;
  const convert = deps.convert ?? convertDocument;
  return {
    type: 'OfficeConversion',
    action: 'CreateOfficeConversionTask',
    eventName: 'OfficeConversion',
    workClass: 'office',
    params: officeConversionParamsSchema,
    validate: (p, ctx) => validateOfficeConversion(p, ctx, config()),
    run: (p, ctx) => runOfficeConversion(p, ctx, { convert, config }),
    failureContent: (p) => officeConversionContent(p, null),
    secretFields: ['Password'],
  };
}

export const officeConversionProcessor = makeOfficeConversionProcessor();
