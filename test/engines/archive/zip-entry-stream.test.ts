/**
 * Large zip entries are streamed from their data range and inflated (`zip-entry-stream.ts`): their bytes
 * arrive whole, and a read that fails or ends early mid-entry fails that entry as damaged.
 */
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../../src/engines/archive/entry.ts';
import { ArchiveError } from '../../../src/engines/archive/errors.ts';
import { openZip } from '../../../src/engines/archive/zip-reader.ts';
import { largeEntryContents, MIB, makeLargeEntryZip } from './large-entry-zip.ts';

const contents = largeEntryContents;
const makeZip = makeLargeEntryZip;

/** A ranged source over `zip`; `fault` may replace the stream of a read (entry data, not a cached block). */
function sourceOf(zip: Buffer, fault?: (data: Buffer) => Readable) {
  return {
    size: zip.length,
    read: async (start: number, end: number) => {
      const data = zip.subarray(start, end + 1);
      const chunks = [data.subarray(0, data.length >> 1), data.subarray(data.length >> 1)];
      return fault && start % MIB !== 0 ? fault(data) : Readable.from(chunks);
    },
  };
}

async function extractAll(zip: Buffer, fault?: (data: Buffer) => Readable) {
  const archive = await openZip(sourceOf(zip, fault), 100);
  const got = new Map<string, Buffer>();
  const failures: unknown[] = [];
  await archive
    .extract({
      entries: archive.entries,
      concurrency: 4,
      signal: new AbortController().signal,
      sink: async (e: ArchiveEntry, data) => {
        try {
          got.set(e.name, Buffer.isBuffer(data) ? data : await buffer(data as Readable));
        } catch (err) {
          failures.push(err);
          throw err;
        }
      },
    })
    .catch(() => {});
  archive.close();
  return { got, failures };
}

describe('zip: large entries streamed from their data range', () => {
  it('delivers deflated and stored large entries whole, beside small ones', async () => {
    const { got, failures } = await extractAll(await makeZip());
    expect(failures).toEqual([]);
    for (const [name, data] of contents) expect(got.get(name)?.equals(data), name).toBe(true);
  });

  it('a read that fails mid-entry fails the entry as damaged, naming it', async () => {
    const zip = await makeZip();
    const { failures } = await extractAll(zip, (data) =>
      Readable.from(
        (async function* () {
          yield data.subarray(0, 1000);
          throw new Error('connection reset');
        })(),
      ),
    );
    expect(failures.length).toBeGreaterThan(0);
    for (const err of failures) {
      expect(err).toBeInstanceOf(ArchiveError);
      expect((err as ArchiveError).kind).toBe('corrupt');
      expect(String((err as Error).message)).toMatch(/big\.txt|stored\.bin/);
    }
  });

  it('deflated data that ends early fails the entry as damaged', async () => {
    const zip = await makeZip();
    const { got, failures } = await extractAll(zip, (data) =>
      Readable.from([data.subarray(0, data.length >> 1)]),
    );
    expect(failures.some((err) => err instanceof ArchiveError && /big\.txt/.test(err.message))).toBe(true);
    // a stored entry cut short is only shorter: the verifier's size check refuses it
    expect(got.get('big.txt')).toBeUndefined();
  });
});
