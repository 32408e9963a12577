/**
 * Raw parameter pairs of a request: the query string and the form body. Both keep the decoded
 * values the client signed; duplicate keys inside one source are refused because the SDKs never send
 * them and a second copy could otherwise slip past the signature.
 */
import { Errors } from './errors.ts';
import { type Pair, parseUrlEncoded } from './url-encoded.ts';
import { headerValue, type WireRequest } from './wire-request.ts';

const FORM_TYPE = 'application/x-www-form-urlencoded';
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function queryPairs(req: WireRequest): Pair[] {
  const pairs = parseUrlEncoded(req.rawQuery, 'query string');
  assertUniqueKeys(pairs, 'query string');
  return pairs;
}

/** Form-body pairs; a non-empty body must be `application/x-www-form-urlencoded` in UTF-8. */
export function formPairs(req: WireRequest): Pair[] {
  if (req.body.length === 0) return [];
  const contentType = headerValue(req, 'content-type') ?? '';
  const [mediaType, ...attributes] = contentType.split(';').map((s) => s.trim().toLowerCase());
  if (mediaType !== FORM_TYPE) {
    throw Errors.invalidArgument(`The request body must be ${FORM_TYPE}.`);
  }
  const charset = attributes
    .find((a) => a.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw Errors.invalidArgument(`The request body charset ${charset} is not supported; use UTF-8.`);
  }
  let text: string;
  try {
    text = utf8.decode(req.body);
  } catch (err) {
    throw Errors.invalidArgument('The request body is not valid UTF-8.', err);
  }
  const pairs = parseUrlEncoded(text, 'request body');
  assertUniqueKeys(pairs, 'request body');
  return pairs;
}

/** Query then body into one map: the body wins on a key present in both. */
export function mergedParams(req: WireRequest): Map<string, string> {
  return mergePairs(queryPairs(req), formPairs(req));
}

export function mergePairs(query: Pair[], form: Pair[]): Map<string, string> {
  const merged = new Map<string, string>(query);
  for (const [key, value] of form) merged.set(key, value);
  return merged;
}

function assertUniqueKeys(pairs: Pair[], where: string): void {
  const seen = new Set<string>();
  for (const [key] of pairs) {
    if (seen.has(key))
      throw Errors.invalidArgument(`The parameter ${key} appears more than once in the ${where}.`);
    seen.add(key);
  }
}
