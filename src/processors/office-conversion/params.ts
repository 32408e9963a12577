/** Request parameters of CreateOfficeConversionTask (spec 9.7). */
import { z } from 'zod';
import { boolParam, immIssue, intParam, jsonParam } from '../params.ts';
import { parsePageList } from './page-selection.ts';
import { SOURCE_TYPES } from './source-type.ts';

export const TARGET_TYPES = ['png', 'jpg', 'pdf', 'txt'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** Enum values are matched case-insensitively (`PNG` and `png` alike), then kept lowercase. */
function lowerEnum<const T extends readonly [string, ...string[]]>(values: T) {
  // z.string() first, so that an absent value is reported as missing rather than as a bad enum value.
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.string().pipe(z.enum(values)),
  );
}

function ranged(min: number, max: number) {
  return intParam().pipe(z.number().min(min).max(max));
}

const trimPolicySchema = z.object({
  DisableDeleteEmptyCell: boolParam().optional(),
  DisableDeleteRepeatedStyle: boolParam().optional(),
  DisableDeleteUnusedPicture: boolParam().optional(),
  DisableDeleteUnusedShape: boolParam().optional(),
});

const imageSourceSchema = z.object({
  URI: z.string().min(1),
  Rotate: intParam().optional(),
});

export const officeConversionParamsSchema = z
  .object({
    SourceURI: z.string().min(1).optional(),
    Sources: jsonParam(z.array(imageSourceSchema).max(100)).optional(),
    SourceType: lowerEnum(SOURCE_TYPES).optional(),
    TargetType: lowerEnum(TARGET_TYPES),
    TargetURI: z.string().min(1).optional(),
    TargetURIPrefix: z.string().min(1).optional(),
    StartPage: ranged(1, 1_000_000).optional(),
    EndPage: ranged(-1, 1_000_000).optional(),
    Pages: z.string().optional(),
    SheetIndex: ranged(1, 100_000).optional(),
    SheetCount: ranged(-1, 100_000).optional(),
    ImageDPI: ranged(96, 600).optional(),
    Quality: ranged(0, 100).optional(),
    ScalePercentage: ranged(20, 199).optional(),
    LongPicture: boolParam().optional(),
    LongText: boolParam().optional(),
    HoldLineFeed: boolParam().optional(),
    ShowComments: boolParam().optional(),
    FirstPage: boolParam().optional(),
    FitToWidth: boolParam().optional(),
    FitToHeight: boolParam().optional(),
    PaperSize: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
        z.string().pipe(z.enum(['A0', 'A2', 'A4'])),
      )
      .optional(),
    PaperHorizontal: boolParam().optional(),
    MaxSheetRow: ranged(1, 1_048_576).optional(),
    MaxSheetColumn: ranged(1, 16_384).optional(),
    TrimPolicy: jsonParam(trimPolicySchema).optional(),
    Password: z.string().max(1024).optional(),
  })
  .superRefine((p, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ ...immIssue('InvalidArgument', message), path: [path] });
    if (p.SourceURI === undefined && p.Sources === undefined) {
      ctx.addIssue({
        ...immIssue('MissingSourceURI', 'SourceURI is mandatory for this action.'),
        path: ['SourceURI'],
      });
    }
    if ((p.TargetURI === undefined) === (p.TargetURIPrefix === undefined)) {
      issue('TargetURI', 'Exactly one of TargetURI and TargetURIPrefix must be given.');
    }
    if (p.EndPage === 0)
      issue('EndPage', 'Specified parameter EndPage is not valid. Use -1 for the last page.');
    if (p.StartPage !== undefined && p.EndPage !== undefined && p.EndPage !== -1 && p.EndPage < p.StartPage) {
      issue('EndPage', 'Specified parameter EndPage is not valid. EndPage must not be less than StartPage.');
    }
    if (p.SheetCount === 0)
      issue('SheetCount', 'Specified parameter SheetCount is not valid. Use -1 for all sheets.');
    if (p.Pages !== undefined && p.Pages.trim() !== '' && parsePageList(p.Pages) === null) {
      issue(
        'Pages',
        'Specified parameter Pages is not valid. Use page numbers and ranges such as "1,2-4,7".',
      );
    }
  });

export type OfficeConversionParams = z.infer<typeof officeConversionParamsSchema>;
