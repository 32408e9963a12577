/** Request parameters of CreateImageSplicingTask (spec 9.5). */
import { z } from 'zod';
import { COLOR_KEYWORDS, parseColor } from '../../engines/image/color.ts';
import { imageSourceSchema } from '../image-to-pdf/image-sources.ts';
import { intParam, jsonParam } from '../params.ts';

/** At most 10 images, joined in order. */
export const MAX_SPLICE_SOURCES = 10;
/** Spec: `Align` is 1–4096 px. Padding and margin cannot exceed the output's edge limit anyway. */
const MAX_ALIGN = 4096;
const MAX_SPACING = 32_876;

const boundedInt = (min: number, max: number) => intParam().pipe(z.number().int().min(min).max(max));

const colorParam = z
  .string()
  .refine((v) => parseColor(v) !== null, `Use #RRGGBB or one of: ${COLOR_KEYWORDS.join(', ')}.`);

export const imageSplicingParamsSchema = z.object({
  Sources: jsonParam(z.array(imageSourceSchema).min(1).max(MAX_SPLICE_SOURCES)),
  TargetURI: z.string().min(1),
  Direction: z.enum(['vertical', 'horizontal']).default('vertical'),
  Align: boundedInt(1, MAX_ALIGN).optional(),
  ScaleType: z.enum(['fit', 'stretch']).default('fit'),
  ImageFormat: z.preprocess((v) => (v === 'jpeg' ? 'jpg' : v), z.enum(['jpg', 'png', 'webp'])).default('jpg'),
  Quality: boundedInt(0, 100).default(80),
  Padding: boundedInt(0, MAX_SPACING).default(0),
  Margin: boundedInt(0, MAX_SPACING).default(0),
  BackgroundColor: colorParam.default('#FFFFFF'),
});

export type ImageSplicingParams = z.infer<typeof imageSplicingParamsSchema>;
