import type { Logger } from 'pino';
import { authenticate } from '../protocol/authenticate.ts';
import { Errors, type ImmError, toImmError } from '../protocol/errors.ts';
import { newRequestId } from '../protocol/request-id.ts';
import type { WireRequest } from '../protocol/wire-request.ts';
import type { ActionDefinition, AppServices } from './services.ts';
import { UNSUPPORTED_IMM_ACTIONS } from './unsupported-actions.ts';

export interface RpcResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Server-sent events, for streaming actions. */
  stream?: AsyncIterable<string>;
}

/**
 * One RPC request end to end: authenticate (signature, time, nonce), route the action, throttle, run the handler,
 * and render either the result or IMM's error body. Never throws: every failure becomes an IMM error response.
 */
export async function dispatchRpc(
  req: WireRequest,
  services: AppServices,
  actions: ReadonlyMap<string, ActionDefinition>,
): Promise<RpcResponse> {
  const requestId = newRequestId();
  const started = performance.now();
  let action = '';
  let accountId = '';
  try {
    const auth = await authenticate(req, {
      lookupSecret: async (id) => {
        const key = await services.accessKeys.find(id);
        if (key) accountId = key.accountId;
        return key?.secret ?? null;
      },
      nonces: services.nonces,
      nowMs: () => Date.now(),
      maxSkewMs: services.config.maxSkewSeconds * 1000,
    });
    action = auth.action;
    const definition = actions.get(auth.action);
    if (!definition) {
      throw UNSUPPORTED_IMM_ACTIONS.has(auth.action)
        ? Errors.actionNotSupported(auth.action)
        : Errors.actionNotFound(auth.action);
    }
    services.throttle.take(accountId, auth.action);
    // The request's logger is made only when a handler logs: most never do, and a child per request showed.
    let log: Logger | undefined;
    const result = await definition.handler({
      services,
      accountId,
      requestId,
      params: auth.params,
      get log() {
        log ??= services.log.child({ requestId, action });
        return log;
      },
    });
    services.log.debug({ requestId, action, ms: Math.round(performance.now() - started) }, 'request');
    if (result.stream) {
      return { status: 200, headers: { 'x-acs-request-id': requestId }, body: {}, stream: result.stream };
    }
    return {
      status: 200,
      headers: { 'x-acs-request-id': requestId },
      body: { RequestId: requestId, ...result },
    };
  } catch (err) {
    const e = toImmError(err);
    logFailure(services, e, { requestId, action, accountId });
    return errorResponse(e, requestId, hostOf(req, services));
  }
}

export function errorResponse(e: ImmError, requestId: string, hostId: string): RpcResponse {
  return {
    status: e.httpStatus,
    headers: { 'x-acs-request-id': requestId, ...(e.headers ?? {}) },
    body: {
      RequestId: requestId,
      HostId: hostId,
      Code: e.code,
      Message: e.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.code)}&product=imm`,
    },
  };
}

function hostOf(req: WireRequest, services: AppServices): string {
  const host = req.headers.host;
  return typeof host === 'string' && host ? host : `imm.${services.config.region}.aliyuncs.com`;
}

function logFailure(
  services: AppServices,
  e: ImmError,
  ctx: { requestId: string; action: string; accountId: string },
) {
  if (e.httpStatus >= 500) services.log.error({ ...ctx, code: e.code, err: e.cause ?? e }, 'request failed');
  else services.log.info({ ...ctx, code: e.code, message: e.message }, 'request refused');
}
