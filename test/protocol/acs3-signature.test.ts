/**
 * The ACS3 canonical strings, checked against fixed expectations and, for random input, against the
 * signature the real client's `getAuthorization` computes.
 */
import { stringify } from 'node:querystring';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acs3CanonicalHeaders,
  acs3CanonicalQuery,
  acs3CanonicalRequest,
  acs3Signature,
  acs3StringToSign,
  canonicalUri,
  EMPTY_PAYLOAD_SHA256,
  parseAcs3Authorization,
  sha256Hex,
} from '../../src/protocol/acs3-signature.ts';
import { parseUrlEncoded } from '../../src/protocol/url-encoded.ts';
import type { WireRequest } from '../../src/protocol/wire-request.ts';

const OpenApiUtil = $OpenApiUtil.default;
type TeaRequest = Parameters<typeof OpenApiUtil.getAuthorization>[0];

function wire(headers: Record<string, string>, query: Record<string, string>, method = 'POST'): WireRequest {
  return { method, path: '/', rawQuery: stringify(query), headers, body: Buffer.alloc(0) };
}

describe('ACS3 canonical strings', () => {
  it('parses the Authorization header', () => {
    expect(
      parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=AK1,SignedHeaders=host;x-acs-date,Signature=abc'),
    ).toEqual({
      algorithm: 'ACS3-HMAC-SHA256',
      accessKeyId: 'AK1',
      signedHeaders: ['host', 'x-acs-date'],
      signature: 'abc',
    });
    // Some hand-written clients put a space after each comma.
    expect(
      parseAcs3Authorization('ACS3-HMAC-SHA256 Credential=AK1, SignedHeaders=host, Signature=abc').signature,
    ).toBe('abc');
  });

  it('hashes an empty payload to the well-known SHA-256', () => {
    expect(sha256Hex(Buffer.alloc(0))).toBe(EMPTY_PAYLOAD_SHA256);
  });

  it('applies the SDK substitutions to the canonical URI', () => {
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalUri('/a+b*c%7Ed')).toBe('/a%20b%2Ac~d');
  });

  it('sorts decoded query pairs by key and re-encodes values only', () => {
    const pairs = parseUrlEncoded(stringify({ b: "x!'()* y", a: '中', 'Sources.1.URI': 'oss://b/k' }), 'q');
    expect(acs3CanonicalQuery(pairs)).toBe(
      'Sources.1.URI=oss%3A%2F%2Fb%2Fk&a=%E4%B8%AD&b=x%21%27%28%29%2A%20y',
    );
  });

  it('lists signed headers sorted, lowercase, trimmed, one per line', () => {
    const req = wire({ host: 'h:1', 'x-acs-date': ' 2024-01-02T03:04:05Z ', 'x-acs-action': 'GetTask' }, {});
    expect(acs3CanonicalHeaders(req, ['x-acs-date', 'host', 'x-acs-action'])).toBe(
      'host:h:1\nx-acs-action:GetTask\nx-acs-date:2024-01-02T03:04:05Z\n',
    );
  });

  it('builds the canonical request with the empty line before SignedHeaders', () => {
    const req = wire({ host: 'h', 'x-acs-date': '2024-01-02T03:04:05Z' }, { A: '1' }, 'post');
    expect(acs3CanonicalRequest(req, [['A', '1']], ['host', 'x-acs-date'], EMPTY_PAYLOAD_SHA256)).toBe(
      `POST\n/\nA=1\nhost:h\nx-acs-date:2024-01-02T03:04:05Z\n\nhost;x-acs-date\n${EMPTY_PAYLOAD_SHA256}`,
    );
  });

  it('matches the signature of the real client for arbitrary query values and headers', () => {
    const key = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,8}(\.[1-9](\.[A-Z][a-z]{0,4})?)?$/);
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.string({ unit: 'grapheme', maxLength: 40 }), { maxKeys: 6 }),
        fc.stringMatching(/^[!-~]{1,20}$/),
        fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
        (query, nonce, secret) => {
          const headers = {
            host: 'imm.cn-hangzhou.aliyuncs.com',
            'x-acs-action': 'CreateMediaConvertTask',
            'x-acs-version': '2020-09-30',
            'x-acs-date': '2024-05-06T07:08:09Z',
            'x-acs-signature-nonce': nonce,
            'x-acs-content-sha256': EMPTY_PAYLOAD_SHA256,
          };
          const teaRequest = {
            method: 'POST',
            pathname: '/',
            query: { ...query },
            headers,
          } as unknown as TeaRequest;
          const expected = OpenApiUtil.getAuthorization(
            teaRequest,
            'ACS3-HMAC-SHA256',
            EMPTY_PAYLOAD_SHA256,
            'AK',
            secret,
          );
          const req = wire(headers, query);
          const signedHeaders = Object.keys(headers).sort();
          const canonical = acs3CanonicalRequest(
            req,
            parseUrlEncoded(req.rawQuery, 'q'),
            signedHeaders,
            EMPTY_PAYLOAD_SHA256,
          );
          const signature = acs3Signature(secret, acs3StringToSign(canonical));
          expect(expected).toBe(
            `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
