/** Messages between the RAR engine and its worker thread. */
import type { ArchiveEntry } from './entry.ts';

export interface RarWorkerData {
  archivePath: string;
  password?: string;
  mode: 'list' | 'extract';
  /** extract: where files are written, one at a time, under opaque names. */
  outDir?: string;
  /** extract: archive names to extract. */
  names?: string[];
  maxEntries: number;
  /** extract: bytes the worker may write in all (the remaining expansion budget). */
  maxTotalBytes?: number;
}

export type RarFailure = {
  kind: 'password-missing' | 'password-wrong' | 'corrupt' | 'limit' | 'unsafe' | 'other';
  message: string;
  entry?: string;
};

export type RarWorkerMessage =
  | { type: 'entries'; entries: ArchiveEntry[] }
  | { type: 'file'; name: string; path: string; size: number }
  | { type: 'done' }
  | { type: 'failed'; failure: RarFailure };

/** Main → worker: a job, or "the previous file was consumed (and deleted); go on". */
export type RarMainMessage = { type: 'job'; data: RarWorkerData } | { type: 'next' };
