/**
 * Settings of the archive engines (server config key `engines.archive`, env `OPENIMM_ARCHIVE_<SETTING>`).
 * The hostile-input limits themselves (entries, expanded bytes, ratio) are the worker's `ProcessorLimits`;
 * these are the knobs of how the work is done.
 */
import { z } from 'zod';

/** Already-compressed formats: deflating them again costs CPU for nothing (zip's own `-n` list, extended). */
export const DEFAULT_STORE_EXTENSIONS = [
  '7z',
  'aac',
  'apk',
  'avif',
  'br',
  'bz2',
  'docx',
  'flac',
  'gif',
  'gz',
  'heic',
  'jar',
  'jpeg',
  'jpg',
  'lz4',
  'lzma',
  'm4a',
  'm4v',
  'mkv',
  'mov',
  'mp3',
  'mp4',
  'ogg',
  'opus',
  'png',
  'pptx',
  'rar',
  'tgz',
  'webm',
  'webp',
  'xlsx',
  'xz',
  'z',
  'zip',
  'zst',
];

export const archiveConfigSchema = z.object({
  /** Deflate level of FileCompression (0 = store only, as IMM's own packaging does; 1–9 deflate). */
  compressionLevel: z.coerce.number().int().min(0).max(9).default(6),
  /** Entries with these extensions are stored, not deflated (lower case, no dot); empty = deflate all. */
  storeExtensions: z.array(z.string().min(1)).default(DEFAULT_STORE_EXTENSIONS),
  /** Entries extracted and written at once: inflate runs on the thread pool, and object writes wait on fsync. */
  extractConcurrency: z.coerce.number().int().min(1).max(64).default(8),
  /** 1 MiB chunks being deflated or waiting to be written, at most (bounds FileCompression's memory). */
  compressChunksInFlight: z.coerce.number().int().min(1).max(256).default(16),
  /** Source objects read at once ahead of the zip writer (small ones whole, within a 16 MiB budget). */
  compressReadAhead: z.coerce.number().int().min(1).max(64).default(8),
  /**
   * The expansion-ratio limit applies once this many bytes were expanded, so that a tiny archive of
   * a very compressible file (a 300 KB log of one repeated line) is not taken for a bomb.
   */
  ratioGraceBytes: z.coerce
    .number()
    .int()
    .min(0)
    .default(64 * 1024 * 1024),
  /** The 7-Zip program (Debian package `7zip`). */
  sevenZipPath: z.string().min(1).default('7zz'),
  /** Archives are at most this big (spec 9.2/9.3: 200 GB for zip and rar, 50 GB for 7z). */
  maxZipRarBytes: z.coerce
    .number()
    .int()
    .positive()
    .default(200 * 1000 ** 3),
  maxSevenZipBytes: z.coerce
    .number()
    .int()
    .positive()
    .default(50 * 1000 ** 3),
});

export type ArchiveConfig = z.infer<typeof archiveConfigSchema>;

export const defaultArchiveConfig: ArchiveConfig = archiveConfigSchema.parse({});
