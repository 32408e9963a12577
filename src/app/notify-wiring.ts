import type { Logger } from 'pino';
import type { Db, Queryable } from '../db/types.ts';
import { type NotifyConfig, parseNotifyConfig } from '../notify/config.ts';
import { startDispatcher } from '../notify/dispatcher.ts';
import { writeExtendedMessage } from '../notify/extended-message.ts';
import { buildContent, buildEnvelope } from '../notify/message.ts';
import { enqueueNotifications } from '../notify/outbox.ts';
import type { NotificationTarget } from '../notify/target-types.ts';
import { parseNotificationTargets } from '../notify/targets.ts';
import type { TaskProcessor } from '../processors/types.ts';
import type { OnFinished } from '../tasks/completion-batcher.ts';
import type { ExtendedMessageWrite } from '../tasks/run-task.ts';
import type { FinishedTask } from '../tasks/sql/finish-tasks.ts';

/**
 * Joins the task engine to notifications: the terminal commit builds IMM's message once and writes one
 * outbox row per target in the same transaction; the dispatcher delivers them afterwards.
 */
export function createNotifyWiring(opts: {
  rawConfig: unknown;
  region: string;
  processorsByType: ReadonlyMap<string, TaskProcessor>;
}) {
  const config: NotifyConfig = parseNotifyConfig(opts.rawConfig ?? {});

  function eventNameOf(type: string): string {
    return opts.processorsByType.get(type)?.eventName ?? type;
  }

  function contentOf(
    task: Pick<
      FinishedTask,
      | 'projectName'
      | 'requestId'
      | 'createdAt'
      | 'endedAt'
      | 'userData'
      | 'type'
      | 'id'
      | 'state'
      | 'code'
      | 'message'
      | 'content'
    >,
  ) {
    return buildContent(
      {
        projectName: task.projectName,
        requestId: task.requestId,
        startTime: task.createdAt,
        endTime: task.endedAt,
        userData: task.userData,
        taskType: task.type,
        taskId: task.id,
        status: task.state === 'succeeded' ? 'Succeeded' : 'Failed',
        code: task.code,
        message: task.message,
      },
      task.content ?? undefined,
    );
  }

  const onFinished: OnFinished = async (tx: Queryable, tasks: FinishedTask[]) => {
    for (const task of tasks) {
      const targets = task.notification as NotificationTarget[];
      if (!targets?.length) continue;
      const body = buildEnvelope(
        {
          eventId: task.eventId,
          eventName: eventNameOf(task.type),
          region: opts.region,
          accountId: task.accountId,
          projectName: task.projectName,
          timeMs: task.endedAt.getTime(),
        },
        contentOf(task),
      );
      await enqueueNotifications(tx, { taskId: task.id, messageId: task.eventId, targets, body });
    }
  };

  async function writeExtended(w: ExtendedMessageWrite): Promise<void> {
    const content = contentOf({
      projectName: w.task.project_name,
      requestId: w.task.request_id,
      createdAt: new Date(w.task.created_at),
      endedAt: w.item.endedAt,
      userData: w.task.user_data,
      type: w.task.type,
      id: w.task.id,
      state: w.item.state,
      code: w.item.code,
      message: w.item.message,
      content: w.item.content,
    });
    await writeExtendedMessage(w.storage, w.uri, content, w.details);
  }

  return {
    config,
    onFinished,
    writeExtended,
    parseTargets: (params: Record<string, unknown>) => parseNotificationTargets(params, config),
    startDispatcher: (db: Db, log: Logger) => startDispatcher(db, config, log),
  };
}
