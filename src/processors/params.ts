/**
 * Zod helpers for IMM request parameters. Wire values arrive as strings; complex parameters arrive
 * JSON-encoded (or already rebuilt from the flattened `Name.1.Field` form). `parseParams` turns the
 * first zod issue into IMM's error: a missing field is `Missing<Name>`, malformed JSON `InvalidJSON`,
 * anything else `InvalidArgument` naming the parameter.
 */
import { type ZodType, z } from 'zod';
import { Errors, ImmError } from '../protocol/errors.ts';

const JSON_ERROR = 'openimm:invalid-json';

/** A JSON-in-param value: a string is parsed, an object/array (from the flattened form) is taken as is. */
export function jsonParam<T extends ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    if (value.trim() === '') return undefined;
    try {
      return JSON.parse(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: JSON_ERROR, input: value });
      return z.NEVER;
    }
  }, schema);
}

/** An integer scalar sent as a string (or a number inside JSON). */
export function intParam() {
  return z.preprocess((value) => {
    if (typeof value === 'string' && value.trim() !== '' && /^-?\d+$/.test(value.trim()))
      return Number(value);
    return value;
  }, z.number().int());
}

/** A number scalar sent as a string (or a number inside JSON). */
export function numberParam() {
  return z.preprocess((value) => {
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      return Number(value);
    return value;
  }, z.number());
}

/** A boolean scalar sent as `true`/`false`. */
export function boolParam() {
  return z.preprocess((value) => {
    if (value === 'true') return true;
    if (value === 'false') return false;
    return value;
  }, z.boolean());
}

/** Parse wire parameters against a schema, turning the first issue into IMM's error. */
export function parseParams<T>(schema: ZodType<T>, raw: Record<string, unknown>): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw zodIssueToImmError(result.error.issues[0]!, raw);
}

export function zodIssueToImmError(issue: z.core.$ZodIssue, raw: Record<string, unknown>): ImmError {
  const path = issue.path.map(String);
  const top = path[0] ?? 'parameter';
  const name = formatPath(path);
  if (issue.code === 'custom' && issue.message === JSON_ERROR) return Errors.invalidJson(top);
  if (issue.code === 'custom' && issue.params && typeof issue.params.immCode === 'string') {
    return new ImmError(issue.params.immCode, Number(issue.params.httpStatus ?? 400), issue.message);
  }
  const missing =
    issue.code === 'invalid_type' &&
    (path.length === 1 ? raw[top] === undefined : issue.message.includes('undefined'));
  if (missing && path.length === 1) {
    return new ImmError(`Missing${top}`, 400, `${top} is mandatory for this action.`);
  }
  if (missing) return Errors.invalidArgument(`The parameter ${name} is required but not provided.`);
  const detail =
    issue.code === 'custom' || issue.message.startsWith('openimm:') ? issue.message : describeIssue(issue);
  return Errors.invalidArgument(`Specified parameter ${name} is not valid. ${detail}`.trim());
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `Valid values: ${issue.values.map(String).join(', ')}.`;
    case 'too_big':
      return issue.origin === 'array' ? `At most ${issue.maximum} items.` : `Maximum: ${issue.maximum}.`;
    case 'too_small':
      return issue.origin === 'array' ? `At least ${issue.minimum} items.` : `Minimum: ${issue.minimum}.`;
    case 'invalid_type':
      return `Expected ${issue.expected}.`;
    default:
      return issue.message;
  }
}

function formatPath(path: string[]): string {
  let out = '';
  for (const seg of path) out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** A custom refinement failure carrying an IMM code (e.g. `LimitExceededError`). */
export function immIssue(code: string, message: string, httpStatus = 400) {
  return { code: 'custom' as const, message, params: { immCode: code, httpStatus } };
}
