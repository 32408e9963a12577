/**
 * Settings of document conversion: the warm LibreOffice pool and the poppler rasteriser. The integrator
 * nests this under the `office` key of the server config; env `OPENIMM_OFFICE_<SETTING>`
 * (e.g. `OPENIMM_OFFICE_POOL_SIZE`). Documented in docs/office.md.
 */
import os from 'node:os';
import { z } from 'zod';

export const officeConfigSchema = z.object({
  /**
   * Warm LibreOffice processes. Each holds 340–450 MiB; on 2 cores two processes convert small
   * documents at ~11.5 docs/s against ~6.9 for one (measured), more only contend for the cores.
   */
  poolSize: z.number().int().min(1).max(64).default(2),
  /** A process is replaced after this many jobs, bounding leaks in long runs; 0 disables. */
  maxJobsPerProcess: z.number().int().min(0).default(200),
  /** Longest single LibreOffice conversion; the process is killed and replaced past it. */
  jobTimeoutMs: z.number().int().min(1000).default(120_000),
  /** Longest wait for a fresh process to accept UNO connections (a first start migrates the profile). */
  startTimeoutMs: z.number().int().min(1000).default(60_000),
  /** Idle processes are stopped after this long and started again on demand; 0 keeps them warm. */
  idleShutdownMs: z.number().int().min(0).default(0),
  /** Jobs waiting for a process; past it a conversion fails at once; 0 = unbounded. */
  maxQueue: z.number().int().min(0).default(0),
  sofficeCommand: z.string().min(1).default('soffice'),
  /** python3-uno imports only into the system interpreter, not a python3 that may come first on PATH. */
  pythonCommand: z.string().min(1).default('/usr/bin/python3'),
  /** Parent folder of the per-process profile folders; default: the system temp folder. */
  profileRoot: z.string().min(1).optional(),
  /** pdftoppm processes run at once for one task (PNG encoding is ~290 ms per page, so pages go in parallel). */
  rasterParallelism: z.number().int().min(1).max(64).default(Math.max(1, os.availableParallelism())),
  /** Pages one task may turn into images or text; more fails with LimitExceededError. */
  maxOutputPages: z.number().int().min(1).default(2000),
  /** Largest single output image (width × height); the resolution is lowered to fit. */
  maxImagePixels: z.number().int().min(1).default(100_000_000),
  /** Largest source document (it is copied to the scratch folder first); IMM's limit is 200 MB. */
  maxSourceBytes: z
    .number()
    .int()
    .min(1)
    .default(200 * 1024 * 1024),
});

export type OfficeConfig = z.infer<typeof officeConfigSchema>;

export const defaultOfficeConfig: OfficeConfig = officeConfigSchema.parse({});
