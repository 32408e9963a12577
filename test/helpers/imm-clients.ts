/**
 * Alibaba Cloud's generic API clients, configured as the official IMM SDK uses them (RPC, POST, complex
 * parameters JSON-encoded in the query): openapi-core with ACS3 (default) and with RPC v1 signing, and pop-core.
 */
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import RPCClient from '@alicloud/pop-core';

type OpenApiClient = typeof OpenApiModule.default;
const OpenApi = ((OpenApiModule as unknown as { default?: OpenApiClient }).default ??
  OpenApiModule) as OpenApiClient;

export type ClientFlavor = 'acs3' | 'rpc-v2' | 'pop-core';
export const CLIENT_FLAVORS: ClientFlavor[] = ['acs3', 'rpc-v2', 'pop-core'];

export interface ImmCallError {
  code: string;
  statusCode: number;
  message: string;
  data?: Record<string, unknown>;
  /** openapi-core's ThrottlingError: the server's `x-acs-retry-after`, in milliseconds. */
  retryAfter?: number;
}

export type ImmParams = Record<string, string | number | boolean | object>;

export interface ImmClient {
  flavor: ClientFlavor;
  /** Resolves the response body; rejects with ImmCallError. */
  call(action: string, params?: ImmParams, body?: Record<string, string>): Promise<Record<string, any>>;
}

function encode(params: ImmParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return out;
}

export function makeImmClient(
  flavor: ClientFlavor,
  endpoint: string,
  creds: { accessKeyId: string; accessKeySecret: string },
  opts: { readTimeoutMs?: number; connectTimeoutMs?: number } = {},
): ImmClient {
  if (flavor === 'pop-core') {
    const client = new RPCClient({ ...creds, endpoint: `http://${endpoint}`, apiVersion: '2020-09-30' });
    return {
      flavor,
      async call(action, params = {}, body) {
        try {
          return (await client.request(
            action,
            { ...encode(params), ...(body ?? {}) },
            { method: 'POST' },
          )) as any;
        } catch (e: any) {
          throw {
            code: e.code ?? e.data?.Code,
            statusCode: e.entry?.response?.statusCode ?? 0,
            message: e.data?.Message ?? e.message,
            data: e.data,
          } satisfies ImmCallError;
        }
      },
    };
  }
  const client = new OpenApi(
    new $OpenApiUtil.Config({
      ...creds,
      endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      signatureAlgorithm: flavor === 'rpc-v2' ? 'v2' : undefined,
      // WaitTask long-polls, and a busy machine answers slowly: the SDK's default read timeout is too short.
      readTimeout: opts.readTimeoutMs ?? 120_000,
      connectTimeout: opts.connectTimeoutMs ?? 30_000,
    }),
  );
  return {
    flavor,
    async call(action, params = {}, body) {
      const p = new $OpenApiUtil.Params({
        action,
        version: '2020-09-30',
        protocol: 'HTTP',
        pathname: '/',
        method: 'POST',
        authType: 'AK',
        style: 'RPC',
        reqBodyType: 'formData',
        bodyType: 'json',
      });
      try {
        const r = await client.callApi(p, new $OpenApiUtil.OpenApiRequest({ query: encode(params), body }), {
          autoretry: false,
        } as any);
        return r.body as Record<string, any>;
      } catch (e: any) {
        throw {
          code: e.code,
          statusCode: e.statusCode ?? e.data?.statusCode ?? 0,
          message: e.data?.Message ?? e.message,
          data: e.data,
          retryAfter: e.retryAfter,
        } satisfies ImmCallError;
      }
    },
  };
}

/** Awaits a rejected call and returns its error (fails the test if the call succeeded). */
export async function callError(p: Promise<unknown>): Promise<ImmCallError> {
  try {
    await p;
  } catch (e) {
    return e as ImmCallError;
  }
  throw new Error('expected the call to fail');
}
