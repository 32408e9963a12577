import http from 'node:http';
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { WireRequest } from '../protocol/wire-request.ts';
import { dispatchRpc } from './dispatch.ts';
import type { ActionDefinition, AppServices } from './services.ts';

/**
 * The HTTP face: every RPC action is served at `/` (GET or POST, query and form body); `/health` answers
 * liveness. Bodies are kept raw: the ACS3 signature covers their exact bytes.
 */
export function createHttpServer(opts: {
  services: AppServices;
  actions: ReadonlyMap<string, ActionDefinition>;
  log: Logger;
  health: () => Promise<Record<string, unknown>>;
}) {
  const app = Fastify({
    // Requests are logged by the dispatcher (with their RequestId and IMM code), not by Fastify.
    logger: false,
    bodyLimit: 8 * 1024 * 1024,
    // Complex parameters travel JSON-encoded in the query string: allow request lines well past 32 KB.
    // Idle keep-alive connections stay open 72 s (Fastify's default, which a serverFactory bypasses):
    // Alibaba Cloud's SDK reuses idle sockets without a timeout of its own, so with Node's 5 s a call made
    // a few seconds after the previous one could meet the server closing the socket (ECONNRESET).
    serverFactory: (handler) =>
      http.createServer({ maxHeaderSize: 256 * 1024, keepAliveTimeout: 72_000 }, handler),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/health', async () => ({ status: 'ok', ...(await opts.health()) }));

  const handle = async (req: any, reply: any) => {
    const url: string = req.raw.url ?? '/';
    const q = url.indexOf('?');
    const wire: WireRequest = {
      method: req.method,
      path: q >= 0 ? url.slice(0, q) : url,
      rawQuery: q >= 0 ? url.slice(q + 1) : '',
      headers: req.headers,
      body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    };
    const res = await dispatchRpc(wire, opts.services, opts.actions);
    if (res.stream) {
      reply.code(200).headers({ ...res.headers, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
      reply.type('text/event-stream; charset=utf-8');
      return reply.send(Readable.from(res.stream));
    }
    reply.code(res.status).headers(res.headers).type('application/json;charset=utf-8');
    return JSON.stringify(res.body);
  };
  app.route({ method: ['GET', 'POST'], url: '/', handler: handle });
  return app;
}
