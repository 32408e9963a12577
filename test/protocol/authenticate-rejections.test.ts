/**
 * Malformed or incomplete signatures, built by editing requests the real client signed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/protocol/authenticate.ts';
import { headerValue, type WireRequest } from '../../src/protocol/wire-request.ts';
import {
  AK,
  copyRequest,
  expectImmError,
  makeDeps,
  SECRET,
  tamperQuery,
  withHeaders,
} from './auth-fixtures.ts';
import { type CaptureServer, startCaptureServer } from './capture-server.ts';
import { callOpenApi } from './sdk-clients.ts';

let server: CaptureServer;
let acs3: WireRequest;
let rpc: WireRequest;

async function capture(signatureAlgorithm?: string): Promise<WireRequest> {
  await callOpenApi(
    server.endpoint,
    { accessKeyId: AK, accessKeySecret: SECRET },
    {
      action: 'GetTask',
      signatureAlgorithm,
      query: { ProjectName: 'proj', TaskType: 'MediaConvert', TaskId: 'MediaConvert-1' },
    },
  );
  return server.last();
}

beforeAll(async () => {
  server = await startCaptureServer();
  acs3 = await capture();
  rpc = await capture('v2');
});
afterAll(() => server.close());

function authorization(req: WireRequest): string {
  return headerValue(req, 'authorization')!;
}

describe('ACS3 rejections', () => {
  it.each(['ACS3-HMAC-SM3', 'ACS3-RSA-SHA256'])(
    'refuses the %s algorithm with IncompleteSignature',
    async (alg) => {
      const req = withHeaders(acs3, { authorization: authorization(acs3).replace('ACS3-HMAC-SHA256', alg) });
      const err = await expectImmError(authenticate(req, makeDeps()), 'IncompleteSignature');
      expect(err.message).toContain(alg);
    },
  );

  it('refuses an Authorization header without a Signature field', async () => {
    const req = withHeaders(acs3, { authorization: authorization(acs3).replace(/,Signature=[0-9a-f]+/, '') });
    await expectImmError(authenticate(req, makeDeps()), 'IncompleteSignature');
  });

  it.each([
    'x-acs-signature-nonce',
    'x-acs-date',
    'x-acs-content-sha256',
    'host',
    'x-acs-action',
    'x-acs-version',
  ])('refuses a signature that does not cover %s', async (name) => {
    const auth = authorization(acs3).replace(/SignedHeaders=([^,]+)/, (_, list: string) => {
      return `SignedHeaders=${list
        .split(';')
        .filter((h) => h !== name)
        .join(';')}`;
    });
    const err = await expectImmError(
      authenticate(withHeaders(acs3, { authorization: auth }), makeDeps()),
      'IncompleteSignature',
    );
    expect(err.message).toContain(name);
  });

  it('reports a malformed x-acs-date as InvalidTimeStamp.Format', async () => {
    const req = withHeaders(acs3, { 'x-acs-date': new Date().toUTCString() });
    await expectImmError(authenticate(req, makeDeps()), 'InvalidTimeStamp.Format');
  });

  it('reports a missing nonce as MissingSignatureNonce', async () => {
    const req = withHeaders(acs3, { 'x-acs-signature-nonce': undefined });
    await expectImmError(authenticate(req, makeDeps()), 'MissingSignatureNonce');
  });

  it('refuses a payload hash that does not match the body', async () => {
    const req = withHeaders(acs3, { 'x-acs-content-sha256': 'ab'.repeat(32) });
    await expectImmError(authenticate(req, makeDeps()), 'SignatureDoesNotMatch');
  });

  it('refuses a changed Host (the signature is bound to it)', async () => {
    const req = withHeaders(acs3, { host: 'imm.cn-hangzhou.aliyuncs.com' });
    await expectImmError(authenticate(req, makeDeps()), 'SignatureDoesNotMatch');
  });

  it('refuses a changed method', async () => {
    await expectImmError(
      authenticate(copyRequest(acs3, { method: 'GET' }), makeDeps()),
      'SignatureDoesNotMatch',
    );
  });
});

describe('RPC v1 rejections', () => {
  it('refuses an unsupported SignatureMethod with IncompleteSignature', async () => {
    const req = tamperQuery(rpc, 'SignatureMethod=HMAC-SHA1', 'SignatureMethod=HMAC-SHA256');
    await expectImmError(authenticate(req, makeDeps()), 'IncompleteSignature');
  });

  it('reports a missing SignatureNonce as MissingSignatureNonce', async () => {
    const req = copyRequest(rpc, { rawQuery: rpc.rawQuery.replace(/SignatureNonce=[0-9a-f]+&?/, '') });
    expect(req.rawQuery).not.toContain('SignatureNonce');
    await expectImmError(authenticate(req, makeDeps()), 'MissingSignatureNonce');
  });

  it('reports a malformed Timestamp as InvalidTimeStamp.Format', async () => {
    const req = copyRequest(rpc, {
      rawQuery: rpc.rawQuery.replace(/Timestamp=[^&]+/, 'Timestamp=1700000000'),
    });
    await expectImmError(authenticate(req, makeDeps()), 'InvalidTimeStamp.Format');
  });

  it('accepts a signature whose `+` a hand-written client left unescaped', async () => {
    let req = rpc;
    for (let i = 0; i < 40 && !req.rawQuery.includes('%2B'); i++) req = await capture('v2');
    expect(req.rawQuery).toMatch(/Signature=[^&]*%2B/);
    const raw = copyRequest(req, {
      rawQuery: req.rawQuery.replace(/Signature=[^&]+/, (s) => s.replace(/%2B/g, '+')),
    });
    await expect(authenticate(raw, makeDeps())).resolves.toMatchObject({ action: 'GetTask' });
  });
});

describe('unsigned requests', () => {
  it('refuses a request with neither an Authorization header nor a Signature', async () => {
    const req: WireRequest = {
      method: 'POST',
      path: '/',
      rawQuery: 'ProjectName=proj',
      headers: { host: '127.0.0.1', 'x-acs-action': 'GetTask', 'x-acs-version': '2020-09-30' },
      body: Buffer.alloc(0),
    };
    await expectImmError(authenticate(req, makeDeps()), 'IncompleteSignature');
    await expectImmError(
      authenticate(withHeaders(req, { authorization: 'Bearer abc' }), makeDeps()),
      'IncompleteSignature',
    );
  });
});
