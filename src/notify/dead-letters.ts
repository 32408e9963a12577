/**
 * Dead letters: outbox rows that exhausted their tries or failed permanently. Listed per account (keyset
 * pagination on the row id) and redriven (all, or chosen ids) by openimm's extension actions. Targets
 * are described without credentials or secrets.
 */
import type { Queryable } from '../db/types.ts';
import { Errors } from '../protocol/errors.ts';
import { formatImmTime } from './message.ts';
import { notifyCounters } from './metrics.ts';
import { OUTBOX_CHANNEL } from './outbox.ts';
import { describeTarget } from './resolve-target.ts';
import type { NotificationTarget } from './target-types.ts';

export interface DeadLetter {
  Id: string;
  TaskId: string;
  TaskType: string;
  ProjectName: string;
  MessageId: string;
  Target: string;
  Attempts: number;
  LastError: string;
  Redrives: number;
  CreateTime: string;
  DeadTime: string;
}

interface Row {
  id: string;
  task_id: string;
  task_type: string;
  project_name: string;
  message_id: string;
  target: NotificationTarget | string;
  attempts: number;
  last_error: string;
  redrives: number;
  created_at: Date | string;
  dead_at: Date | string;
}

const DEFAULT_MAX = 100;
const MAX_MAX = 1000;

function encodeToken(id: string): string {
  return Buffer.from(`dl:${id}`).toString('base64url');
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^dl:(\d{1,19})$/.exec(text);
  if (!m) throw Errors.invalidParameter('NextToken', 'The token was not issued by this listing.');
  return m[1]!;
}

function toItem(r: Row): DeadLetter {
  const target = typeof r.target === 'string' ? (JSON.parse(r.target) as NotificationTarget) : r.target;
  return {
    Id: r.id,
    TaskId: r.task_id,
    TaskType: r.task_type,
    ProjectName: r.project_name,
    MessageId: r.message_id,
    Target: describeTarget(target),
    Attempts: Number(r.attempts),
    LastError: r.last_error,
    Redrives: Number(r.redrives),
    CreateTime: formatImmTime(new Date(r.created_at)),
    DeadTime: formatImmTime(new Date(r.dead_at)),
  };
}

export async function listDeadLetters(
  db: Queryable,
  accountId: string,
  opts: { maxResults?: number; nextToken?: string; projectName?: string } = {},
): Promise<{ items: DeadLetter[]; nextToken?: string }> {
  const max = opts.maxResults ?? DEFAULT_MAX;
  if (!Number.isInteger(max) || max < 1 || max > MAX_MAX) {
    throw Errors.invalidParameter('MaxResults', `Expected an integer from 1 to ${MAX_MAX}.`);
  }
  const after = opts.nextToken ? decodeToken(opts.nextToken) : '0';
  const r = await db.query<Row>(
    `SELECT id::text AS id, task_id, task_type, project_name, message_id, target, attempts, last_error, redrives,
            created_at, dead_at
     FROM notification_outbox
     WHERE account_id = $1 AND state = 'dead' AND id > $2::bigint AND ($4::text IS NULL OR project_name = $4)
     ORDER BY id
     LIMIT $3`,
    [accountId, after, max + 1, opts.projectName ?? null],
  );
  const rows = r.rows.slice(0, max);
  const more = r.rows.length > max;
  return { items: rows.map(toItem), ...(more ? { nextToken: encodeToken(rows.at(-1)!.id) } : {}) };
}

/**
 * Makes the account's dead letters (all, those of one project, or the given ids) pending again with fresh tries, due now, and
 * wakes the dispatchers. Returns how many rows were redriven; ids of other accounts are ignored.
 */
export async function redriveDeadLetters(
  db: Queryable,
  accountId: string,
  opts: { ids?: string[]; projectName?: string } = {},
): Promise<number> {
  const ids = opts.ids;
  if (ids !== undefined) {
    if (ids.length === 0) return 0;
    if (ids.length > MAX_MAX || ids.some((id) => typeof id !== 'string' || !/^\d{1,19}$/.test(id))) {
      throw Errors.invalidParameter(
        'Ids',
        `Expected at most ${MAX_MAX} dead-letter ids as returned by the listing.`,
      );
    }
  }
  const r = await db.query(
    `UPDATE notification_outbox
     SET state = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL, redrives = redrives + 1
     WHERE account_id = $1 AND state = 'dead' AND ($3::text IS NULL OR project_name = $3)
       AND ($2::jsonb IS NULL OR id IN (SELECT (jsonb_array_elements_text($2::jsonb))::bigint))`,
    [accountId, ids === undefined ? null : JSON.stringify(ids), opts.projectName ?? null],
  );
  if (r.affectedRows > 0) {
    notifyCounters.redriven += r.affectedRows;
    await db.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, '']);
  }
  return r.affectedRows;
}
