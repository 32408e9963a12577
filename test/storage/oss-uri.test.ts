import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImmError } from '../../src/protocol/errors.ts';
import {
  formatOssUri,
  keyProblem,
  parseOssObjectUri,
  parseOssPrefixUri,
  parseOssUri,
} from '../../src/storage/oss-uri.ts';

function errorOf(fn: () => unknown): ImmError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImmError) return err;
    throw err;
  }
  throw new Error('expected an ImmError');
}

describe('parseOssUri', () => {
  it('splits bucket and key, keeping the key literal', () => {
    expect(parseOssUri('oss://test-bucket/test-object/test.docx')).toEqual({
      bucket: 'test-bucket',
      key: 'test-object/test.docx',
    });
    expect(parseOssUri('oss://b12/a%20b+c 中文.png').key).toBe('a%20b+c 中文.png');
  });

  it('accepts an empty key and prefixes', () => {
    expect(parseOssUri('oss://bucket1')).toEqual({ bucket: 'bucket1', key: '' });
    expect(parseOssUri('oss://bucket1/')).toEqual({ bucket: 'bucket1', key: '' });
    expect(parseOssUri('oss://bucket1/out/')).toEqual({ bucket: 'bucket1', key: 'out/' });
  });

  it.each([
    ['http://bucket.oss-cn-hangzhou.aliyuncs.com/a.png', 'OSS URI of the form'],
    ['oss://bucket.oss-cn-hangzhou.aliyuncs.com/a.png', 'not an endpoint'],
    ['oss:///a.png', 'no bucket'],
    ['bucket/a.png', 'OSS URI of the form'],
    ['OSS://bucket/a.png', 'OSS URI of the form'],
    ['', 'empty'],
    ['oss://Bucket/a', 'not valid'],
    ['oss://ab/a', 'not valid'],
    ['oss://-ab/a', 'not valid'],
    ['oss://b_c1/a', 'not valid'],
    ['oss://bucket//a', 'must not start with "/"'],
    ['oss://bucket/a/../../etc/passwd', '".." path segments'],
    ['oss://bucket/a/./b', '"." path segments'],
    ['oss://bucket/a//b', 'empty path segments'],
    ['oss://bucket/..', '".." path segments'],
    ['oss://bucket/a\u0000b', 'control characters'],
    [`oss://bucket/${'k'.repeat(1024)}`, 'longer than 1023 bytes'],
  ])('refuses %j with InvalidArgument', (uri, fragment) => {
    const err = errorOf(() => parseOssUri(uri, 'SourceURI'));
    expect(err.code).toBe('InvalidArgument');
    expect(err.httpStatus).toBe(400);
    expect(err.message).toContain('SourceURI');
    expect(err.message).toContain(fragment);
  });

  it('counts the key limit in UTF-8 bytes', () => {
    expect(() => parseOssUri(`oss://bucket/${'中'.repeat(341)}`)).not.toThrow();
    expect(() => parseOssUri(`oss://bucket/${'中'.repeat(342)}`)).toThrow(/1023 bytes/);
  });

  it('keeps names that only look like dot segments', () => {
    expect(keyProblem('..a/b..')).toBeNull();
    expect(keyProblem('a/.hidden')).toBeNull();
  });
});

describe('object and prefix forms', () => {
  it('requires an object key where one object is meant', () => {
    expect(parseOssObjectUri('oss://bucket/a.zip').key).toBe('a.zip');
    expect(errorOf(() => parseOssObjectUri('oss://bucket/out/', 'TargetURI')).message).toMatch(
      /TargetURI.*must name an object/,
    );
    expect(() => parseOssObjectUri('oss://bucket')).toThrow(ImmError);
  });

  it('requires a trailing slash where a prefix is meant', () => {
    expect(parseOssPrefixUri('oss://bucket/out/').key).toBe('out/');
    expect(parseOssPrefixUri('oss://bucket/').key).toBe('');
    expect(errorOf(() => parseOssPrefixUri('oss://bucket/out', 'TargetURIPrefix')).message).toMatch(
      /TargetURIPrefix.*end with "\/"/,
    );
  });

  it('formats what it parses', () => {
    const uri = 'oss://bucket-1/dir/file name.txt';
    const { bucket, key } = parseOssUri(uri);
    expect(formatOssUri(bucket, key)).toBe(uri);
  });
});

describe('OSS URI properties', () => {
  const bucket = fc
    .tuple(
      fc.constantFrom(...'abcz09'.split('')),
      fc.array(fc.constantFrom(...'ab-9'.split('')), { minLength: 1, maxLength: 20 }),
      fc.constantFrom(...'xy7'.split('')),
    )
    .map(([a, mid, z]) => `${a}${mid.join('')}${z}`);
  const segment = fc
    .array(fc.constantFrom(...'aZ9 -_.%+中é()'.split('')), { minLength: 1, maxLength: 8 })
    .map((c) => c.join(''))
    .filter((s) => s !== '.' && s !== '..');
  const key = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('/'));

  it('parses what formatOssUri writes, keeping the key literal', () => {
    fc.assert(
      fc.property(bucket, key, fc.boolean(), (b, k, prefix) => {
        const uri = formatOssUri(b, prefix ? `${k}/` : k);
        expect(parseOssUri(uri)).toEqual({ bucket: b, key: prefix ? `${k}/` : k });
        if (prefix) expect(parseOssPrefixUri(uri).key).toBe(`${k}/`);
        else expect(parseOssObjectUri(uri).key).toBe(k);
      }),
    );
  });

  it('refuses every key with a . or .. segment, an empty inner segment or a leading /', () => {
    const bad = fc.oneof(
      fc.tuple(key, fc.constantFrom('.', '..'), key).map(([a, d, b]) => `${a}/${d}/${b}`),
      fc.tuple(fc.constantFrom('.', '..'), key).map(([d, b]) => `${d}/${b}`),
      fc.tuple(key, key).map(([a, b]) => `${a}//${b}`),
      key.map((k) => `/${k}`),
    );
    fc.assert(
      fc.property(bucket, bad, (b, k) => {
        expect(errorOf(() => parseOssUri(formatOssUri(b, k), 'TargetURI'))).toMatchObject({
          code: 'InvalidArgument',
        });
        expect(keyProblem(k)).not.toBeNull();
      }),
    );
  });

  it('never accepts a key that resolves outside its bucket', () => {
    const anyChar = fc.constantFrom(...'a./\\%2e'.split(''));
    fc.assert(
      fc.property(fc.array(anyChar, { maxLength: 24 }), (chars) => {
        const k = chars.join('');
        if (keyProblem(k) !== null) return;
        const resolved = path.posix.resolve('/root', k);
        expect(resolved.startsWith('/root/') || resolved === '/root').toBe(true);
        expect(k.split('/')).not.toContain('..');
      }),
      { numRuns: 500 },
    );
  });
});
