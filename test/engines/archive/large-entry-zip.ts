/** A zip with two large entries (deflated, stored) and a small one, for the large-entry tests. */
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createZipStream, type ZipStreamEntry } from '../../../src/engines/archive/zip-stream.ts';

export const MIB = 1024 * 1024;

/** Text-like bytes that deflate compresses, but not to nothing. */
export const textLike = (n: number) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 97 + ((i * 31 + (i >> 9)) % 26);
  return b;
};

export const zipEntry = (p: string, data: Buffer, level: number): ZipStreamEntry => ({
  path: p,
  size: data.length,
  mtime: new Date('2024-05-06T07:08:10Z'),
  level,
  open: async () => Readable.from([data]),
});

/** The entries' contents by name. */
export const largeEntryContents = new Map([
  ['big.txt', textLike(3 * MIB + 17)],
  ['stored.bin', textLike(2 * MIB + 5).reverse()],
  ['small.txt', Buffer.from('small')],
]);

/** `big.txt` deflated, `stored.bin` stored, `small.txt` deflated. */
export async function makeLargeEntryZip(): Promise<Buffer> {
  const c = largeEntryContents;
  const entries = [
    zipEntry('big.txt', c.get('big.txt')!, 6),
    zipEntry('stored.bin', c.get('stored.bin')!, 0),
    zipEntry('small.txt', c.get('small.txt')!, 6),
  ];
  return buffer(createZipStream(entries, { chunkBytes: 256 * 1024 }));
}
