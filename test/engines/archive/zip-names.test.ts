import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeName, detectNameEncoding, type RawName } from '../../../src/engines/archive/zip-names.ts';

const raw = (bytes: Buffer, flags = 0, extraFields: RawName['extraFields'] = []): RawName => ({
  bytes,
  flags,
  extraFields,
});

describe('zip name decoding', () => {
  it('trusts the UTF-8 flag', () => {
    const n = raw(Buffer.from('目录/文件.txt'), 0x800);
    expect(decodeName(n, detectNameEncoding([n]))).toBe('目录/文件.txt');
  });

  it('detects unflagged UTF-8 (macOS, Linux zip), GBK (Chinese Windows) and CP437 (DOS)', () => {
    const utf8 = [raw(Buffer.from('résumé.txt')), raw(Buffer.from('plain.txt'))];
    expect(detectNameEncoding(utf8)).toBe('utf8');
    const gbk = [raw(iconv.encode('中文目录/报告.txt', 'gbk')), raw(iconv.encode('数据.csv', 'gbk'))];
    expect(detectNameEncoding(gbk)).toBe('gbk');
    expect(decodeName(gbk[0]!, 'gbk')).toBe('中文目录/报告.txt');
    const dos = [raw(iconv.encode('café.txt', 'cp437'))];
    expect(detectNameEncoding(dos)).toBe('cp437');
    expect(decodeName(dos[0]!, 'cp437')).toBe('café.txt');
  });

  it('uses a valid Info-ZIP Unicode Path field over the raw bytes', () => {
    const bytes = iconv.encode('caf\u00e9.txt', 'cp437');
    const { crc32 } = require('node:zlib') as typeof import('node:zlib');
    const utf8 = Buffer.from('café.txt');
    const field = Buffer.concat([Buffer.from([1]), Buffer.alloc(4), utf8]);
    field.writeUInt32LE(crc32(bytes), 1);
    const n = raw(bytes, 0, [{ id: 0x7075, data: field }]);
    expect(decodeName(n, detectNameEncoding([n]))).toBe('café.txt');
  });
});
