/**
 * Known-answer tests: requests signed by the real `@alicloud/openapi-core` client (as the generated IMM
 * SDK sends them) must be accepted, and every kind of forgery refused.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractActionAndVersion } from '../../src/protocol/action-version.ts';
import { authenticate } from '../../src/protocol/authenticate.ts';
import type { WireRequest } from '../../src/protocol/wire-request.ts';
import {
  AK,
  copyRequest,
  expectImmError,
  makeDeps,
  SECRET,
  SOURCES,
  tamperBody,
  tamperQuery,
  withHeaders,
} from './auth-fixtures.ts';
import { type CaptureServer, startCaptureServer } from './capture-server.ts';
import { callOpenApi } from './sdk-clients.ts';

const USER_DATA = "note: a+b=c & d!'()* ~ 中文 émoji 😀";

const variants = [
  { name: 'ACS3-HMAC-SHA256 (default)', signatureAlgorithm: undefined, scheme: 'ACS3-HMAC-SHA256' },
  { name: 'RPC v1 HMAC-SHA1 (signatureAlgorithm v2)', signatureAlgorithm: 'v2', scheme: 'HMAC-SHA1' },
] as const;

describe.each(variants)('openapi-core, $name', ({ signatureAlgorithm, scheme }) => {
  let server: CaptureServer;
  let queryRequest: WireRequest;
  let bodyRequest: WireRequest;

  beforeAll(async () => {
    server = await startCaptureServer();
    const creds = { accessKeyId: AK, accessKeySecret: SECRET };
    await callOpenApi(server.endpoint, creds, {
      action: 'CreateFileCompressionTask',
      signatureAlgorithm,
      query: {
        ProjectName: 'proj',
        Sources: SOURCES,
        TargetURI: 'oss://bucket/out/a.zip',
        UserData: USER_DATA,
      },
    });
    queryRequest = server.last();
    await callOpenApi(server.endpoint, creds, {
      action: 'CreateOfficeConversionTask',
      signatureAlgorithm,
      query: { ProjectName: 'proj', TargetType: 'pdf', TargetURIPrefix: 'oss://bucket/out/' },
      body: { Sources: SOURCES },
    });
    bodyRequest = server.last();
  });

  afterAll(() => server.close());

  it('accepts a query-carrying request and returns its decoded parameters', async () => {
    const result = await authenticate(queryRequest, makeDeps());
    expect(result).toEqual({
      action: 'CreateFileCompressionTask',
      version: '2020-09-30',
      accessKeyId: AK,
      scheme,
      params: {
        ProjectName: 'proj',
        Sources: SOURCES,
        TargetURI: 'oss://bucket/out/a.zip',
        UserData: USER_DATA,
      },
    });
  });

  it('accepts a body-carrying request and takes Sources from the form body', async () => {
    expect(bodyRequest.body.length).toBeGreaterThan(0);
    expect(bodyRequest.rawQuery).not.toContain('Sources');
    const result = await authenticate(bodyRequest, makeDeps());
    expect(result.action).toBe('CreateOfficeConversionTask');
    expect(result.scheme).toBe(scheme);
    expect(result.params).toEqual({
      ProjectName: 'proj',
      TargetType: 'pdf',
      TargetURIPrefix: 'oss://bucket/out/',
      Sources: SOURCES,
    });
  });

  it('finds Action and Version where this client puts them', () => {
    expect(extractActionAndVersion(queryRequest)).toEqual({
      action: 'CreateFileCompressionTask',
      version: '2020-09-30',
    });
    const withoutHeaders = withHeaders(bodyRequest, {
      'x-acs-action': undefined,
      'x-acs-version': undefined,
    });
    if (scheme === 'HMAC-SHA1') {
      // RPC v1 also sends Action/Version in the query.
      expect(extractActionAndVersion(withoutHeaders).action).toBe('CreateOfficeConversionTask');
    } else {
      expect(queryRequest.rawQuery).not.toContain('Action=');
      expect(() => extractActionAndVersion(withoutHeaders)).toThrow(/Action/);
    }
  });

  it('rejects a wrong secret with SignatureDoesNotMatch', async () => {
    await expectImmError(
      authenticate(queryRequest, makeDeps({ secrets: { [AK]: 'wrong' } })),
      'SignatureDoesNotMatch',
    );
    await expectImmError(
      authenticate(bodyRequest, makeDeps({ secrets: { [AK]: 'wrong' } })),
      'SignatureDoesNotMatch',
    );
  });

  it('rejects a replayed request with SignatureNonceUsed', async () => {
    const deps = makeDeps();
    await authenticate(queryRequest, deps);
    await expectImmError(authenticate(copyRequest(queryRequest), deps), 'SignatureNonceUsed');
  });

  it('remembers a nonce only after the signature verified', async () => {
    const deps = makeDeps();
    await expectImmError(
      authenticate(queryRequest, { ...deps, lookupSecret: async () => 'wrong' }),
      'SignatureDoesNotMatch',
    );
    await expect(authenticate(queryRequest, deps)).resolves.toMatchObject({ accessKeyId: AK });
  });

  it('rejects a clock 20 minutes off either way with InvalidTimeStamp.Expired', async () => {
    const twenty = 20 * 60 * 1000;
    await expectImmError(
      authenticate(queryRequest, makeDeps({ nowMs: Date.now() + twenty })),
      'InvalidTimeStamp.Expired',
    );
    await expectImmError(
      authenticate(queryRequest, makeDeps({ nowMs: Date.now() - twenty })),
      'InvalidTimeStamp.Expired',
    );
    // 10 minutes is inside IMM's 15-minute window.
    await expect(
      authenticate(queryRequest, makeDeps({ nowMs: Date.now() + 10 * 60 * 1000 })),
    ).resolves.toBeDefined();
  });

  it('rejects an unknown AccessKeyId with InvalidAccessKeyId.NotFound', async () => {
    await expectImmError(
      authenticate(queryRequest, makeDeps({ secrets: {} })),
      'InvalidAccessKeyId.NotFound',
    );
  });

  it('rejects a tampered query with SignatureDoesNotMatch', async () => {
    const moved = tamperQuery(queryRequest, 'ProjectName=proj', 'ProjectName=other');
    await expectImmError(authenticate(moved, makeDeps()), 'SignatureDoesNotMatch');
    const added = copyRequest(queryRequest, { rawQuery: `${queryRequest.rawQuery}&Password=x` });
    await expectImmError(authenticate(added, makeDeps()), 'SignatureDoesNotMatch');
  });

  it('rejects a tampered body with SignatureDoesNotMatch', async () => {
    const tampered = tamperBody(bodyRequest, 'plain.txt', 'plain.exe');
    await expectImmError(authenticate(tampered, makeDeps()), 'SignatureDoesNotMatch');
    if (scheme === 'ACS3-HMAC-SHA256') {
      // Re-hashing the forged body does not help: the hash header is itself signed.
      const rehashed = withHeaders(tampered, {
        'x-acs-content-sha256': createHash('sha256').update(tampered.body).digest('hex'),
      });
      await expectImmError(authenticate(rehashed, makeDeps()), 'SignatureDoesNotMatch');
    }
  });

  it('cannot be re-routed to another action through the x-acs-action header', async () => {
    const rerouted = withHeaders(queryRequest, { 'x-acs-action': 'DeleteProject' });
    const err = await authenticate(rerouted, makeDeps()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: scheme === 'HMAC-SHA1' ? 'InvalidArgument' : 'SignatureDoesNotMatch' });
  });
});

describe('openapi-core, special requests', () => {
  let server: CaptureServer;
  beforeAll(async () => {
    server = await startCaptureServer();
  });
  afterAll(() => server.close());

  it.each([undefined, 'v2'])(
    'verifies a request line over 32 KB (signatureAlgorithm %s)',
    async (signatureAlgorithm) => {
      const many = JSON.stringify(
        Array.from({ length: 400 }, (_, i) => ({
          URI: `oss://bucket/batch/${i} (copy)*!'.jpg`,
          Alias: `/${i}`,
        })),
      );
      await callOpenApi(
        server.endpoint,
        { accessKeyId: AK, accessKeySecret: SECRET },
        {
          action: 'CreateFileCompressionTask',
          signatureAlgorithm,
          query: { ProjectName: 'proj', Sources: many, TargetURI: 'oss://bucket/out/big.zip' },
        },
      );
      const req = server.last();
      expect(req.rawQuery.length).toBeGreaterThan(32 * 1024);
      const result = await authenticate(req, makeDeps());
      expect(result.params.Sources).toBe(many);
    },
  );

  it.each([undefined, 'v2'])(
    'lets the form body win over the query (signatureAlgorithm %s)',
    async (signatureAlgorithm) => {
      await callOpenApi(
        server.endpoint,
        { accessKeyId: AK, accessKeySecret: SECRET },
        {
          action: 'CreateOfficeConversionTask',
          signatureAlgorithm,
          query: { ProjectName: 'proj', UserData: 'from-query' },
          body: { UserData: 'from-body', Sources: SOURCES },
        },
      );
      const result = await authenticate(server.last(), makeDeps());
      expect(result.params).toEqual({ ProjectName: 'proj', UserData: 'from-body', Sources: SOURCES });
    },
  );

  it.each([
    [undefined, 'ACS3-HMAC-SHA256'],
    ['v2', 'HMAC-SHA1'],
  ])('returns the STS security token (signatureAlgorithm %s)', async (signatureAlgorithm, scheme) => {
    const creds = {
      accessKeyId: 'STS.NUTemporaryKey',
      accessKeySecret: 'temp-secret',
      securityToken: 'CAIS-token+/=',
    };
    await callOpenApi(server.endpoint, creds, {
      action: 'GetTask',
      signatureAlgorithm,
      query: { ProjectName: 'proj', TaskType: 'FileCompression', TaskId: 'FileCompression-1' },
    });
    const result = await authenticate(
      server.last(),
      makeDeps({ secrets: { 'STS.NUTemporaryKey': 'temp-secret' } }),
    );
    expect(result).toMatchObject({
      accessKeyId: 'STS.NUTemporaryKey',
      securityToken: 'CAIS-token+/=',
      scheme,
    });
    expect(result.params).toEqual({
      ProjectName: 'proj',
      TaskType: 'FileCompression',
      TaskId: 'FileCompression-1',
    });
  });
});
