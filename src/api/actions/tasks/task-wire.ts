import type { Queryable } from '../../../db/types.ts';
import { formatTaskTime, type TaskRow, wireStatus } from '../../../tasks/model.ts';

/** TaskInfo as ListTasks returns it (GetTask adds ProjectName and EventId). */
export function taskInfoToWire(row: TaskRow, definition?: string) {
  return {
    TaskId: row.id,
    TaskType: row.type,
    Status: wireStatus(row.state),
    Progress: row.state === 'succeeded' ? 100 : row.progress,
    StartTime: formatTaskTime(row.created_at),
    EndTime: formatTaskTime(row.ended_at),
    Code: row.code,
    Message: row.message,
    UserData: row.user_data,
    Tags: row.tags ?? {},
    ...(definition !== undefined ? { TaskRequestDefinition: definition } : {}),
  };
}

export function getTaskToWire(row: TaskRow, definition?: string) {
  const info = taskInfoToWire(row, definition);
  return {
    ProjectName: row.project_name,
    TaskId: info.TaskId,
    TaskType: info.TaskType,
    EventId: row.event_id,
    Status: info.Status,
    Progress: info.Progress,
    StartTime: info.StartTime,
    EndTime: info.EndTime,
    Code: info.Code,
    Message: info.Message,
    UserData: info.UserData,
    Tags: info.Tags,
    ...(definition !== undefined ? { TaskRequestDefinition: definition } : {}),
  };
}

/** The task, scoped to the caller's account and project; null when unknown (or another account's). */
export async function findTask(
  db: Queryable,
  q: { accountId: string; projectName: string; taskId: string; taskType?: string },
  withDefinition = false,
): Promise<(TaskRow & { definition?: string }) | null> {
  const r = await db.query<TaskRow & { definition?: string }>(
    `SELECT t.*${withDefinition ? ', p.definition' : ''} FROM tasks t
     ${withDefinition ? 'LEFT JOIN task_payloads p ON p.task_id = t.id' : ''}
     WHERE t.id = $1 AND t.account_id = $2 AND t.project_name = $3`,
    [q.taskId, q.accountId, q.projectName],
  );
  const row = r.rows[0];
  if (!row || (q.taskType !== undefined && row.type !== q.taskType)) return null;
  return row;
}
