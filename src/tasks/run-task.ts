import type { Logger } from 'pino';
import type { Db } from '../db/types.ts';
import { TaskError } from '../processors/task-error.ts';
import type { ProcessorLimits, TaskOutcome, TaskProcessor, TaskScope } from '../processors/types.ts';
import { type CredentialConfig, parseCredentialConfig } from '../storage/credential-config.ts';
import type { ScopedStorage } from '../storage/scoped-storage.ts';
import type { createCompletionBatcher } from './completion-batcher.ts';
import { TaskRunContext } from './run-context.ts';
import type { ClaimedTask, TaskPayload } from './sql/claim-tasks.ts';
import type { FinishItem } from './sql/finish-tasks.ts';
import { releaseTask } from './sql/leases.ts';
import type { StopReason, StopSwitch } from './stop-switch.ts';

export type { StopReason } from './stop-switch.ts';

export interface ExtendedMessageWrite {
  storage: ScopedStorage;
  uri: string;
  task: ClaimedTask;
  item: FinishItem;
  details?: Record<string, unknown>;
}

export interface RunTaskDeps {
  db: Db;
  owner: string;
  processors: ReadonlyMap<string, TaskProcessor>;
  /** The task's storage: its project's role, or its CredentialConfig's (throws when that cannot be honoured). */
  storageFor(scope: TaskScope, credentialConfig?: CredentialConfig): ScopedStorage;
  region: string;
  limits: ProcessorLimits;
  tmpRoot: string;
  log: Logger;
  batcher: ReturnType<typeof createCompletionBatcher>;
  /** Writes `Notification.ExtendedMessageURI`; failures are logged, never change the outcome. */
  writeExtendedMessage?: (w: ExtendedMessageWrite) => Promise<void>;
  /** Progress is written at most this often per task. */
  progressIntervalMs?: number;
  retryDelaySeconds?: number;
}

/**
 * Runs one claimed attempt to its end: a committed outcome, a hand-back to the queue, or nothing (lease lost).
 * `slot` is released once the processor has returned, before the outcome is committed: the worker gives the
 * slot to the next task while the commit is on its way. Resolves false when the attempt ended without
 * settling its task (its lease was lost, its outcome was refused, or its outcome or hand-back failed to
 * commit): the task may still be in its lease, which must then be left to expire so that the reaper retries
 * it.
 */
export function runClaimedTask(
  task: ClaimedTask,
  payload: TaskPayload | undefined,
  stop: StopSwitch,
  deps: RunTaskDeps,
  slot?: { release(): void },
): Promise<boolean> {
  // Not an async function around an await: one async frame fewer per task.
  return runAttempt(task, payload, stop, deps, slot).catch((err) => {
    // Setup or commit failed (scratch folder, database): the lease runs out and the reaper retries the task.
    taskLogger(deps.log, task).error({ err }, 'task attempt failed outside its processor');
    return false;
  });
}

async function runAttempt(
  task: ClaimedTask,
  payload: TaskPayload | undefined,
  stop: StopSwitch,
  deps: RunTaskDeps,
  slot: { release(): void } | undefined,
): Promise<boolean> {
  const ready = prepareAttempt(task, payload, deps);
  if ('state' in ready) return commit(deps, task, ready);
  const { processor, params, scope, storage, payload: request } = ready;
  // The scratch folder is made on first use: most tasks stream and never touch it, and a mkdtemp + rm per
  // task was most of the engine's cost per task under load.
  // The context makes the task's child logger when first used (most attempts never log).
  const ctx = new TaskRunContext(scope, task, storage, stop, deps.log, deps);
  let outcome: TaskOutcome | undefined;
  let failure: unknown;
  try {
    outcome = await processor.run(params, ctx);
  } catch (err) {
    failure = err;
  }
  const closing = ctx.close();
  if (closing) await closing;
  slot?.release();
  const reason: StopReason | undefined = stop.reason;
  if (reason?.kind === 'lease-lost') {
    ctx.log.warn('lease lost: the attempt stops without an outcome');
    return false;
  }
  if (reason?.kind === 'shutdown') {
    await releaseTask(deps.db, handBack(task, deps.owner, 0, true));
    ctx.log.info('handed back to the queue at shutdown');
    return true;
  }
  const decided = decideOutcome(task, request, processor, params, { reason, outcome, failure }, ctx, deps);
  if ('retryAfterSeconds' in decided) {
    await releaseTask(deps.db, handBack(task, deps.owner, decided.retryAfterSeconds, false));
    return true;
  }
  const item = decided;
  if (request.extended_message_uri && deps.writeExtendedMessage) {
    await deps
      .writeExtendedMessage({
        storage,
        uri: request.extended_message_uri,
        task,
        item,
        details: outcome?.details,
      })
      .catch((err) => ctx.log.warn({ err }, 'writing the ExtendedMessageURI object failed'));
  }
  // The finish need not read the task back: its notification is built from what the claim returned, and
  // the attempt it ends is the claim's.
  item.claim ??= { task, payload: request };
  // Awaited here rather than through commit(): one async call fewer per task on the hot path.
  if (await deps.batcher.commit(item)) return true;
  warnNotCommitted(deps, task);
  return false;
}

/**
 * What an attempt runs with: its processor, its parameters as the processor parses them, its scope and its
 * storage; or the failure it ends with when one of them cannot be had.
 */
function prepareAttempt(
  task: ClaimedTask,
  payload: TaskPayload | undefined,
  deps: RunTaskDeps,
):
  | FinishItem
  | {
      processor: TaskProcessor;
      params: unknown;
      scope: TaskScope;
      storage: ScopedStorage;
      payload: TaskPayload;
    } {
  const processor = deps.processors.get(task.type);
  if (!processor || !payload) {
    return failItem(task, 'InternalError', `No processor for task type ${task.type}.`, null);
  }
  const parsed = processor.params.safeParse(payload.params);
  if (!parsed.success) {
    return failItem(task, 'InvalidArgument', 'The stored task request is not valid.', null);
  }
  const params = parsed.data;
  const scope: TaskScope = {
    accountId: task.account_id,
    projectName: task.project_name,
    serviceRole: payload.service_role ?? 'AliyunIMMDefaultRole',
    region: deps.region,
  };
  try {
    const storage = deps.storageFor(scope, parseCredentialConfig(payload.params.CredentialConfig));
    return { processor, params, scope, storage, payload };
  } catch (err) {
    // The task's CredentialConfig no longer resolves (a role left the config since create): it cannot act.
    const message = err instanceof Error ? err.message : String(err);
    return failItem(task, 'NoPermission', message, processor.failureContent?.(params));
  }
}

/**
 * The outcome an attempt commits, from how its processor ended: cancelled, succeeded, failed with its Code, or
 * failed unexpectedly; or, for a transient failure with attempts left, the delay before its retry.
 */
function decideOutcome(
  task: ClaimedTask,
  payload: TaskPayload,
  processor: TaskProcessor,
  params: unknown,
  end: { reason: StopReason | undefined; outcome: TaskOutcome | undefined; failure: unknown },
  // The context, not its logger: the logger is made on first use, and most outcomes never log.
  ctx: { readonly log: Logger },
  deps: RunTaskDeps,
): FinishItem | { retryAfterSeconds: number } {
  const { reason, outcome, failure } = end;
  if (reason?.kind === 'cancel') {
    const message = `The task was cancelled by ${reason.by}.`;
    return failItem(task, 'TaskCancelled', message, processor.failureContent?.(params));
  }
  if (failure === undefined) {
    return {
      id: task.id,
      state: 'succeeded',
      code: '',
      message: '',
      endedAt: new Date(),
      content: outcome?.content ?? null,
      claim: { task, payload },
      run: undefined,
    };
  }
  if (failure instanceof TaskError) {
    if (failure.transient && task.attempts < task.max_attempts) {
      ctx.log.warn({ err: failure }, 'transient failure: retrying later');
      return { retryAfterSeconds: (deps.retryDelaySeconds ?? 2) * 2 ** (task.attempts - 1) };
    }
    ctx.log.info({ code: failure.code, err: failure.cause ?? failure }, 'task failed');
    return failItem(task, failure.code, failure.message, processor.failureContent?.(params));
  }
  ctx.log.error({ err: failure }, 'task failed with an unexpected error');
  const message = 'An internal error occurred while processing the task.';
  return failItem(task, 'InternalError', message, processor.failureContent?.(params));
}

function failItem(
  task: ClaimedTask,
  code: string,
  message: string,
  content: Record<string, unknown> | null | undefined,
): FinishItem {
  return {
    id: task.id,
    state: 'failed',
    code,
    message,
    endedAt: new Date(),
    content: content ?? null,
    claim: undefined,
    run: undefined,
  };
}

/** What a hand-back records: the attempts made (this one not counted when `refund`) and the first start. */
function handBack(task: ClaimedTask, owner: string, delaySeconds: number, refund: boolean) {
  return {
    id: task.id,
    leaseId: task.lease_id,
    owner,
    attempts: refund ? Math.max(task.attempts - 1, 0) : task.attempts,
    startedMs: task.started_ms,
    delaySeconds,
  };
}

/**
 * Commits an outcome; false when it was refused. A refused outcome leaves the task's lease to expire rather
 * than be deleted: when the lease was lost it is gone already, and when it was not, the reaper then retries
 * the task instead of leaving it in no queue and no lease.
 */
async function commit(deps: RunTaskDeps, task: ClaimedTask, item: FinishItem): Promise<boolean> {
  if (await deps.batcher.commit(withRun(task, item))) return true;
  warnNotCommitted(deps, task);
  return false;
}

/** The outcome with the attempt it ends: the lease it runs under, its attempt count and first start. */
function withRun(task: ClaimedTask, item: FinishItem): FinishItem {
  item.run = { leaseId: task.lease_id, attempts: task.attempts, startedMs: task.started_ms };
  return item;
}

function warnNotCommitted(deps: RunTaskDeps, task: ClaimedTask): void {
  taskLogger(deps.log, task).warn('outcome not committed: the lease was lost meanwhile');
}

/** The task's child logger (only on the rare paths that log before or after its context). */
function taskLogger(parent: Logger, task: ClaimedTask): Logger {
  return parent.child({ taskId: task.id, attempt: task.attempts });
}
