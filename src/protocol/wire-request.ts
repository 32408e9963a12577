/**
 * The transport-neutral view of an incoming RPC request. The HTTP layer (Fastify) fills it from the raw
 * request so that signature checks see exactly the bytes the client signed.
 */
export interface WireRequest {
  method: string;
  path: string;
  /** The raw query string, without the leading `?`, still percent-encoded. */
  rawQuery: string;
  /** Lowercase header names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type SignatureScheme = 'ACS3-HMAC-SHA256' | 'HMAC-SHA1';

export interface AuthenticatedRequest {
  action: string;
  version: string;
  accessKeyId: string;
  securityToken?: string;
  scheme: SignatureScheme;
  params: Record<string, unknown>;
}

/** One header as a string: repeated values are sorted and joined with `,` as the SDK signs them. */
export function headerValue(req: WireRequest, name: string): string | undefined {
  const value = req.headers[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value))
    return [...value]
      .map((v) => v.trim())
      .sort()
      .join(',');
  return value;
}
