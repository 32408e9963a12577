import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentEncode } from '../../src/protocol/encode.ts';

describe('percentEncode', () => {
  it("escapes the characters encodeURIComponent leaves alone (!'()*)", () => {
    expect(percentEncode("!'()*")).toBe('%21%27%28%29%2A');
  });

  it('keeps RFC 3986 unreserved characters literal and encodes space as %20', () => {
    expect(percentEncode('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(percentEncode('a b+c/d=e&f')).toBe('a%20b%2Bc%2Fd%3De%26f');
  });

  it('encodes non-ASCII as UTF-8 bytes with uppercase hex', () => {
    expect(percentEncode('é中😀')).toBe('%C3%A9%E4%B8%AD%F0%9F%98%80');
  });

  it('produces only unreserved characters and %XX escapes, and round-trips', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const encoded = percentEncode(s);
        expect(encoded).toMatch(/^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})*$/);
        expect(decodeURIComponent(encoded)).toBe(s);
      }),
    );
  });
});
