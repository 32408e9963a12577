import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTasks } from '../../src/tasks/list-tasks.ts';
import { finishTasks } from '../../src/tasks/sql/finish-tasks.ts';
import { DATABASES, type TestDb } from '../helpers/db.ts';
import { addTestTask, seedAccount } from '../helpers/test-processor.ts';

// EndTimeRange and the EndTime order are served without an index on ended_at (its finish would not be a HOT
// update): an EndTimeRange scans the start times its project's longest and shortest runs allow
// (0007_project_run_bounds.sql). These check the answers, not the plan.
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
        { kind: 'queued' },
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

    it("finds tasks whose runs widen the project's bounds: a long run, an end stamped before its start", async () => {
      const long = await addTestTask(t.db, { project: 'ends', createdAt: at(-600) });
      const skewed = await addTestTask(t.db, { project: 'ends', createdAt: at(100) });
      await finishTasks(
        t.db,
        [
          { id: long, endedAt: at(40) },
          // another machine's clock: ended a minute before it was created
          { id: skewed, endedAt: at(99) },
        ].map((f) => ({ ...f, state: 'failed' as const, code: 'X', message: '', content: null })),
        { kind: 'queued' },
      );
      const ids = async (start: number, end: number) =>
        (await list({ endTimeRange: { start: at(start), end: at(end) } })).rows.map((r) => r.id);
      expect(await ids(35, 45)).toEqual([long]);
      expect(await ids(98, 100)).toEqual([skewed]);
      expect(await ids(41, 98)).toEqual([]);
    });

    it('counts the run of a task inserted already finished', async () => {
      await t.db.query(
        `INSERT INTO tasks (id, account_id, project_name, type, work_class, state, event_id, request_id,
           created_at, ended_at)
         VALUES ('Imported-1', '1000000000000001', 'ends', 'FileCompression', 'archive', 'failed', 'e', 'r', $1, $2)`,
        [at(-5000), at(500)],
      );
      const page = await list({ endTimeRange: { start: at(499), end: at(501) } });
      expect(page.rows.map((r) => r.id)).toEqual(['Imported-1']);
    });
  });
}
