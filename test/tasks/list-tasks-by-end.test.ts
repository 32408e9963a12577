import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListTasksFilter, listTasks } from '../../src/tasks/list-tasks.ts';
import { finishTasks } from '../../src/tasks/sql/finish-tasks.ts';
import { DATABASES, type TestDb } from '../helpers/db.ts';
import { addTestTask, seedAccount } from '../helpers/test-processor.ts';

// The EndTime order reads finished tasks from a window of start times that the project's run bounds allow
// (src/tasks/list-tasks-by-end.ts). Every page sequence is checked against the plain query over the whole
// project, on tasks whose runs differ widely (so a window too narrow would drop rows), with unfinished tasks,
// equal end times and an end stamped before its start.
const ACCOUNT = '1000000000000001';
const PROJECT = 'by-end';

for (const { name, make } of DATABASES) {
  describe(`ListTasks in EndTime order on ${name}`, () => {
    let t: TestDb;
    const base = Date.parse('2026-03-01T00:00:00Z');
    const at = (seconds: number) => new Date(base + seconds * 1000);

    beforeAll(async () => {
      t = await make();
      await seedAccount(t.db, ACCOUNT, PROJECT);
      // 80 tasks a second apart; a fixed pseudo-random run each: mostly short, some of an hour, one skewed.
      let seed = 7;
      const rand = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const ends = [];
      for (let i = 0; i < 80; i++) {
        const id = await addTestTask(t.db, {
          project: PROJECT,
          createdAt: at(i),
          tags: { n: String(i % 3) },
        });
        const r = rand();
        if (r < 0.15) continue; // still queued
        const run = r < 0.25 ? 3600 + rand() * 600 : i === 40 ? -2 : Math.floor(rand() * 20);
        ends.push({
          id,
          state: (r < 0.5 ? 'failed' : 'succeeded') as 'failed' | 'succeeded',
          code: 'X',
          message: '',
          // whole seconds from a coarse run: several tasks end at the same instant
          endedAt: at(i + Math.round(run)),
          content: null,
        });
      }
      // a task succeeds only once started (the guard trigger of tasks)
      await t.db.query('UPDATE task_queue SET started_at = created_at WHERE task_id = ANY($1::text[])', [
        ends.filter((e) => e.state === 'succeeded').map((e) => e.id),
      ]);
      await finishTasks(t.db, ends, { kind: 'queued' });
    });
    afterAll(async () => {
      await t?.drop();
    });

    /** The answer without any window: every row of the project in the sort order. */
    async function expected(f: Partial<ListTasksFilter>, desc: boolean): Promise<string[]> {
      const dir = desc ? 'DESC' : 'ASC';
      const r = await t.db.query<{ id: string }>(
        `SELECT id FROM tasks WHERE account_id = $1 AND project_name = $2
           AND ($3::text[] IS NULL OR state = ANY($3)) AND ($4::jsonb IS NULL OR tags @> $4)
           AND ($5::timestamptz IS NULL OR ended_at >= $5)
         ORDER BY coalesce(ended_at, 'infinity') ${dir}, id ${dir}`,
        [
          ACCOUNT,
          PROJECT,
          f.states ?? null,
          f.tags ? JSON.stringify(f.tags) : null,
          f.endTimeRange?.start ?? null,
        ],
      );
      return r.rows.map((row) => row.id);
    }

    async function allPages(f: Partial<ListTasksFilter>, order: 'asc' | 'desc', maxResults: number) {
      const ids: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await listTasks(t.db, {
          accountId: ACCOUNT,
          projectName: PROJECT,
          sort: 'EndTime',
          order,
          maxResults,
          nextToken,
          ...f,
        });
        expect(page.rows.length).toBeLessThanOrEqual(maxResults);
        ids.push(...page.rows.map((r) => r.id));
        nextToken = page.nextToken;
      } while (nextToken);
      return ids;
    }

    const filters: Array<[string, Partial<ListTasksFilter>]> = [
      ['no filter', {}],
      ['Status Failed', { states: ['failed'] }],
      ['a tag', { tags: { n: '1' } }],
      ['an EndTimeRange', { endTimeRange: { start: at(30) } }],
    ];
    for (const [label, f] of filters) {
      for (const order of ['asc', 'desc'] as const) {
        it(`pages ${label}, ${order}, with neither gaps nor duplicates`, async () => {
          const want = await expected(f, order === 'desc');
          expect(want.length).toBeGreaterThan(8);
          for (const size of [1, 4, 25, 100]) expect(await allPages(f, order, size)).toEqual(want);
        });
      }
    }

    it('puts unfinished tasks first descending and last ascending', async () => {
      const queued = await t.db.query<{ id: string }>(
        `SELECT id FROM tasks WHERE project_name = $1 AND ended_at IS NULL`,
        [PROJECT],
      );
      expect(queued.rows.length).toBeGreaterThan(3);
      const unfinished = new Set(queued.rows.map((r) => r.id));
      const desc = await allPages({}, 'desc', 5);
      const asc = await allPages({}, 'asc', 5);
      expect(desc.slice(0, unfinished.size).every((id) => unfinished.has(id))).toBe(true);
      expect(asc.slice(-unfinished.size).every((id) => unfinished.has(id))).toBe(true);
    });
  });
}
