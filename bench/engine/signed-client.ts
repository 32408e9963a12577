/**
 * A lean ACS3-HMAC-SHA256 RPC client (POST, parameters in the query, empty body, keep-alive): the request
 * shape Alibaba Cloud's SDK sends, without the SDK's per-call overhead, so the create-path figure is the
 * server's cost rather than the client library's.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import {
  ACS3_ALGORITHM,
  acs3CanonicalRequest,
  acs3Signature,
  acs3StringToSign,
  EMPTY_PAYLOAD_SHA256,
} from '../../src/protocol/acs3-signature.ts';
import { percentEncode } from '../../src/protocol/encode.ts';

export interface SignedClient {
  call(action: string, params: Record<string, string | object>): Promise<Record<string, any>>;
  close(): void;
}

export function makeSignedClient(
  url: string,
  keys: { accessKeyId: string; accessKeySecret: string },
  maxSockets: number,
): SignedClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const { host } = new URL(url);
  return {
    call(action, params) {
      const pairs: Array<[string, string]> = Object.entries(params).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : JSON.stringify(v),
      ]);
      const headers: Record<string, string> = {
        host,
        'x-acs-action': action,
        'x-acs-version': '2020-09-30',
        'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'x-acs-signature-nonce': randomUUID(),
        'x-acs-content-sha256': EMPTY_PAYLOAD_SHA256,
      };
      const signed = Object.keys(headers).sort();
      const canonical = acs3CanonicalRequest(
        { method: 'POST', path: '/', rawQuery: '', headers, body: Buffer.alloc(0) },
        pairs,
        signed,
        EMPTY_PAYLOAD_SHA256,
      );
      const signature = acs3Signature(keys.accessKeySecret, acs3StringToSign(canonical));
      headers.authorization = `${ACS3_ALGORITHM} Credential=${keys.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}`;
      const query = pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
      return send(agent, `${url}/?${query}`, headers);
    },
    close() {
      agent.destroy();
    },
  };
}

function send(agent: http.Agent, url: string, headers: Record<string, string>): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': '0' } });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`${res.statusCode} ${body.Code}: ${body.Message}`));
      });
    });
    req.end();
  });
}
