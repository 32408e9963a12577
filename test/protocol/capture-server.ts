/**
 * A throwaway HTTP server on 127.0.0.1 that records each raw request (as the HTTP layer will hand it
 * to the protocol functions) and answers `{"RequestId":"X"}`, so real SDK clients can be the oracle.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WireRequest } from '../../src/protocol/wire-request.ts';

export interface CaptureServer {
  port: number;
  endpoint: string;
  requests: WireRequest[];
  /** The last captured request; fails the test when nothing arrived. */
  last(): WireRequest;
  close(): Promise<void>;
}

export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: WireRequest[] = [];
  // Complex parameters travel in the query, so request lines beyond Node's 16 KB default must fit.
  const server = http.createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      requests.push({
        method: req.method ?? 'GET',
        path: q === -1 ? url : url.slice(0, q),
        rawQuery: q === -1 ? '' : url.slice(q + 1),
        headers: { ...req.headers },
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      res.end('{"RequestId":"X"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    endpoint: `127.0.0.1:${port}`,
    requests,
    last() {
      const req = requests[requests.length - 1];
      if (!req) throw new Error('no request captured');
      return req;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
