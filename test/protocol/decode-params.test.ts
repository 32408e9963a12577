import { stringify } from 'node:querystring';
import { describe, expect, it } from 'vitest';
import { decodeParams } from '../../src/protocol/decode-params.ts';
import { ImmError } from '../../src/protocol/errors.ts';
import type { WireRequest } from '../../src/protocol/wire-request.ts';

function request(
  query: Record<string, string>,
  form?: Record<string, string>,
  contentType?: string,
): WireRequest {
  const body = form ? Buffer.from(stringify(form)) : Buffer.alloc(0);
  const headers: WireRequest['headers'] = { host: 'h' };
  if (form) headers['content-type'] = contentType ?? 'application/x-www-form-urlencoded';
  return { method: 'POST', path: '/', rawQuery: stringify(query), headers, body };
}

function immError(fn: () => unknown): ImmError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImmError) return err;
    throw err;
  }
  throw new Error('expected an ImmError');
}

describe('decodeParams', () => {
  it('leaves JSON-in-param values as the strings the client sent', () => {
    const sources = JSON.stringify([{ URI: "oss://b/It's *x*.docx", Alias: '/中 文' }]);
    const notification = JSON.stringify({ MNS: { TopicName: 't' } });
    expect(
      decodeParams(request({ Sources: sources, Notification: notification, Tags: '{"k":"v"}' })),
    ).toEqual({
      Sources: sources,
      Notification: notification,
      Tags: '{"k":"v"}',
    });
  });

  it('removes the RPC common parameters and keeps business ones (RegionId included)', () => {
    const params = decodeParams(
      request({
        Action: 'GetTask',
        Version: '2020-09-30',
        Format: 'JSON',
        AccessKeyId: 'AK',
        SignatureMethod: 'HMAC-SHA1',
        SignatureVersion: '1.0',
        SignatureNonce: 'n',
        Timestamp: '2024-01-01T00:00:00Z',
        SecurityToken: 'tok',
        Signature: 'sig',
        ProjectName: 'p',
        RegionId: 'cn-hangzhou',
      }),
    );
    expect(params).toEqual({ ProjectName: 'p', RegionId: 'cn-hangzhou' });
  });

  it('merges query and form body, the body winning on duplicates', () => {
    const params = decodeParams(
      request({ ProjectName: 'q', Sources: 'from-query' }, { Sources: 'from-body', UserData: 'u' }),
    );
    expect(params).toEqual({ ProjectName: 'q', Sources: 'from-body', UserData: 'u' });
  });

  it('accepts a charset on the form content type', () => {
    const req = request({}, { Sources: '中' }, 'application/x-www-form-urlencoded; charset=UTF-8');
    expect(decodeParams(req)).toEqual({ Sources: '中' });
  });

  it('rebuilds flattened arrays of objects in index order (numeric, not lexical)', () => {
    const query: Record<string, string> = { ProjectName: 'p' };
    for (let i = 1; i <= 11; i++) query[`Sources.${i}.URI`] = `oss://b/${i}`;
    query['Sources.2.Alias'] = '/two';
    const params = decodeParams(request(query));
    const sources = params.Sources as Array<Record<string, string>>;
    expect(sources).toHaveLength(11);
    expect(sources.map((s) => s.URI)).toEqual(Array.from({ length: 11 }, (_, i) => `oss://b/${i + 1}`));
    expect(sources[1]).toEqual({ URI: 'oss://b/2', Alias: '/two' });
    expect(params.ProjectName).toBe('p');
    expect(Object.keys(params).some((k) => k.includes('.'))).toBe(false);
  });

  it('rebuilds nested lists, scalar lists and objects', () => {
    const params = decodeParams(
      request({
        'Tag.1.Key': 'env',
        'Tag.1.Value': 'prod',
        'TaskTypes.1': 'MediaConvert',
        'TaskTypes.2': 'FileCompression',
        'Targets.1.Video.Codec': 'h264',
        'Targets.1.Segments.1.Duration': '10',
      }),
    );
    expect(params).toEqual({
      Tag: [{ Key: 'env', Value: 'prod' }],
      TaskTypes: ['MediaConvert', 'FileCompression'],
      Targets: [{ Video: { Codec: 'h264' }, Segments: [{ Duration: '10' }] }],
    });
  });

  it('rebuilds flattened parameters from the form body too', () => {
    expect(decodeParams(request({}, { 'Sources.1.URI': 'oss://b/k' }))).toEqual({
      Sources: [{ URI: 'oss://b/k' }],
    });
  });

  it('prefers the JSON-in-param value when both forms are present', () => {
    const params = decodeParams(
      request({ Sources: '[{"URI":"oss://b/json"}]', 'Sources.1.URI': 'oss://b/flat' }),
    );
    expect(params.Sources).toBe('[{"URI":"oss://b/json"}]');
  });

  it('does not let a flattened __proto__ key reach any prototype', () => {
    const params = decodeParams(request({ '__proto__.polluted': 'yes', 'X.__proto__.polluted': 'yes' }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(Object.keys(params).sort()).toEqual(['X', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(params, '__proto__')?.value).toEqual({ polluted: 'yes' });
  });

  it('refuses a flattened key that is both a value and a container', () => {
    const err = immError(() => decodeParams(request({ 'Sources.1': 'a', 'Sources.1.URI': 'b' })));
    expect(err.code).toBe('InvalidArgument');
  });

  it('refuses a key repeated in the query (a second copy could dodge the signature)', () => {
    const req: WireRequest = {
      method: 'GET',
      path: '/',
      rawQuery: 'ProjectName=a&ProjectName=b',
      headers: {},
      body: Buffer.alloc(0),
    };
    expect(immError(() => decodeParams(req)).message).toContain('ProjectName');
  });

  it('refuses a body that is not a UTF-8 form', () => {
    expect(immError(() => decodeParams(request({}, { A: '1' }, 'application/json'))).code).toBe(
      'InvalidArgument',
    );
    expect(
      immError(() => decodeParams(request({}, { A: '1' }, 'application/x-www-form-urlencoded; charset=gbk')))
        .code,
    ).toBe('InvalidArgument');
    const invalidUtf8: WireRequest = {
      ...request({}, { A: '1' }),
      body: Buffer.from([0x41, 0x3d, 0xff]),
    };
    expect(immError(() => decodeParams(invalidUtf8)).message).toContain('UTF-8');
  });
});
