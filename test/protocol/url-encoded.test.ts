import { describe, expect, it } from 'vitest';
import { ImmError } from '../../src/protocol/errors.ts';
import { parseUrlEncoded } from '../../src/protocol/url-encoded.ts';

describe('parseUrlEncoded', () => {
  it('keeps pairs in order and decodes %XX, + as space and %2B as plus', () => {
    expect(parseUrlEncoded('b=1+2&a=%2B%20x&c=%E4%B8%AD', 'query')).toEqual([
      ['b', '1 2'],
      ['a', '+ x'],
      ['c', '中'],
    ]);
  });

  it("passes through the characters Node's querystring leaves raw", () => {
    expect(parseUrlEncoded("U=a!'()*~", 'query')).toEqual([['U', "a!'()*~"]]);
  });

  it('treats a key without = as an empty value and skips empty parts', () => {
    expect(parseUrlEncoded('&a&&b=&', 'query')).toEqual([
      ['a', ''],
      ['b', ''],
    ]);
    expect(parseUrlEncoded('', 'query')).toEqual([]);
  });

  it('keeps = inside values', () => {
    expect(parseUrlEncoded('k=a=b', 'query')).toEqual([['k', 'a=b']]);
  });

  it.each(['a=%zz', 'a=%E4%B8', 'a=%FF', '%C3=1'])(
    'rejects malformed escapes or invalid UTF-8: %s',
    (raw) => {
      let err: unknown;
      try {
        parseUrlEncoded(raw, 'query string');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ImmError);
      expect((err as ImmError).code).toBe('InvalidArgument');
      expect((err as ImmError).message).toContain('query string');
    },
  );
});
