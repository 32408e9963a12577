/**
 * RPC v1 HMAC-SHA1 (spec 2.5): every query and form parameter except `Signature`, sorted by name,
 * percent-encoded, joined, then `METHOD&%2F&encode(joined)` signed with `secret + "&"`.
 */
import { createHmac } from 'node:crypto';
import { percentEncode } from './encode.ts';

export const RPC_SIGNATURE_METHOD = 'HMAC-SHA1';

/** Sorted by raw name (as the SDKs do; identical to sorting encoded names for IMM's ASCII names). */
export function rpcCanonicalizedQuery(params: Map<string, string>): string {
  return [...params.keys()]
    .filter((key) => key !== 'Signature')
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(params.get(key)!)}`)
    .join('&');
}

export function rpcStringToSign(method: string, canonicalized: string): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalized)}`;
}

export function rpcSignature(secret: string, stringToSign: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}
