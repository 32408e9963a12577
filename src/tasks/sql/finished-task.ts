import type { FinishItem } from './finish-tasks.ts';

/** A task whose terminal state this transaction committed: everything a notification needs. */
export interface FinishedTask {
  id: string;
  accountId: string;
  projectName: string;
  type: string;
  eventId: string;
  requestId: string;
  createdAt: Date;
  endedAt: Date;
  userData: string;
  tags: Record<string, string>;
  state: 'succeeded' | 'failed';
  code: string;
  message: string;
  content: Record<string, unknown> | null;
  notification: unknown[];
  extendedMessageUri: string;
}

/**
 * A finished task seen through the outcome and the claim it ends: one small object per task instead of a copy
 * of sixteen fields (most are never read: a task without notification targets needs none of them).
 */
class ClaimedOutcome implements FinishedTask {
  constructor(
    private readonly item: FinishItem,
    private readonly claim: NonNullable<FinishItem['claim']>,
  ) {}
  get id() {
    return this.item.id;
  }
  get accountId() {
    return this.claim.task.account_id;
  }
  get projectName() {
    return this.claim.task.project_name;
  }
  get type() {
    return this.claim.task.type;
  }
  get eventId() {
    return this.claim.task.event_id;
  }
  get requestId() {
    return this.claim.task.request_id;
  }
  get createdAt() {
    return this.claim.task.created_at;
  }
  get endedAt() {
    return this.item.endedAt;
  }
  get userData() {
    return this.claim.task.user_data;
  }
  get tags() {
    return this.claim.task.tags;
  }
  get state() {
    return this.item.state;
  }
  get code() {
    return this.item.code;
  }
  get message() {
    return this.item.message;
  }
  get content() {
    return this.item.content;
  }
  get notification() {
    return this.claim.payload.notification;
  }
  get extendedMessageUri() {
    return this.claim.payload.extended_message_uri;
  }
}

export function fromClaim(item: FinishItem, claim: NonNullable<FinishItem['claim']>): FinishedTask {
  return new ClaimedOutcome(item, claim);
}

export function fromRow(item: FinishItem, row: any): FinishedTask {
  return {
    id: item.id,
    accountId: row.account_id,
    projectName: row.project_name,
    type: row.type,
    eventId: row.event_id,
    requestId: row.request_id,
    createdAt: new Date(row.created_at),
    endedAt: item.endedAt,
    userData: row.user_data,
    tags: row.tags,
    state: item.state,
    code: item.code,
    message: item.message,
    content: item.content,
    notification: row.notification ?? [],
    extendedMessageUri: row.extended_message_uri ?? '',
  };
}
