/**
 * The business parameters of a request: query ∪ form body (body wins), without the RPC common
 * parameters, with flattened `X.1.Y` keys rebuilt. JSON-in-param values stay strings; the processors'
 * zod helpers parse them.
 */
import { rebuildFlattened } from './flat-params.ts';
import { mergedParams } from './wire-params.ts';
import type { WireRequest } from './wire-request.ts';

/** Parameters that belong to the RPC envelope (routing, signing), never to an action. */
export const RPC_COMMON_PARAMS: ReadonlySet<string> = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Signature',
  'Timestamp',
  'SecurityToken',
  'BearerToken',
]);

export function decodeParams(req: WireRequest): Record<string, unknown> {
  return paramsFromMerged(mergedParams(req));
}

export function paramsFromMerged(merged: Map<string, string>): Record<string, unknown> {
  const business = new Map<string, string>();
  for (const [key, value] of merged) if (!RPC_COMMON_PARAMS.has(key)) business.set(key, value);
  return rebuildFlattened(business);
}
