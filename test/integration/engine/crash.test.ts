/**
 * Crash test on real processes and PostgreSQL: one API process and three workers; tasks are submitted while
 * workers are killed with SIGKILL and replaced. Every task must reach exactly one terminal status, none lost.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePostgresDb, type TestDb } from '../../helpers/db.ts';
import { makeImmClient } from '../../helpers/imm-clients.ts';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.ts';

const TASKS = 500;
const KILLS = 30;
const CREDS = { accessKeyId: 'LTAIcrashtest00000000001', accessKeySecret: 'crash-secret-0123456789abcdefg' };

describe('crash test: SIGKILLed workers lose no task', () => {
  let t: TestDb;
  let dataDir: string;
  let api: ServerProcess;
  const workers: ServerProcess[] = [];
  /** Every process started, for the cleanup. */
  const spawned: ServerProcess[] = [];
  const workerArgs = ['--role', 'worker', '--concurrency', '4'];
  let env: Record<string, string>;
  let workerEnv: Record<string, string>;

  beforeAll(async () => {
    t = await makePostgresDb();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'openimm-crash-'));
    await mkdir(path.join(dataDir, 'oss/crash'), { recursive: true });
    // Incompressible bytes make each task take a few tens of milliseconds of real deflate work.
    await writeFile(path.join(dataDir, 'oss/crash/source.bin'), randomBytes(1024 * 1024));
    env = {
      OPENIMM_DATABASE_URL: t.url!,
      OPENIMM_ACCESS_KEY_ID: CREDS.accessKeyId,
      OPENIMM_ACCESS_KEY_SECRET: CREDS.accessKeySecret,
      OPENIMM_LEASE_SECONDS: '2',
      OPENIMM_MAX_ATTEMPTS: '20',
      OPENIMM_LOG_LEVEL: 'warn',
      OPENIMM_THROTTLE_RATE: '0',
    };
    workerEnv = { ...env, OPENIMM_LOG_LEVEL: 'info' };
    api = await startServerProcess({ dataDir, env: workerEnv, args: ['--role', 'api'] });
    const started = await Promise.all(
      [0, 1, 2].map(() => startServerProcess({ dataDir, env: workerEnv, args: workerArgs })),
    );
    workers.push(...started);
    spawned.push(...started);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([api, ...spawned].filter(Boolean).map((p) => p.stop('SIGKILL')));
    await t?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`runs ${TASKS} tasks to exactly one terminal status while workers are killed ${KILLS} times`, async () => {
    const client = makeImmClient('acs3', api.endpoint, CREDS);
    await client.call('CreateProject', { ProjectName: 'crash' });
    const ids: string[] = [];
    let next = 0;
    const submitters = Array.from({ length: 16 }, async () => {
      while (next < TASKS) {
        const i = next++;
        const r = await client.call('CreateFileCompressionTask', {
          ProjectName: 'crash',
          TargetURI: `oss://crash/out/${i}.zip`,
          Sources: [{ URI: 'oss://crash/source.bin', Mode: 'fullname', Alias: `/${i}.bin` }],
        });
        ids.push(r.TaskId);
      }
    });

    const db = new pg.Client({ connectionString: t.url });
    await db.connect();
    const unfinished = async () =>
      Number(
        (await db.query(`SELECT count(*) AS n FROM tasks WHERE state IN ('queued','running')`)).rows[0].n,
      );

    let kills = 0;
    const replacements: Array<Promise<void>> = [];
    const killer = (async () => {
      // Kill a random live worker every 300 ms while work is in flight; its replacement starts meanwhile.
      while (kills < KILLS) {
        await new Promise((r) => setTimeout(r, 300));
        if (next >= TASKS && (await unfinished()) === 0) break;
        if (workers.length < 2) continue;
        const [victim] = workers.splice(Math.floor(Math.random() * workers.length), 1);
        await victim!.stop('SIGKILL');
        kills++;
        replacements.push(
          startServerProcess({ dataDir, env: workerEnv, args: workerArgs, timeoutMs: 240_000 }).then(
            (p) => {
              workers.push(p);
              spawned.push(p);
            },
            // A replacement that is slow to start on a loaded machine does not decide the test: the others run on.
            (err) => console.warn(`a replacement worker did not start: ${String(err).slice(0, 200)}`),
          ),
        );
      }
    })();

    await Promise.all(submitters);
    await killer;
    await Promise.all(replacements);
    const deadline = Date.now() + 300_000;
    while ((await unfinished()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));

    const rows = (
      await db.query<{ state: string; n: string; retried: string }>(
        `SELECT state, count(*) AS n, count(*) FILTER (WHERE attempts > 1) AS retried FROM tasks GROUP BY state`,
      )
    ).rows;
    await db.end();
    const counts = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    const retried = rows.reduce((a, r) => a + Number(r.retried), 0);
    console.log(
      `crash test: ${TASKS} tasks, ${kills} worker kills, states ${JSON.stringify(counts)}, ${retried} retried after a kill`,
    );
    expect(ids).toHaveLength(TASKS);
    expect(new Set(ids).size).toBe(TASKS);
    expect(kills).toBeGreaterThanOrEqual(Math.min(KILLS, 10));
    expect(counts).toEqual({ succeeded: TASKS });
  }, 600_000);
});
