/**
 * Verifies a request's signature and returns who sent it and what it asks for. The scheme comes from
 * the request: an `Authorization: ACS3-…` header is ACS3 (spec 2.4), a `Signature` parameter is RPC v1
 * (spec 2.5). Checks run cheapest first; the nonce is recorded only after the signature verified, so
 * an unsigned request cannot burn a legitimate client's nonce.
 */
import {
  ACS3_ALGORITHM,
  acs3CanonicalRequest,
  acs3Signature,
  acs3StringToSign,
  parseAcs3Authorization,
  sha256Hex,
} from './acs3-signature.ts';
import { checkActionAndVersion } from './action-version.ts';
import { constantTimeEqual } from './constant-time.ts';
import { paramsFromMerged } from './decode-params.ts';
import { Errors } from './errors.ts';
import type { NonceStore } from './nonce-cache.ts';
import {
  RPC_SIGNATURE_METHOD,
  rpcCanonicalizedQuery,
  rpcSignature,
  rpcStringToSign,
} from './rpc-signature.ts';
import { assertFresh, parseSignedTime } from './timestamp.ts';
import { formPairs, mergedParams, mergePairs, queryPairs } from './wire-params.ts';
import { type AuthenticatedRequest, headerValue, type WireRequest } from './wire-request.ts';

export interface AuthDeps {
  lookupSecret(accessKeyId: string): Promise<string | null>;
  nonces: NonceStore;
  nowMs(): number;
  /** Allowed clock difference; IMM's gateway uses 15 minutes. */
  maxSkewMs: number;
}

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

/** Headers the ACS3 signature must cover: without them a request could be replayed or re-targeted. */
const REQUIRED_SIGNED = ['host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
/** Headers that change the meaning of a request, so they must be signed whenever present. */
const SIGNED_IF_PRESENT = [
  'x-acs-action',
  'x-acs-version',
  'x-acs-security-token',
  'x-acs-accesskey-id',
  'content-type',
];
const MAX_NONCE_LENGTH = 256;

export async function authenticate(req: WireRequest, deps: AuthDeps): Promise<AuthenticatedRequest> {
  const authorization = headerValue(req, 'authorization');
  if (authorization !== undefined && /^\s*ACS3-/i.test(authorization))
    return authenticateAcs3(req, authorization, deps);
  const merged = mergedParams(req);
  if (merged.has('Signature')) return authenticateRpc(req, merged, deps);
  if (authorization !== undefined) {
    throw Errors.incompleteSignature('The Authorization header must use the ACS3-HMAC-SHA256 algorithm.');
  }
  throw Errors.incompleteSignature(
    'The request is not signed: send an ACS3-HMAC-SHA256 Authorization header or RPC Signature parameters.',
  );
}

async function authenticateAcs3(
  req: WireRequest,
  authorization: string,
  deps: AuthDeps,
): Promise<AuthenticatedRequest> {
  const auth = parseAcs3Authorization(authorization);
  if (auth.algorithm !== ACS3_ALGORITHM) {
    throw Errors.incompleteSignature(
      `The signature algorithm ${auth.algorithm.slice(0, 40)} is not supported.`,
    );
  }
  const signed = auth.signedHeaders.map((h) => h.trim().toLowerCase());
  for (const name of REQUIRED_SIGNED) {
    if (!signed.includes(name)) throw Errors.incompleteSignature(`The header ${name} must be signed.`);
  }
  for (const name of SIGNED_IF_PRESENT) {
    if (req.headers[name] !== undefined && !signed.includes(name)) {
      throw Errors.incompleteSignature(`The header ${name} must be signed.`);
    }
  }
  const nonce = checkNonceShape(headerValue(req, 'x-acs-signature-nonce'));
  assertFresh(parseSignedTime(headerValue(req, 'x-acs-date')), deps.nowMs(), deps.maxSkewMs);
  const stsKeyId = headerValue(req, 'x-acs-accesskey-id');
  if (stsKeyId !== undefined && stsKeyId !== auth.accessKeyId) throw Errors.signatureMismatch();

  const secret = await lookup(deps, auth.accessKeyId);
  const payloadHash = sha256Hex(req.body);
  if (
    !constantTimeEqual(payloadHash, (headerValue(req, 'x-acs-content-sha256') ?? '').trim().toLowerCase())
  ) {
    throw Errors.signatureMismatch();
  }
  const query = queryPairs(req);
  const expected = acs3Signature(
    secret,
    acs3StringToSign(acs3CanonicalRequest(req, query, signed, payloadHash)),
  );
  if (!constantTimeEqual(expected, auth.signature.toLowerCase())) throw Errors.signatureMismatch();

  const merged = mergePairs(query, formPairs(req));
  const { action, version } = checkActionAndVersion(
    headerValue(req, 'x-acs-action')?.trim() || merged.get('Action'),
    headerValue(req, 'x-acs-version')?.trim() || merged.get('Version'),
  );
  await rememberNonce(deps, auth.accessKeyId, nonce);
  const securityToken = headerValue(req, 'x-acs-security-token');
  return {
    action,
    version,
    accessKeyId: auth.accessKeyId,
    ...(securityToken ? { securityToken } : {}),
    scheme: ACS3_ALGORITHM,
    params: paramsFromMerged(merged),
  };
}

async function authenticateRpc(
  req: WireRequest,
  merged: Map<string, string>,
  deps: AuthDeps,
): Promise<AuthenticatedRequest> {
  const method = merged.get('SignatureMethod');
  if (method === undefined) throw Errors.incompleteSignature('The parameter SignatureMethod is required.');
  if (method !== RPC_SIGNATURE_METHOD) {
    throw Errors.incompleteSignature(`The signature method ${method.slice(0, 40)} is not supported.`);
  }
  const signatureVersion = merged.get('SignatureVersion');
  if (signatureVersion !== undefined && signatureVersion !== '1.0') {
    throw Errors.incompleteSignature(
      `The signature version ${signatureVersion.slice(0, 40)} is not supported.`,
    );
  }
  const accessKeyId = merged.get('AccessKeyId');
  if (!accessKeyId) throw Errors.missingParameter('AccessKeyId');
  const nonceParam = merged.get('SignatureNonce');
  if (!nonceParam) throw Errors.missingNonce();
  const nonce = checkNonceShape(nonceParam);
  if (merged.get('Timestamp') === undefined) throw Errors.missingParameter('Timestamp');
  assertFresh(parseSignedTime(merged.get('Timestamp')), deps.nowMs(), deps.maxSkewMs);

  const secret = await lookup(deps, accessKeyId);
  const expected = rpcSignature(secret, rpcStringToSign(req.method, rpcCanonicalizedQuery(merged)));
  // Base64 never contains a space: a space here is a `+` a client left unescaped in the query.
  const given = merged.get('Signature')!.replace(/ /g, '+');
  if (!constantTimeEqual(expected, given)) throw Errors.signatureMismatch();

  // Only the signed parameters count here: the x-acs-action header is outside the RPC v1 signature.
  const { action, version } = checkActionAndVersion(merged.get('Action'), merged.get('Version'));
  const headerAction = headerValue(req, 'x-acs-action')?.trim();
  const headerVersion = headerValue(req, 'x-acs-version')?.trim();
  if ((headerAction && headerAction !== action) || (headerVersion && headerVersion !== version)) {
    throw Errors.invalidArgument(
      'The x-acs-action/x-acs-version headers contradict the signed Action/Version.',
    );
  }
  await rememberNonce(deps, accessKeyId, nonce);
  const securityToken = merged.get('SecurityToken');
  return {
    action,
    version,
    accessKeyId,
    ...(securityToken ? { securityToken } : {}),
    scheme: RPC_SIGNATURE_METHOD,
    params: paramsFromMerged(merged),
  };
}

function checkNonceShape(nonce: string | undefined): string {
  if (!nonce) throw Errors.missingNonce();
  if (nonce.length > MAX_NONCE_LENGTH) throw Errors.invalidArgument('The signature nonce is too long.');
  return nonce;
}

async function lookup(deps: AuthDeps, accessKeyId: string): Promise<string> {
  const secret = await deps.lookupSecret(accessKeyId);
  if (secret === null) throw Errors.accessKeyNotFound();
  return secret;
}

/** Nonces are scoped by key so one account's traffic can never collide with another's. */
async function rememberNonce(deps: AuthDeps, accessKeyId: string, nonce: string): Promise<void> {
  if (!(await deps.nonces.remember(`${accessKeyId}\n${nonce}`, deps.nowMs()))) throw Errors.nonceUsed();
}
