/** Ends a test task the way the task engine does: the outbox rows commit in the completion transaction. */
import type { Db } from '../../../src/db/types.ts';
import { buildContent, buildEnvelope } from '../../../src/notify/message.ts';
import { enqueueNotifications } from '../../../src/notify/outbox.ts';
import type { NotificationTarget } from '../../../src/notify/target-types.ts';
import { insertTask, newTask, type TestTask } from './db.ts';

export function bodyFor(task: TestTask, endTime = new Date()): string {
  const content = buildContent(
    {
      projectName: task.projectName,
      requestId: '7E6D5C4B-3A29-4180-9F7E-6D5C4B3A2918',
      startTime: new Date(endTime.getTime() - 1500),
      endTime,
      userData: `user-data <&> ]]> ${task.id}`,
      taskType: task.type,
      taskId: task.id,
      status: 'Succeeded',
      code: '',
      message: '',
    },
    {
      Sources: [{ URI: 'oss://in-bucket/a.txt', Alias: '', Mode: 'fullname' }],
      SourceManifestURI: '',
      TargetURI: 'oss://out/a.zip',
    },
  );
  return buildEnvelope(
    {
      eventId: task.eventId,
      eventName: task.type,
      region: 'cn-hangzhou',
      accountId: task.accountId,
      projectName: task.projectName,
      timeMs: endTime.getTime(),
    },
    content,
  );
}

/** Creates a task and commits its outcome with one outbox row per target. Returns the task and body. */
export async function finishTask(
  db: Db,
  targets: NotificationTarget[],
  overrides: Partial<TestTask> = {},
): Promise<{ task: TestTask; body: string; committedAt: number }> {
  const task = newTask(overrides);
  await insertTask(db, task);
  const body = bodyFor(task);
  await db.transaction(async (tx) => {
    await enqueueNotifications(tx, { taskId: task.id, messageId: task.eventId, targets, body });
  });
  return { task, body, committedAt: performance.now() };
}
