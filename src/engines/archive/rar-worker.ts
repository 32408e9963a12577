/**
 * Worker thread running the official unRAR code (node-unrar-js, WebAssembly) off the main event loop.
 * Extraction writes each entry to its own opaque file in `outDir` (never a name from the archive), waits
 * for the main thread to take it, then goes on, so disk use is one entry at a time. The library may only
 * open the archive itself: a RAR "file copy" or link record that asks for another path is refused, and an
 * entry that produced no file (a link, which unRAR makes in its virtual filesystem) is reported as unsafe.
 * The worker lives on between jobs (see `rar.ts`), so the WebAssembly module is compiled once.
 */
import { openSync } from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { createExtractorFromFile, type FileHeader, UnrarError } from 'node-unrar-js';
import type { ArchiveEntry } from './entry.ts';
import type { RarFailure, RarMainMessage, RarWorkerData, RarWorkerMessage } from './rar-protocol.ts';

const port = parentPort!;
const post = (m: RarWorkerMessage) => port.postMessage(m);

class Refusal extends Error {
  constructor(readonly failure: RarFailure) {
    super(failure.message);
  }
}

function toEntry(h: FileHeader, index: number): ArchiveEntry {
  const t = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)/.exec(h.time);
  return {
    index,
    name: h.name,
    kind: h.flags.directory ? 'dir' : 'file',
    size: h.unpSize,
    compressedSize: h.packSize,
    // RAR4 stores local DOS time without a zone: taken as UTC
    mtime: t ? new Date(Date.UTC(+t[1]!, +t[2]! - 1, +t[3]!, +t[4]!, +t[5]!, +t[6]!)) : null,
    encrypted: h.flags.encrypted,
    // An encrypted RAR 5 entry may store its CRC turned into a MAC with the password's key ("hash MAC",
    // WinRAR's default): not comparable to the data's CRC-32. unRAR checks that MAC itself on extraction.
    crc32: h.flags.encrypted && Number.parseFloat(h.unpVer) >= 5 ? undefined : h.crc >>> 0,
  };
}

function failureOf(err: unknown): RarFailure {
  if (err instanceof Refusal) return err.failure;
  if (err instanceof UnrarError) {
    const entry = err.file;
    switch (err.reason) {
      case 'ERAR_MISSING_PASSWORD':
        return { kind: 'password-missing', message: err.message, entry };
      case 'ERAR_BAD_PASSWORD':
        return { kind: 'password-wrong', message: err.message, entry };
      case 'ERAR_EREFERENCE':
        return { kind: 'unsafe', message: 'the entry refers to another file (a link or file copy).', entry };
      default:
        return { kind: 'corrupt', message: err.message, entry };
    }
  }
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) };
}

let onNext: (() => void) | null = null;

function nextMessage(): Promise<void> {
  return new Promise((resolve) => {
    onNext = resolve;
  });
}

async function list(data: RarWorkerData): Promise<void> {
  const extractor = await createExtractorFromFile({ filepath: data.archivePath, password: data.password });
  const entries: ArchiveEntry[] = [];
  // The iterator must be drained to free the native archive, even past the limit.
  for (const h of extractor.getFileList().fileHeaders) {
    if (entries.length <= data.maxEntries) entries.push(toEntry(h, entries.length));
  }
  post({ type: 'entries', entries });
}

/** Set when the write budget ran out: unRAR then reports a mere write error. */
let limitHit: RarFailure | null = null;

async function extract(data: RarWorkerData): Promise<void> {
  const outDir = data.outDir!;
  const wanted = new Set(data.names ?? []);
  const extractor = await createExtractorFromFile({ filepath: data.archivePath, password: data.password });
  const x = extractor as unknown as Record<string, (...args: any[]) => any>;
  const archive = path.resolve(data.archivePath);
  const baseOpen = x.open!.bind(extractor);
  const baseWrite = x.write!.bind(extractor);
  let counter = 0;
  let created: string | null = null;
  let fileBytes = 0;
  let totalBytes = 0;
  x.open = (filename: string) => {
    if (path.resolve(filename) !== archive) {
      throw new Refusal({ kind: 'unsafe', message: 'the archive asks to read a file outside itself.' });
    }
    return baseOpen(filename);
  };
  x.create = (filename: string) => {
    created = path.join(outDir, `entry-${++counter}`);
    fileBytes = 0;
    const fd = openSync(created, 'wx');
    (extractor as unknown as { fileMap: Record<number, unknown> }).fileMap[fd] = {
      size: 0,
      pos: 0,
      name: filename,
    };
    return fd;
  };
  x.write = (fd: number, buf: number, size: number) => {
    fileBytes += size;
    totalBytes += size;
    if (data.maxTotalBytes !== undefined && totalBytes > data.maxTotalBytes) {
      limitHit = {
        kind: 'limit',
        message: `The archive expands to more than the allowed ${data.maxTotalBytes} bytes.`,
      };
      return false;
    }
    return baseWrite(fd, buf, size);
  };
  const { files } = extractor.extract({ files: (h) => wanted.has(h.name) });
  for (const file of files) {
    const h = file.fileHeader;
    if (h.flags.directory) continue;
    if (created === null) {
      throw new Refusal({ kind: 'unsafe', message: 'the entry is a link, not a file.', entry: h.name });
    }
    if (fileBytes !== h.unpSize) {
      throw new Refusal({
        kind: 'corrupt',
        message: 'the entry does not hold the size its header declares.',
        entry: h.name,
      });
    }
    post({ type: 'file', name: h.name, path: created, size: fileBytes });
    created = null;
    await nextMessage();
  }
  if (limitHit) throw new Refusal(limitHit);
  post({ type: 'done' });
}

/** Jobs run one at a time; the pool gives this worker a new one only after `done` or `failed`. */
port.on('message', (m: RarMainMessage) => {
  if (m.type === 'next') {
    const resume = onNext;
    onNext = null;
    resume?.();
    return;
  }
  limitHit = null;
  const job = m.data.mode === 'list' ? list(m.data) : extract(m.data);
  job.catch((err: unknown) => post({ type: 'failed', failure: limitHit ?? failureOf(err) }));
});
