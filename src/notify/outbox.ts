/**
 * Writing notifications: inside the transaction that commits a task's terminal status, one outbox row
 * per target, then a NOTIFY that wakes the dispatchers once the transaction commits (never before).
 */
import type { Queryable } from '../db/types.ts';
import type { NotificationTarget } from './target-types.ts';

/** The LISTEN/NOTIFY channel dispatchers wait on. */
export const OUTBOX_CHANNEL = 'openimm_notification_outbox';

export interface OutboxEntry {
  taskId: string;
  /** The stable message id (the task's EventId, which is also the envelope `id`). */
  messageId: string;
  targets: NotificationTarget[];
  /** The exact body, from `buildEnvelope`. */
  body: string;
}

// The account, project and type come from the task row itself, so the caller cannot get them wrong.
const INSERT_ROWS = `
INSERT INTO notification_outbox (task_id, account_id, project_name, task_type, message_id, target, body)
SELECT t.id, t.account_id, t.project_name, t.type, $2, x.target, $4
FROM tasks t CROSS JOIN jsonb_array_elements($3::jsonb) AS x(target)
WHERE t.id = $1`;

/**
 * Adds one outbox row per target. Call it with the completion transaction, after the task row is
 * updated; nothing is sent if that transaction rolls back. No targets: nothing is written.
 */
export async function enqueueNotifications(tx: Queryable, rows: OutboxEntry): Promise<void> {
  if (rows.targets.length === 0) return;
  const result = await tx.query(INSERT_ROWS, [
    rows.taskId,
    rows.messageId,
    JSON.stringify(rows.targets),
    rows.body,
  ]);
  if (result.affectedRows !== rows.targets.length) {
    throw new Error(`cannot enqueue notifications: task ${rows.taskId} does not exist`);
  }
  await tx.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, '']);
}
