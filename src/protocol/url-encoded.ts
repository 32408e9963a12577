/**
 * Strict parser for `application/x-www-form-urlencoded` text (query strings and form bodies).
 * Unlike `querystring.parse` it keeps every pair in order and rejects malformed escapes and invalid
 * UTF-8 instead of passing them through, so what we verify is what we act on.
 */
import { Errors } from './errors.ts';

export type Pair = [key: string, value: string];

export function parseUrlEncoded(raw: string, where: string): Pair[] {
  const pairs: Pair[] = [];
  if (raw === '') return pairs;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq === -1 ? part : part.slice(0, eq), where);
    const value = eq === -1 ? '' : decodeComponent(part.slice(eq + 1), where);
    pairs.push([key, value]);
  }
  return pairs;
}

function decodeComponent(text: string, where: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch (err) {
    throw Errors.invalidArgument(`The ${where} is not correctly percent-encoded UTF-8.`, err);
  }
}
