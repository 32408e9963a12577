/**
 * Internal task states; IMM's wire statuses are derived from them (`queued` is reported as `Running`). A
 * `tasks` row is `queued` until the task ends; it waits while it has a `task_queue` row and runs while a
 * `task_leases` row holds it (0011_claim_takes_queue_row.sql).
 */
export type TaskState = 'queued' | 'running' | 'succeeded' | 'failed';
export type WireStatus = 'Running' | 'Succeeded' | 'Failed';

export const TERMINAL_STATES: readonly TaskState[] = ['succeeded', 'failed'];

export function wireStatus(state: TaskState): WireStatus {
  if (state === 'succeeded') return 'Succeeded';
  if (state === 'failed') return 'Failed';
  return 'Running';
}

export function stateOfWireStatus(status: WireStatus): TaskState[] {
  if (status === 'Succeeded') return ['succeeded'];
  if (status === 'Failed') return ['failed'];
  return ['queued', 'running'];
}

/** A row of `tasks` as the store reads it. */
export interface TaskRow {
  id: string;
  account_id: string;
  project_name: string;
  type: string;
  work_class: string;
  state: TaskState;
  progress: number;
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  cancel_requested_by: string | null;
  event_id: string;
  request_id: string;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  code: string;
  message: string;
  user_data: string;
  tags: Record<string, string>;
}

/** IMM task times: UTC ISO 8601 with fraction and `Z`. */
export function formatTaskTime(d: Date | null | undefined): string {
  return d ? new Date(d).toISOString() : '';
}
