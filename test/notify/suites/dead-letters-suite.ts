import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/types.ts';
import { listDeadLetters, redriveDeadLetters } from '../../../src/notify/dead-letters.ts';
import { notifyCounters } from '../../../src/notify/metrics.ts';
import { enqueueNotifications, OUTBOX_CHANNEL } from '../../../src/notify/outbox.ts';
import { ImmError } from '../../../src/protocol/errors.ts';
import { insertTask, newTask, outboxRows, resetTables } from '../helpers/db.ts';

export function deadLettersSuite(getDb: () => Db): void {
  describe('dead letters', () => {
    const t = {
      get db() {
        return getDb();
      },
    };
    beforeEach(async () => {
      await resetTables(t.db);
    });

    async function deadRows(accountId: string, n: number, projectName = 'notify-proj') {
      for (let i = 0; i < n; i++) {
        const task = newTask({ accountId, projectName });
        await insertTask(t.db, task);
        await enqueueNotifications(t.db, {
          taskId: task.id,
          messageId: task.eventId,
          targets: [{ kind: 'amqp', url: 'amqp://user:pw@127.0.0.1:5672', exchange: 'ex', routingKey: 'rk' }],
          body: '{}',
        });
      }
      await t.db.query(
        `UPDATE notification_outbox SET state = 'dead', dead_at = now(), attempts = 36, last_error = 'x' WHERE account_id = $1`,
        [accountId],
      );
    }

    it('pages through an account with opaque tokens and hides credentials', async () => {
      await deadRows('acct-a', 5);
      await deadRows('acct-b', 2);
      const p1 = await listDeadLetters(t.db, 'acct-a', { maxResults: 2 });
      expect(p1.items).toHaveLength(2);
      expect(p1.nextToken).toBeTruthy();
      const p2 = await listDeadLetters(t.db, 'acct-a', { maxResults: 2, nextToken: p1.nextToken });
      const p3 = await listDeadLetters(t.db, 'acct-a', { maxResults: 2, nextToken: p2.nextToken });
      expect(p3.items).toHaveLength(1);
      expect(p3.nextToken).toBeUndefined();
      const ids = [...p1.items, ...p2.items, ...p3.items].map((i) => i.Id);
      expect(new Set(ids).size).toBe(5);
      expect(p1.items[0]!.Target).toBe('amqp amqp://127.0.0.1:5672 exchange=ex routingKey=rk');
      expect(JSON.stringify(p1.items)).not.toContain('pw');
      expect(p1.items[0]!.DeadTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    });

    it('filters by project when asked', async () => {
      await deadRows('acct-a', 2, 'proj-1');
      await deadRows('acct-a', 1, 'proj-2');
      const one = await listDeadLetters(t.db, 'acct-a', { projectName: 'proj-2' });
      expect(one.items.map((i) => i.ProjectName)).toEqual(['proj-2']);
      expect(await redriveDeadLetters(t.db, 'acct-a', { projectName: 'proj-1' })).toBe(2);
      expect((await listDeadLetters(t.db, 'acct-a')).items.map((i) => i.ProjectName)).toEqual(['proj-2']);
    });

    it('refuses forged tokens and out-of-range page sizes with InvalidArgument', async () => {
      await expect(listDeadLetters(t.db, 'a', { nextToken: 'not-a-token' })).rejects.toMatchObject({
        code: 'InvalidArgument',
      });
      await expect(listDeadLetters(t.db, 'a', { maxResults: 0 })).rejects.toBeInstanceOf(ImmError);
      await expect(redriveDeadLetters(t.db, 'a', { ids: ['1; drop table'] })).rejects.toMatchObject({
        code: 'InvalidArgument',
      });
    });

    it('redrives chosen ids of the account only, resets tries, counts and wakes dispatchers', async () => {
      await deadRows('acct-a', 3);
      await deadRows('acct-b', 1);
      const wakes: string[] = [];
      const unlisten = await t.db.listen(OUTBOX_CHANNEL, (p) => wakes.push(p));
      const before = notifyCounters.redriven;
      const a = (await listDeadLetters(t.db, 'acct-a')).items;
      const b = (await listDeadLetters(t.db, 'acct-b')).items;
      expect(await redriveDeadLetters(t.db, 'acct-a', { ids: [a[0]!.Id, b[0]!.Id] })).toBe(1);
      expect(await redriveDeadLetters(t.db, 'acct-a', { ids: [] })).toBe(0);
      const rows = await outboxRows(t.db);
      const redriven = rows.find((r) => r.id === a[0]!.Id)!;
      expect(redriven).toMatchObject({ state: 'pending', attempts: 0, redrives: 1, dead_at: null });
      expect(rows.find((r) => r.id === b[0]!.Id)!.state).toBe('dead');
      // All of an account's dead letters at once.
      expect(await redriveDeadLetters(t.db, 'acct-a')).toBe(2);
      expect((await listDeadLetters(t.db, 'acct-a')).items).toHaveLength(0);
      expect(notifyCounters.redriven - before).toBe(3);
      await new Promise((r) => setTimeout(r, 20));
      expect(wakes.length).toBeGreaterThanOrEqual(1);
      await unlisten();
    });
  });
}
