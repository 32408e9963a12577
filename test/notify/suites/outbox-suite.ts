import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/types.ts';
import { enqueueNotifications, OUTBOX_CHANNEL } from '../../../src/notify/outbox.ts';
import type { NotificationTarget } from '../../../src/notify/target-types.ts';
import { insertTask, newTask, outboxRows, resetTables } from '../helpers/db.ts';

const targets: NotificationTarget[] = [
  { kind: 'sink', sink: 'rabbit', topicName: 'imm-events' },
  { kind: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 's' },
];

export function outboxSuite(getDb: () => Db): void {
  describe('enqueueNotifications', () => {
    const t = {
      get db() {
        return getDb();
      },
    };
    beforeEach(async () => {
      await resetTables(t.db);
    });

    it('writes one row per target with the task account, project and type, and wakes listeners on commit', async () => {
      const task = newTask({ projectName: 'p1', type: 'ImageToPDF' });
      await insertTask(t.db, task);
      const wakes: string[] = [];
      await t.db.listen(OUTBOX_CHANNEL, (p) => wakes.push(p));
      await t.db.transaction(async (tx) => {
        await enqueueNotifications(tx, {
          taskId: task.id,
          messageId: task.eventId,
          targets,
          body: '{"id":"x"}',
        });
        expect(wakes).toHaveLength(0);
      });
      const rows = await outboxRows(t.db);
      expect(rows).toHaveLength(2);
      for (const [i, row] of rows.entries()) {
        expect(row).toMatchObject({
          task_id: task.id,
          account_id: task.accountId,
          project_name: 'p1',
          task_type: 'ImageToPDF',
          message_id: task.eventId,
          body: '{"id":"x"}',
          state: 'pending',
          attempts: 0,
        });
        expect(row.target).toEqual(targets[i]);
      }
      await new Promise((r) => setTimeout(r, 20));
      expect(wakes.length).toBeGreaterThanOrEqual(1);
    });

    it('writes nothing when the completion transaction rolls back', async () => {
      const task = newTask();
      await insertTask(t.db, task);
      await expect(
        t.db.transaction(async (tx) => {
          await enqueueNotifications(tx, { taskId: task.id, messageId: task.eventId, targets, body: '{}' });
          throw new Error('lease lost');
        }),
      ).rejects.toThrow('lease lost');
      expect(await outboxRows(t.db)).toHaveLength(0);
    });

    it('writes nothing without targets and refuses an unknown task', async () => {
      const task = newTask();
      await insertTask(t.db, task);
      await enqueueNotifications(t.db, { taskId: task.id, messageId: 'm', targets: [], body: '{}' });
      expect(await outboxRows(t.db)).toHaveLength(0);
      await expect(
        enqueueNotifications(t.db, {
          taskId: 'FileCompression-missing',
          messageId: 'm',
          targets,
          body: '{}',
        }),
      ).rejects.toThrow(/does not exist/);
    });

    it('removes the rows with their task (retention purge)', async () => {
      const task = newTask();
      await insertTask(t.db, task);
      await enqueueNotifications(t.db, { taskId: task.id, messageId: 'm', targets, body: '{}' });
      await t.db.query('DELETE FROM tasks WHERE id = $1', [task.id]);
      expect(await outboxRows(t.db)).toHaveLength(0);
    });
  });
}
