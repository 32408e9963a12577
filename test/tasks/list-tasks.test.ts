import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTasks } from '../../src/tasks/list-tasks.ts';
import { finishTasks } from '../../src/tasks/sql/finish-tasks.ts';
import { DATABASES, type TestDb } from '../helpers/db.ts';
import { addTestTask, seedAccount } from '../helpers/test-processor.ts';

// EndTimeRange and the EndTime order are served without an index on ended_at (its finish would not be a HOT
// update): these check the answers, not the plan.
for (const { name, make } of DATABASES) {
  describe(`ListTasks by end time on ${name}`, () => {
    let t: TestDb;
    const ids: string[] = [];
    const base = Date.parse('2026-01-01T00:00:00Z');
    const at = (minutes: number) => new Date(base + minutes * 60_000);

    beforeAll(async () => {
      t = await make();
      await seedAccount(t.db, '1000000000000001', 'ends');
      for (let i = 0; i < 4; i++) ids.push(await addTestTask(t.db, { project: 'ends', createdAt: at(i) }));
      // Ended at minutes 30, 10 and 20; the fourth is still queued.
      await finishTasks(
        t.db,
        [30, 10, 20].map((m, i) => ({
          id: ids[i]!,
          state: 'failed' as const,
          code: 'X',
          message: '',
          endedAt: at(m),
          content: null,
        })),
        { fromStates: ['queued'] },
      );
    });
    afterAll(async () => {
      await t?.drop();
    });

    const list = (f: Partial<Parameters<typeof listTasks>[1]>) =>
      listTasks(t.db, {
        accountId: '1000000000000001',
        projectName: 'ends',
        sort: 'TaskId',
        order: 'asc',
        maxResults: 100,
        ...f,
      });

    it('keeps only ended tasks within EndTimeRange', async () => {
      const page = await list({ endTimeRange: { start: at(15), end: at(31) } });
      expect(page.rows.map((r) => r.id).sort()).toEqual([ids[0], ids[2]].sort());
      const open = await list({ endTimeRange: { start: at(0) } });
      expect(open.rows.map((r) => r.id).sort()).toEqual([ids[0], ids[1], ids[2]].sort());
    });

    it('orders by end time, unfinished last, across pages', async () => {
      const first = await list({ sort: 'EndTime', maxResults: 2 });
      const second = await list({ sort: 'EndTime', maxResults: 2, nextToken: first.nextToken });
      expect([...first.rows, ...second.rows].map((r) => r.id)).toEqual([ids[1], ids[2], ids[0], ids[3]]);
      expect(second.nextToken).toBeUndefined();
    });
  });
}
