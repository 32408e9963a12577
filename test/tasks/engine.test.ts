import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/types.ts';
import { countUnfinishedTasks } from '../../src/projects/project-store.ts';
import { reapExpiredLeases } from '../../src/tasks/reaper.ts';
import { cancelTask } from '../../src/tasks/sql/cancel-task.ts';
import { type ClaimedTask, claimTasks } from '../../src/tasks/sql/claim-tasks.ts';
import { type FinishedTask, finishTasks } from '../../src/tasks/sql/finish-tasks.ts';
import { purgeExpiredTasks } from '../../src/tasks/sql/purge-tasks.ts';
import { DATABASES, type TestDb } from '../helpers/db.ts';
import {
  addTestTask,
  makeTestProcessor,
  quietLog,
  seedAccount,
  startTestWorker,
  taskState,
  waitFor,
} from '../helpers/test-processor.ts';

for (const { name, make } of DATABASES) {
  describe(`task engine on ${name}`, () => {
    let t: TestDb;
    let db: Db;
    let tmpRoot: string;

    beforeAll(async () => {
      t = await make();
      db = t.db;
      tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'openimm-engine-'));
    });
    afterAll(async () => {
      await t?.drop();
      await rm(tmpRoot, { recursive: true, force: true });
    });
    beforeEach(async () => {
      await db.query('DELETE FROM task_queue');
      await db.query('DELETE FROM task_leases');
      await db.query('DELETE FROM tasks');
      await seedAccount(db);
    });

    it('runs a task to Succeeded and commits its outcome with the hook in one transaction', async () => {
      const seen: FinishedTask[] = [];
      const worker = startTestWorker(db, makeTestProcessor(), {
        tmpRoot,
        onFinished: async (tx, tasks) => {
          // The hook sees the terminal row inside the committing transaction.
          const r = await tx.query<{ state: string }>('SELECT state FROM tasks WHERE id = $1', [
            tasks[0]!.id,
          ]);
          expect(r.rows[0]!.state).toBe('succeeded');
          seen.push(...tasks);
        },
      });
      await worker.start();
      const id = await addTestTask(db, { params: { Ms: 20 } });
      const s = await waitFor(async () => {
        const row = await taskState(db, id);
        return row?.state === 'succeeded' && row;
      });
      await worker.stop();
      expect(s).toMatchObject({ code: '', progress: 100, attempts: 1 });
      expect(seen.map((f) => f.id)).toEqual([id]);
      expect(seen[0]!.content).toEqual({ Slept: 20 });
    });

    it('fails with the processor Code without retrying; retries transient failures', async () => {
      const record = { runs: [] as string[] };
      const worker = startTestWorker(db, makeTestProcessor(record), { tmpRoot, config: { maxAttempts: 3 } });
      await worker.start();
      const failing = await addTestTask(db, { params: { Fail: 'InvalidArgument' } });
      const flaky = await addTestTask(db, { params: { Transient: 1 } });
      await waitFor(async () => (await taskState(db, failing))?.state === 'failed');
      await waitFor(async () => (await taskState(db, flaky))?.state === 'succeeded', 20_000);
      await worker.stop();
      expect(await taskState(db, failing)).toMatchObject({ code: 'InvalidArgument', attempts: 1 });
      expect(record.runs.filter((r) => r === failing)).toHaveLength(1);
      expect(await taskState(db, flaky)).toMatchObject({ attempts: 2 });
    });

    it('requeues a task whose lease expired, and fails it when no attempt is left', async () => {
      const retried = await addTestTask(db, { maxAttempts: 3 });
      const exhausted = await addTestTask(db, { maxAttempts: 1 });
      const claimed = await claimTasks(db, {
        owner: 'ghost',
        classes: [{ workClass: 'light', free: 10 }],
        limit: 10,
        leaseSeconds: 1,
      });
      expect(claimed.map((c) => c.task.id).sort()).toEqual([retried, exhausted].sort());
      const finished: string[] = [];
      await new Promise((r) => setTimeout(r, 1300));
      await reapExpiredLeases(db, {
        log: quietLog,
        onFinished: async (_tx, tasks) => void finished.push(...tasks.map((x) => x.id)),
      });
      expect(await taskState(db, retried)).toMatchObject({ state: 'queued', attempts: 1 });
      expect(await taskState(db, exhausted)).toMatchObject({ state: 'failed', code: 'InternalError' });
      expect(finished).toEqual([exhausted]);
    });

    it('claims by taking the queue row into a lease; the outcome records the attempts and the start', async () => {
      const id = await addTestTask(db);
      const before = await db.query('SELECT * FROM tasks WHERE id = $1', [id]);
      const [claim] = await claimTasks(db, {
        owner: 'w',
        classes: [{ workClass: 'light', free: 1 }],
        limit: 1,
        leaseSeconds: 30,
      });
      const task = claim!.task;
      expect(task).toMatchObject({ id, attempts: 1 });
      // The wide row is untouched (GetTask reports it Running, Progress 0, as while it waited).
      expect((await db.query('SELECT * FROM tasks WHERE id = $1', [id])).rows).toEqual(before.rows);
      expect(await taskState(db, id)).toMatchObject({ state: 'running', attempts: 1 });
      expect((await db.query('SELECT 1 FROM task_queue WHERE task_id = $1', [id])).rows).toHaveLength(0);
      const lease = await db.query('SELECT owner, task_ids FROM task_leases WHERE id = $1', [task.lease_id]);
      expect(lease.rows).toEqual([{ owner: 'w', task_ids: [id] }]);
      // A finish by another owner, or under another lease, changes nothing; the holder's finish commits.
      const item = successOf(task);
      const lease2 = { ...item, run: { ...item.run, leaseId: String(Number(task.lease_id) + 1) } };
      const finish = (i: typeof item, owner: string) =>
        db.transaction((tx) => finishTasks(tx, [i], { kind: 'lease', owner }));
      expect(await finish(item, 'other')).toEqual([]);
      expect(await finish(lease2, 'w')).toEqual([]);
      expect((await finish(item, 'w')).map((d) => d.id)).toEqual([id]);
      const row = (await db.query('SELECT state, attempts, started_at FROM tasks WHERE id = $1', [id]))
        .rows[0];
      expect(row).toMatchObject({ state: 'succeeded', attempts: 1 });
      expect(row!.started_at).toEqual(new Date(task.started_ms));
      // A second outcome for the same attempt is refused: the task has ended.
      expect(await finish({ ...item, state: 'succeeded' }, 'w')).toEqual([]);
    });

    it('refuses illegal transitions in SQL, whoever tries them', async () => {
      const id = await addTestTask(db);
      await expect(
        db.query(`UPDATE tasks SET state = 'succeeded', ended_at = now() WHERE id = $1`, [id]),
      ).rejects.toThrow(/illegal task transition/);
      await db.query(`UPDATE tasks SET state = 'failed', ended_at = now(), code = 'X' WHERE id = $1`, [id]);
      await expect(db.query(`UPDATE tasks SET code = 'Y' WHERE id = $1`, [id])).rejects.toThrow(/terminal/);
      await expect(
        db.query(`UPDATE tasks SET state = 'queued', ended_at = NULL WHERE id = $1`, [id]),
      ).rejects.toThrow(/terminal/);
    });

    it('interleaves projects: a backlog of one project does not hold back another', async () => {
      await seedAccount(db, '1000000000000001', 'big');
      await seedAccount(db, '1000000000000001', 'small');
      for (let i = 0; i < 60; i++) await addTestTask(db, { project: 'big' });
      const small = await addTestTask(db, { project: 'small' });
      const claimed = await claimTasks(db, {
        owner: 'w',
        classes: [{ workClass: 'light', free: 2 }],
        limit: 2,
        leaseSeconds: 30,
      });
      expect(claimed.map((c) => c.task.id)).toContain(small);
    });

    it('claims each work class up to its own free slots, and no more than the limit in all', async () => {
      await db.query('DELETE FROM task_queue');
      await db.query(`DELETE FROM tasks WHERE state = 'queued'`);
      const light: string[] = [];
      for (let i = 0; i < 5; i++) light.push(await addTestTask(db));
      const office: string[] = [];
      for (let i = 0; i < 3; i++) office.push(await addTestTask(db, { workClass: 'office' }));
      const first = await claimTasks(db, {
        owner: 'w',
        classes: [
          { workClass: 'light', free: 2 },
          { workClass: 'office', free: 1 },
          { workClass: 'media', free: 4 },
        ],
        limit: 10,
        leaseSeconds: 30,
      });
      const ids = first.map((c) => c.task.id);
      expect(ids.filter((id) => light.includes(id))).toHaveLength(2);
      expect(ids.filter((id) => office.includes(id))).toHaveLength(1);
      expect(ids).toHaveLength(3);
      expect(first.every((c) => c.payload?.params !== undefined)).toBe(true);
      const second = await claimTasks(db, {
        owner: 'w',
        classes: [
          { workClass: 'light', free: 5 },
          { workClass: 'office', free: 5 },
        ],
        limit: 4,
        leaseSeconds: 30,
      });
      expect(second).toHaveLength(4);
      expect(new Set([...ids, ...second.map((c) => c.task.id)]).size).toBe(7);
    });

    it('commits a claim without waiting for the WAL flush, and only the claim', async () => {
      await addTestTask(db);
      await addTestTask(db);
      const setting = async (q: Pick<Db, 'query'>) =>
        (await q.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]!
          .synchronous_commit;
      const before = await setting(db);
      const claim = (q: Pick<Db, 'query'>) =>
        claimTasks(q, { owner: 'w', classes: [{ workClass: 'light', free: 1 }], limit: 1, leaseSeconds: 30 });
      // Inside a transaction the relaxed setting is visible after the claim: it belongs to the claim's
      // transaction, which on its own is the claim statement alone.
      const inside = await db.transaction(async (tx) => {
        expect(await claim(tx)).toHaveLength(1);
        return setting(tx);
      });
      expect(inside).toBe('off');
      expect(await claim(db)).toHaveLength(1);
      expect(await setting(db)).toBe(before);
    });

    it('cancels a queued task at once and a running one through its signal', async () => {
      const queued = await addTestTask(db);
      const hook: string[] = [];
      const onFinished = async (_tx: unknown, tasks: FinishedTask[]) =>
        void hook.push(...tasks.map((x) => x.id));
      const r1 = await db.transaction((tx) =>
        cancelTask(tx, {
          taskId: queued,
          accountId: '1000000000000001',
          projectName: 'p1',
          by: 'test',
          onFinished,
        }),
      );
      expect(r1).toBe('cancelled');
      expect(await taskState(db, queued)).toMatchObject({ state: 'failed', code: 'TaskCancelled' });

      const worker = startTestWorker(db, makeTestProcessor(), { tmpRoot, onFinished });
      await worker.start();
      const running = await addTestTask(db, { params: { Ms: 60_000 } });
      await waitFor(async () => (await taskState(db, running))?.state === 'running');
      const r2 = await db.transaction((tx) =>
        cancelTask(tx, {
          taskId: running,
          accountId: '1000000000000001',
          projectName: 'p1',
          by: 'test',
          onFinished,
        }),
      );
      expect(r2).toBe('cancelling');
      await waitFor(async () => (await taskState(db, running))?.state === 'failed');
      await worker.stop();
      expect(await taskState(db, running)).toMatchObject({ code: 'TaskCancelled' });
      expect(hook.sort()).toEqual([queued, running].sort());
    });

    it('purges tasks past their retention', async () => {
      const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
      const oldRunning = await addTestTask(db, { createdAt: eightDaysAgo });
      await claimTasks(db, {
        owner: 'w',
        classes: [{ workClass: 'light', free: 1 }],
        limit: 1,
        leaseSeconds: 30,
      });
      const old = await addTestTask(db, { createdAt: eightDaysAgo });
      const fresh = await addTestTask(db);
      expect(await taskState(db, oldRunning)).toMatchObject({ state: 'running' });
      expect(await purgeExpiredTasks(db, { days: 7 })).toBe(2);
      expect(await taskState(db, old)).toBeUndefined();
      expect(await taskState(db, oldRunning)).toBeUndefined();
      expect(await taskState(db, fresh)).toBeDefined();
      const payloads = await db.query('SELECT 1 FROM task_payloads WHERE task_id = $1', [old]);
      expect(payloads.rows).toHaveLength(0);
      // The queue rows go with their tasks, waiting or running: only the fresh task's is left.
      const queue = await db.query<{ task_id: string }>('SELECT task_id FROM task_queue');
      expect(queue.rows.map((r) => r.task_id)).toEqual([fresh]);
    });

    it('hands running tasks back to the queue when stopped past its grace period', async () => {
      const worker = startTestWorker(db, makeTestProcessor(), { tmpRoot });
      await worker.start();
      const id = await addTestTask(db, { params: { Ms: 60_000 } });
      await waitFor(async () => (await taskState(db, id))?.state === 'running');
      await worker.stop(50);
      expect(await taskState(db, id)).toMatchObject({ state: 'queued', attempts: 0 });
      // The task left its lease, and the lease, with nothing left in it, was deleted.
      expect((await db.query('SELECT * FROM task_leases')).rows).toEqual([]);
    });

    it('deletes a lease once every task in it has ended', async () => {
      const worker = startTestWorker(db, makeTestProcessor(), { tmpRoot });
      const ids = [await addTestTask(db), await addTestTask(db), await addTestTask(db)];
      await worker.start();
      await waitFor(async () => {
        const states = await Promise.all(ids.map((id) => taskState(db, id)));
        return states.every((st) => st?.state === 'succeeded');
      });
      await waitFor(async () => (await db.query('SELECT 1 FROM task_leases')).rows.length === 0);
      await worker.stop();
      expect(await countUnfinishedTasks(db, '1000000000000001', 'p1')).toBe(0);
    });

    it('reaps an expired lease: its ended task stays ended, the other goes back, the late outcome is refused', async () => {
      const ended = await addTestTask(db);
      const orphan = await addTestTask(db);
      const claims = await claimTasks(db, {
        owner: 'ghost',
        classes: [{ workClass: 'light', free: 2 }],
        limit: 2,
        leaseSeconds: 1,
      });
      expect(claims).toHaveLength(2);
      // Running tasks count as unfinished (a project holding them cannot be deleted).
      expect(await countUnfinishedTasks(db, '1000000000000001', 'p1')).toBe(2);
      const outcome = (id: string) => successOf(claims.find((c) => c.task.id === id)!.task);
      const finish = (id: string) =>
        db.transaction((tx) => finishTasks(tx, [outcome(id)], { kind: 'lease', owner: 'ghost' }));
      expect((await finish(ended)).map((f) => f.id)).toEqual([ended]);
      await new Promise((r) => setTimeout(r, 1300));
      await reapExpiredLeases(db, { log: quietLog, onFinished: async () => {} });
      expect(await taskState(db, ended)).toMatchObject({ state: 'succeeded', attempts: 1 });
      expect(await taskState(db, orphan)).toMatchObject({ state: 'queued', attempts: 1 });
      expect((await db.query('SELECT 1 FROM task_leases')).rows).toEqual([]);
      expect(await finish(orphan)).toEqual([]);
      expect(await taskState(db, orphan)).toMatchObject({ state: 'queued' });
      // The retry is claimed as the second attempt, with the first attempt's start.
      const [retry] = await claimTasks(db, {
        owner: 'w',
        classes: [{ workClass: 'light', free: 1 }],
        limit: 1,
        leaseSeconds: 30,
      });
      const first = claims.find((c) => c.task.id === orphan)!.task;
      expect(retry!.task).toMatchObject({ id: orphan, attempts: 2 });
      expect(retry!.task.started_ms).toBeCloseTo(first.started_ms, 0);
    });
  });
}

/** A success outcome for a claimed task, under the attempt its claim started. */
function successOf(task: ClaimedTask) {
  return {
    id: task.id,
    state: 'succeeded' as const,
    code: '',
    message: '',
    endedAt: new Date(),
    content: null,
    run: { leaseId: task.lease_id, attempts: task.attempts, startedMs: task.started_ms },
  };
}
