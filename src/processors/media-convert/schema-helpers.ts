/**
 * Field types of the MediaConvert request. Values come from JSON-in-param (numbers and booleans) or from
 * the flattened form (strings), so every scalar accepts both.
 */
import { z } from 'zod';

function toNumber(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return value;
}

/** A number within [min, max] (`gt` makes the lower bound exclusive). */
export function numberIn(min: number, max: number, opts: { int?: boolean; gt?: boolean } = {}) {
  let n = z.number();
  if (opts.int) n = n.int();
  n = opts.gt ? n.gt(min) : n.min(min);
  n = n.max(max);
  return z.preprocess(toNumber, n);
}

export function intIn(min: number, max: number) {
  return numberIn(min, max, { int: true });
}

export function bool() {
  return z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
}

/** One of the listed numbers (e.g. a rotation of 0/90/180/270). */
export function oneOfNumbers<T extends number>(values: readonly T[]) {
  return z.preprocess(
    toNumber,
    z.number().refine((n) => (values as readonly number[]).includes(n), {
      message: `Valid values: ${values.join(', ')}.`,
    }),
  ) as unknown as z.ZodType<T>;
}

/** An array of stream indexes (IMM's `Stream` lists). */
export function streamList() {
  return z.array(z.preprocess(toNumber, z.number().int().min(-1).max(100_000))).max(100);
}

/**
 * IMM's geometry numbers: an integer is pixels (1–4096), a value below 1 is a ratio of the frame.
 * `allowZero` admits 0 (offsets); `ratioUpTo1` admits exactly 1 as the full frame (sprite cells).
 */
export function pixelsOrRatio(opts: { allowZero?: boolean } = {}) {
  return z.preprocess(
    toNumber,
    z
      .number()
      .refine(
        (n) =>
          (opts.allowZero && n === 0) || (n > 0 && n < 1) || (Number.isInteger(n) && n >= 1 && n <= 4096),
        { message: `Use an integer of pixels (${opts.allowZero ? 0 : 1}–4096) or a ratio in (0, 1).` },
      ),
  );
}

/** `#RRGGBB` (or `#RGB`) or a colour name such as `red`. */
export const color = z
  .string()
  .regex(/^(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}|[a-zA-Z]{3,20})$/, 'Use #RRGGBB or a colour name such as red.');

export const scaleType = z.enum(['stretch', 'crop', 'fill', 'fit']);
export const valueOption = z.enum(['fixed', 'adaptive', 'fall']);
