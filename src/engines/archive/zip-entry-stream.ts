/**
 * A large zip entry's bytes as a stream: its stored data read straight from the archive's source (one
 * ranged read) and, when deflated, inflated with 1 MiB output chunks instead of zlib's 16 KiB default (each
 * chunk costs a callback, a CRC update and a write on the main thread; this cuts that work ~64×, and
 * matches the fs backend's 1 MiB reads, so one read feeds about one chunk).
 *
 * Two stages only, the source and the inflate: every stage of a pipe holds a chunk or two of its own
 * (1 MiB each here), so yauzl's read stream and its filters, a range pass-through and an error-mapping
 * pass-through cost ~6 MiB per large entry in flight, and JS objects per chunk that V8 must collect.
 * Failures (an inflate error, a failed read) surface as a damaged entry; sizes and CRC are checked by the
 * caller's verifier.
 */
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import type yauzl from 'yauzl';
import type { ArchiveEntry } from './entry.ts';
import { ArchiveError, ArchiveErrors } from './errors.ts';
import type { RangeReader } from './range-reader.ts';
import { entryDataStart } from './zip-whole-entry.ts';

const INFLATE_CHUNK = 1024 * 1024;

export async function openEntryStream(
  reader: RangeReader,
  rawEntry: yauzl.Entry,
  entry: ArchiveEntry,
): Promise<Readable> {
  const start = await entryDataStart(reader, rawEntry);
  const stored =
    rawEntry.compressedSize === 0
      ? Readable.from([])
      : await reader.stream(start, start + rawEntry.compressedSize);
  if (rawEntry.compressionMethod === 0) return reportingDamage(stored, entry);
  const inflate = reportingDamage(createInflateRaw({ chunkSize: INFLATE_CHUNK }), entry);
  stored.on('error', (err) => inflate.destroy(err));
  inflate.once('close', () => stored.destroy());
  stored.pipe(inflate);
  return inflate;
}

/** The stream's failures, whatever destroys it, turned into a damaged-entry error (its `_destroy` maps them). */
function reportingDamage<T extends Readable>(stream: T, entry: ArchiveEntry): T {
  const destroy = stream._destroy.bind(stream);
  stream._destroy = (err, cb) =>
    destroy(err, (final) =>
      cb(
        final && !(final instanceof ArchiveError) && final.name !== 'AbortError'
          ? damaged(final, entry)
          : final,
      ),
    );
  return stream;
}

function damaged(err: Error, entry: ArchiveEntry): Error {
  return ArchiveErrors.corrupt(String(err.message).replace(/\s+/g, ' ').slice(0, 200), entry.name, err);
}
