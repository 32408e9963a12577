/** The wire protocol's public surface, for the HTTP layer. */
export { API_VERSION, extractActionAndVersion } from './action-version.ts';
export { type AuthDeps, authenticate, DEFAULT_MAX_SKEW_MS } from './authenticate.ts';
export { type ProtocolConfig, protocolConfigSchema } from './config.ts';
export { decodeParams, RPC_COMMON_PARAMS } from './decode-params.ts';
export { percentEncode } from './encode.ts';
export { MemoryNonceStore, type NonceStore, nonceWindowForSkew } from './nonce-cache.ts';
export { newRequestId } from './request-id.ts';
export type { AuthenticatedRequest, SignatureScheme, WireRequest } from './wire-request.ts';
