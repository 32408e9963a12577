import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import type { ScopedStorage } from '../storage/scoped-storage.ts';

/** Who asked, and for which project: known when a task is created and when it runs. */
export interface TaskScope {
  accountId: string;
  projectName: string;
  /** The project's service role (or the task's CredentialConfig role). */
  serviceRole: string;
  region: string;
}

export interface CreateContext extends TaskScope {
  /** Task creation time; feeds the `{t_year}`…`{t_sec}` template variables. */
  now: Date;
  tags: Record<string, string>;
  /** Storage as the service role sees it: for create-time HEAD and access checks. */
  storage: ScopedStorage;
  limits: ProcessorLimits;
}

export interface RunContext extends TaskScope {
  taskId: string;
  taskType: string;
  /** Task creation time (template variables `{t_*}`). */
  createdAt: Date;
  tags: Record<string, string>;
  storage: ScopedStorage;
  /** Report progress 0–100; the engine throttles the writes. */
  progress(percent: number): void;
  /** Aborted on cancel, on lease loss and on shutdown: stop, kill engines, write nothing more. */
  signal: AbortSignal;
  /** A scratch folder for this attempt, removed afterwards. */
  tmpDir: string;
  log: Logger;
  limits: ProcessorLimits;
}

/** Limits that bound hostile input; configurable, with safe defaults. */
export interface ProcessorLimits {
  archiveMaxEntries: number;
  archiveMaxTotalBytes: number;
  archiveMaxRatio: number;
  imageMaxPixels: number;
  officeTimeoutMs: number;
  mediaTimeoutFactor: number;
}

export const defaultProcessorLimits: ProcessorLimits = {
  archiveMaxEntries: 80_000,
  archiveMaxTotalBytes: 200 * 1024 ** 3,
  archiveMaxRatio: 1000,
  imageMaxPixels: 1_000_000_000,
  officeTimeoutMs: 120_000,
  mediaTimeoutFactor: 10,
};

/**
 * What a finished task hands back. `content` holds the per-task notification fields (section 8.3.1 of the
 * spec: resolved output URIs and echoes), in key order. `details` is the large part (e.g. `Files`) that
 * goes only to the `Notification.ExtendedMessageURI` object.
 */
export interface TaskOutcome {
  content?: Record<string, unknown>;
  details?: Record<string, unknown>;
}

/** Heavy types share a per-type concurrency budget in the worker. */
export type WorkClass = 'light' | 'archive' | 'image' | 'office' | 'media';

export interface TaskProcessor<P = any> {
  /** IMM TaskType, e.g. `FileCompression`. */
  type: string;
  /** The Create action, e.g. `CreateFileCompressionTask`. */
  action: string;
  /** EventBridge event name after `imm:Task:` (usually equals `type`). */
  eventName: string;
  workClass: WorkClass;
  /**
   * Parses the decoded wire parameters (JSON-in-param values still as strings or already objects) into P.
   * Use the helpers in `params.ts` so errors carry IMM codes. Common fields (ProjectName, Notification,
   * UserData, Tags, CredentialConfig) are handled by the engine and may be ignored here.
   */
  params: ZodType<P>;
  /** Create-time checks beyond the schema: URIs, buckets, templates, access. Throw ImmError. */
  validate(p: P, ctx: CreateContext): Promise<void>;
  /** The work. Throw TaskError for a failure with a Code; anything else becomes InternalError. */
  run(p: P, ctx: RunContext): Promise<TaskOutcome>;
  /** Per-task notification fields when the task failed before `run` produced any (echo of the request). */
  failureContent?(p: P): Record<string, unknown>;
  /** Request fields never echoed back (e.g. `Password`) in TaskRequestDefinition. */
  secretFields?: string[];
}
