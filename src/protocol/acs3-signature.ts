/**
 * ACS3-HMAC-SHA256 (spec 2.4): the canonical request the SDK builds in `getAuthorization`, rebuilt from
 * the received request. Only header parsing and string building live here; checks are in authenticate.
 */
import { createHash, createHmac } from 'node:crypto';
import { percentEncode } from './encode.ts';
import { Errors } from './errors.ts';
import type { Pair } from './url-encoded.ts';
import { headerValue, type WireRequest } from './wire-request.ts';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';
export const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface Acs3Authorization {
  algorithm: string;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>` */
export function parseAcs3Authorization(header: string): Acs3Authorization {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  if (space === -1) throw Errors.incompleteSignature('The Authorization header is malformed.');
  const algorithm = trimmed.slice(0, space);
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq !== -1) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) {
    throw Errors.incompleteSignature(
      'The Authorization header must carry Credential, SignedHeaders and Signature.',
    );
  }
  return { algorithm, accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

export function canonicalUri(path: string): string {
  return path.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
}

/** Decoded query pairs sorted by key; keys as sent, values re-encoded with `percentEncode`. */
export function acs3CanonicalQuery(pairs: Pair[]): string {
  return [...pairs]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${percentEncode(value)}`)
    .join('&');
}

/** `name:value\n` for each signed header (names sorted, values trimmed). */
export function acs3CanonicalHeaders(req: WireRequest, signedHeaders: string[]): string {
  let out = '';
  for (const name of [...signedHeaders].sort()) {
    const value = headerValue(req, name);
    if (value === undefined) throw Errors.incompleteSignature(`The signed header ${name} is missing.`);
    out += `${name}:${value.trim()}\n`;
  }
  return out;
}

export function acs3CanonicalRequest(
  req: WireRequest,
  query: Pair[],
  signedHeaders: string[],
  payloadHash: string,
): string {
  const headers = acs3CanonicalHeaders(req, signedHeaders);
  const names = [...signedHeaders].sort().join(';');
  return `${req.method.toUpperCase()}\n${canonicalUri(req.path)}\n${acs3CanonicalQuery(query)}\n${headers}\n${names}\n${payloadHash}`;
}

export function acs3StringToSign(canonicalRequest: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
}

export function acs3Signature(secret: string, stringToSign: string): string {
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
