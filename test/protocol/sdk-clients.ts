/**
 * The real Alibaba Cloud clients, pointed at a capture server. Their signatures are the oracle for the
 * known-answer tests: nothing here signs by itself.
 */
import OpenApiModule, { $OpenApiUtil } from '@alicloud/openapi-core';
import RPCClient from '@alicloud/pop-core';

type OpenApiClient = typeof OpenApiModule.default;
type RuntimeOptions = Parameters<InstanceType<OpenApiClient>['callApi']>[2];
// Node's CommonJS interop hands over `module.exports`, vitest's the `default` export: accept both.
const OpenApi = ((OpenApiModule as unknown as { default?: OpenApiClient }).default ??
  OpenApiModule) as OpenApiClient;

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface OpenApiCall {
  action: string;
  query?: Record<string, string>;
  body?: Record<string, string>;
  /** `undefined` = the default ACS3-HMAC-SHA256; `'v2'` = RPC v1 HMAC-SHA1. */
  signatureAlgorithm?: string;
}

/** Sends a request exactly as the generated IMM SDK does (RPC style, POST, form body, JSON response). */
export async function callOpenApi(endpoint: string, creds: Credentials, call: OpenApiCall): Promise<void> {
  const client = new OpenApi(
    new $OpenApiUtil.Config({
      ...creds,
      endpoint,
      protocol: 'http',
      signatureAlgorithm: call.signatureAlgorithm,
    }),
  );
  const params = new $OpenApiUtil.Params({
    action: call.action,
    version: '2020-09-30',
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const request = new $OpenApiUtil.OpenApiRequest({ query: call.query, body: call.body });
  await client.callApi(params, request, {} as RuntimeOptions);
}

/** The legacy RPC client: everything (common params included) in the query for GET, in the form for POST. */
export async function callPopCore(
  endpoint: string,
  creds: Credentials,
  action: string,
  params: Record<string, unknown>,
  method: 'GET' | 'POST',
): Promise<void> {
  const client = new RPCClient({ ...creds, endpoint: `http://${endpoint}`, apiVersion: '2020-09-30' });
  await client.request(action, params, { method });
}
