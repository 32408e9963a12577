/**
 * Known-answer tests with the legacy `@alicloud/pop-core` RPC client: common parameters travel in the
 * query (GET) or the form body (POST), and arrays of objects arrive flattened (`Sources.1.URI`).
 */
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
  tamperBody,
  tamperQuery,
  withHeaders,
} from './auth-fixtures.ts';
import { type CaptureServer, startCaptureServer } from './capture-server.ts';
import { callPopCore } from './sdk-clients.ts';

const NOTIFICATION = JSON.stringify({ MNS: { TopicName: 'imm-events' } });
const PARAMS = {
  ProjectName: 'proj',
  Sources: [
    { URI: "oss://bucket/in/It's (draft) *final*! 报告.docx", Alias: '/x y' },
    { URI: 'oss://bucket/in/b.txt' },
  ],
  Notification: NOTIFICATION,
  TargetURI: 'oss://bucket/out/a.zip',
};
const EXPECTED_PARAMS = {
  ProjectName: 'proj',
  Sources: [
    { URI: "oss://bucket/in/It's (draft) *final*! 报告.docx", Alias: '/x y' },
    { URI: 'oss://bucket/in/b.txt' },
  ],
  Notification: NOTIFICATION,
  TargetURI: 'oss://bucket/out/a.zip',
};

describe.each(['POST', 'GET'] as const)('pop-core %s', (method) => {
  let server: CaptureServer;
  let request: WireRequest;

  beforeAll(async () => {
    server = await startCaptureServer();
    await callPopCore(
      server.endpoint,
      { accessKeyId: AK, accessKeySecret: SECRET },
      'CreateFileCompressionTask',
      PARAMS,
      method,
    );
    request = server.last();
  });
  afterAll(() => server.close());

  it('puts the signed parameters where expected', () => {
    const carrier = method === 'POST' ? request.body.toString('utf8') : request.rawQuery;
    expect(carrier).toContain('Signature=');
    expect(carrier).toContain('Sources.1.URI=');
    expect(method === 'POST' ? request.rawQuery : request.body.length).toBeFalsy();
  });

  it('accepts the request and rebuilds the flattened Sources', async () => {
    const result = await authenticate(request, makeDeps());
    expect(result).toEqual({
      action: 'CreateFileCompressionTask',
      version: '2020-09-30',
      accessKeyId: AK,
      scheme: 'HMAC-SHA1',
      params: EXPECTED_PARAMS,
    });
  });

  it('finds Action and Version in the headers, and without them in the parameters', () => {
    const expected = { action: 'CreateFileCompressionTask', version: '2020-09-30' };
    expect(extractActionAndVersion(request)).toEqual(expected);
    const bare = withHeaders(request, { 'x-acs-action': undefined, 'x-acs-version': undefined });
    expect(extractActionAndVersion(bare)).toEqual(expected);
  });

  it('rejects forgeries and replays', async () => {
    await expectImmError(
      authenticate(request, makeDeps({ secrets: { [AK]: 'nope' } })),
      'SignatureDoesNotMatch',
    );
    await expectImmError(authenticate(request, makeDeps({ secrets: {} })), 'InvalidAccessKeyId.NotFound');
    const skew = 20 * 60 * 1000;
    await expectImmError(
      authenticate(request, makeDeps({ nowMs: Date.now() - skew })),
      'InvalidTimeStamp.Expired',
    );
    const tampered =
      method === 'POST'
        ? tamperBody(request, 'ProjectName=proj', 'ProjectName=prok')
        : tamperQuery(request, 'ProjectName=proj', 'ProjectName=prok');
    await expectImmError(authenticate(tampered, makeDeps()), 'SignatureDoesNotMatch');
    const deps = makeDeps();
    await authenticate(request, deps);
    await expectImmError(authenticate(copyRequest(request), deps), 'SignatureNonceUsed');
  });
});
