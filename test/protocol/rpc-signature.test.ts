import { $OpenApiUtil } from '@alicloud/openapi-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rpcCanonicalizedQuery, rpcSignature, rpcStringToSign } from '../../src/protocol/rpc-signature.ts';

const OpenApiUtil = $OpenApiUtil.default;

describe('RPC v1 canonical strings', () => {
  it('sorts by name, percent-encodes both sides and leaves Signature out', () => {
    const params = new Map([
      ['Timestamp', '2024-01-02T03:04:05Z'],
      ['Signature', 'ignored'],
      ['Action', 'GetTask'],
      ['UserData', "a b!'()*"],
      ['Sources.1.URI', 'oss://b/中'],
    ]);
    expect(rpcCanonicalizedQuery(params)).toBe(
      'Action=GetTask&Sources.1.URI=oss%3A%2F%2Fb%2F%E4%B8%AD&Timestamp=2024-01-02T03%3A04%3A05Z&UserData=a%20b%21%27%28%29%2A',
    );
  });

  it('builds METHOD&%2F&encode(canonicalized)', () => {
    expect(rpcStringToSign('get', 'A=1&B=x%20y')).toBe('GET&%2F&A%3D1%26B%3Dx%2520y');
  });

  it('matches the real client for arbitrary parameters', () => {
    const key = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,8}(\.[1-9](\.[A-Z][a-z]{0,4})?)?$/);
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.string({ unit: 'grapheme', maxLength: 40 }), { minKeys: 1, maxKeys: 8 }),
        fc.constantFrom('GET', 'POST'),
        fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
        (params, method, secret) => {
          const expected = OpenApiUtil.getRPCSignature({ ...params }, method, secret);
          const ours = rpcSignature(
            secret,
            rpcStringToSign(method, rpcCanonicalizedQuery(new Map(Object.entries(params)))),
          );
          expect(ours).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
