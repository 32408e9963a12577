/**
 * Small readers for the fields of the `Notification` parameter. Each failure is IMM's error naming the
 * full parameter path (`Notification.MNS.TopicName`), so a client sees exactly what to fix.
 */
import { Errors, type ImmError } from '../protocol/errors.ts';

export type Fields = Record<string, unknown>;

/** An optional nested object; `null`/absent → undefined. */
export function objectField(parent: Fields, key: string, path: string): Fields | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw Errors.invalidParameter(`${path}.${key}`, 'Expected a JSON object.');
  }
  return value as Fields;
}

export function stringField(
  parent: Fields,
  key: string,
  path: string,
  opts: { required?: boolean; max?: number } = {},
): string | undefined {
  const value = parent[key];
  const name = path ? `${path}.${key}` : key;
  if (value === undefined || value === null || value === '') {
    if (opts.required) throw Errors.invalidArgument(`The parameter ${name} is required but not provided.`);
    return undefined;
  }
  if (typeof value !== 'string') throw Errors.invalidParameter(name, 'Expected a string.');
  if (opts.max !== undefined && value.length > opts.max) {
    throw Errors.invalidParameter(name, `At most ${opts.max} characters.`);
  }
  return value;
}

/** A URL with one of the given schemes (without `:`), no fragment. */
export function urlField(parent: Fields, key: string, path: string, schemes: string[]): URL {
  const text = stringField(parent, key, path, { required: true, max: 2048 })!;
  const name = `${path}.${key}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw Errors.invalidParameter(name, 'Expected an absolute URL.');
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) {
    throw Errors.invalidParameter(name, `The URL scheme must be one of: ${schemes.join(', ')}.`);
  }
  if (!url.hostname) throw Errors.invalidParameter(name, 'The URL has no host.');
  if (url.hash) throw Errors.invalidParameter(name, 'The URL must not have a fragment.');
  return url;
}

/** Parses a JSON-in-param object value (a string on the wire, or already an object). */
export function jsonObjectParam(value: unknown, name: string): Fields | undefined {
  if (value === undefined || value === null) return undefined;
  let parsed = value;
  if (typeof value === 'string') {
    if (value.trim() === '') return undefined;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw Errors.invalidJson(name);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw Errors.invalidParameter(name, 'Expected a JSON object.');
  }
  return parsed as Fields;
}

/** `Notification.X.URL`'s host is not in the allow-list: say which setting opens it. */
export function hostNotAllowed(name: string, url: URL): ImmError {
  const where = url.port ? `${url.hostname}:${url.port}` : url.hostname;
  return Errors.invalidArgument(
    `Specified parameter ${name} is not valid. The host ${where} is not allowed for notifications on this server ` +
      '(the operator lists allowed hosts in OPENIMM_NOTIFY_ALLOW_HOSTS).',
  );
}
