/**
 * Delivers outbox rows at least once. Woken by LISTEN/NOTIFY when a completion commits, it claims due
 * rows with `FOR UPDATE SKIP LOCKED` (any number of processes can run one), never sleeps after a full
 * claim, deletes delivered rows in one statement per event-loop turn, retries failures with backoff and
 * jitter, and turns a row into a dead letter after the last try or a permanent failure. A sweep every
 * `pollIntervalMs` (or sooner, when a retry is due) covers lost wake-ups.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/types.ts';
import { backoffDelay } from './backoff.ts';
import type { NotifyConfig } from './config.ts';
import { notifyCounters } from './metrics.ts';
import { OUTBOX_CHANNEL } from './outbox.ts';
import {
  type ClaimedRow,
  claimDue,
  deleteDelivered,
  markDead,
  msUntilNextDue,
  scheduleRetry,
} from './outbox-sql.ts';
import { describeTarget, resolveTarget } from './resolve-target.ts';
import { createSinkSet, type SinkSet } from './sinks/index.ts';
import { abortable, PermanentDeliveryError } from './sinks/types.ts';

export interface DispatcherStats {
  delivered: number;
  retried: number;
  deadLettered: number;
  inFlight: number;
}

export interface DispatcherHandle {
  stop(): Promise<void>;
  stats(): DispatcherStats;
  /** Look for due rows now (the NOTIFY does this; useful after a redrive in the same process). */
  wake(): void;
}

export interface DispatcherOptions {
  /** Replaces the sinks (tests, or a server embedding extra kinds). */
  sinks?: SinkSet;
  random?: () => number;
}

export function startDispatcher(
  db: Db,
  cfg: NotifyConfig,
  log: Logger,
  opts: DispatcherOptions = {},
): DispatcherHandle {
  const d = cfg.dispatcher;
  const sinks = opts.sinks ?? createSinkSet();
  const stats = { delivered: 0, retried: 0, deadLettered: 0 };
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let pumping = false;
  let again = false;
  let mayHaveMore = false;
  // The next due time must be read again (start, timer fired, a retry was scheduled).
  let sweepDirty = true;
  let timer: NodeJS.Timeout | undefined;
  let delivered: string[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushQueued = false;
  // Under a backlog, claim again only when this many slots are free: a few large claims instead of one
  // UPDATE per finished delivery.
  const refill = Math.max(1, Math.min(d.batchSize, Math.floor(d.concurrency / 2)));

  const wake = () => {
    if (!stopped) void pump();
  };

  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      // A wake-up that arrives while the sweep is being scheduled must not be lost: loop until none did.
      while (!stopped) {
        again = false;
        await claimWhileRoom();
        if (again || stopped) continue;
        await scheduleSweep();
        if (!again) break;
      }
    } catch (err) {
      log.error({ err }, 'notification dispatcher could not read the outbox');
      sweepDirty = true;
      if (!stopped) setTimer(d.pollIntervalMs);
    } finally {
      pumping = false;
    }
  }

  async function claimWhileRoom(): Promise<void> {
    while (!stopped) {
      const room = d.concurrency - inFlight.size;
      if (room <= 0 || (mayHaveMore && room < refill)) return;
      const limit = Math.min(room, d.batchSize);
      const rows = await claimDue(db, limit, d.leaseMs);
      for (const row of rows) track(deliver(row));
      mayHaveMore = rows.length === limit;
      if (!mayHaveMore) return;
    }
  }

  function setTimer(ms: number) {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      sweepDirty = true;
      wake();
    }, ms);
  }

  async function scheduleSweep(): Promise<void> {
    if (mayHaveMore) return; // a finishing delivery pumps again
    if (!sweepDirty && timer) return; // nothing changed since the timer was set
    sweepDirty = false;
    const ms = await msUntilNextDue(db);
    setTimer(ms === null ? d.pollIntervalMs : Math.min(Math.max(ms, 1), d.pollIntervalMs));
  }

  function track(p: Promise<void>) {
    inFlight.add(p);
    void p.finally(() => {
      inFlight.delete(p);
      if (mayHaveMore && d.concurrency - inFlight.size >= refill) wake();
    });
  }

  async function deliver(row: ClaimedRow): Promise<void> {
    const ac = new AbortController();
    const timeout = setTimeout(
      () => ac.abort(new Error(`delivery timed out after ${d.publishTimeoutMs} ms`)),
      d.publishTimeoutMs,
    );
    try {
      const spec = resolveTarget(row.target, cfg);
      const message = {
        messageId: row.messageId,
        taskId: row.taskId,
        taskType: row.taskType,
        body: row.body,
        attempt: row.attempts,
      };
      await abortable(sinks.publish(spec, message, ac.signal), ac.signal);
      stats.delivered++;
      notifyCounters.delivered++;
      queueDelete(row.id);
    } catch (err) {
      await recordFailure(row, err).catch((e) =>
        // The lease brings the row back; it will be tried again.
        log.error({ err: e, outboxId: row.id }, 'could not record a failed notification attempt'),
      );
    } finally {
      clearTimeout(timeout);
    }
  }

  async function recordFailure(row: ClaimedRow, err: unknown): Promise<void> {
    const error = errorText(err);
    const target = describeTarget(row.target);
    if (err instanceof PermanentDeliveryError || row.attempts >= cfg.retry.maxAttempts) {
      await markDead(db, row.id, error);
      stats.deadLettered++;
      notifyCounters.deadLettered++;
      log.warn(
        {
          taskId: row.taskId,
          outboxId: row.id,
          target,
          attempts: row.attempts,
          error,
          deadLetters: stats.deadLettered,
        },
        'notification moved to the dead letters',
      );
      return;
    }
    const delay = backoffDelay(row.attempts, cfg.retry, opts.random);
    await scheduleRetry(db, row.id, delay, error);
    stats.retried++;
    notifyCounters.retried++;
    log.info(
      { taskId: row.taskId, outboxId: row.id, target, attempt: row.attempts, retryInMs: delay, error },
      'notification attempt failed',
    );
    // Make sure the sweep timer fires for this retry even if it is sooner than the one already set.
    sweepDirty = true;
    wake();
  }

  function queueDelete(id: string) {
    delivered.push(id);
    if (flushQueued) return;
    flushQueued = true;
    flushing = flushing.then(
      () =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            flushQueued = false;
            const ids = delivered;
            delivered = [];
            deleteDelivered(db, ids)
              .catch((err) =>
                log.error({ err, count: ids.length }, 'could not remove delivered notifications'),
              )
              .finally(resolve);
          }),
        ),
    );
  }

  let unlisten: (() => Promise<void>) | undefined;
  const listening = db
    .listen(OUTBOX_CHANNEL, wake)
    .then((fn) => {
      unlisten = fn;
    })
    .catch((err) => log.error({ err }, 'notification dispatcher cannot LISTEN; falling back to the sweep'));
  void listening.then(wake);

  return {
    wake,
    stats: () => ({ ...stats, inFlight: inFlight.size }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await listening;
      await unlisten?.().catch(() => {});
      while (inFlight.size > 0 || pumping) {
        await Promise.allSettled([...inFlight]);
        if (pumping) await new Promise((r) => setTimeout(r, 5));
      }
      await flushing;
      await sinks.close();
    },
  };
}

/** A short, useful line for the row and the logs: the error and, for wrapped network errors, its cause. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err).slice(0, 1000);
  const named = err.name === 'Error' || err instanceof PermanentDeliveryError ? '' : `${err.name}: `;
  const cause =
    err.cause instanceof Error ? ` (${(err.cause as NodeJS.ErrnoException).code ?? err.cause.message})` : '';
  return `${named}${err.message}${cause}`.slice(0, 1000);
}
