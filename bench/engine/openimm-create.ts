/**
 * The create path: CreateFileCompressionTask through the real HTTP API (signed ACS3 requests, keep-alive),
 * on an app started with the worker role off so every task stays queued.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startApp } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { metered } from './cpu.ts';
import { makeSignedClient } from './signed-client.ts';
import { closedLoopFor, type Throughput } from './timing.ts';

const KEYS = { accessKeyId: 'LTAIbenchengine000000001', accessKeySecret: 'bench-secret-0123456789abcdefgh' };

/** A folder for the app's data: tmpfs when there is one, so PGlite's files live in memory there too. */
function scratchParent(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
}

/** Tasks/s committed for `inFlight` concurrent clients, and the CPU time they cost. */
export async function openimmCreate(opts: {
  /** PostgreSQL: the server's admin URL and this run's database; unset means embedded PGlite. */
  postgres?: { adminUrl: string; url: string };
  durationMs: number;
  warmupMs: number;
  inFlight: number;
}): Promise<Throughput> {
  const dataDir = await mkdtemp(path.join(scratchParent(), 'openimm-bench-'));
  await mkdir(path.join(dataDir, 'oss/bench'), { recursive: true });
  await writeFile(path.join(dataDir, 'oss/bench/a.txt'), 'a');
  const config = await loadConfig({
    env: {
      OPENIMM_DATABASE_URL: opts.postgres?.url,
      OPENIMM_ACCESS_KEY_ID: KEYS.accessKeyId,
      OPENIMM_ACCESS_KEY_SECRET: KEYS.accessKeySecret,
      OPENIMM_THROTTLE_RATE: '0',
    },
    flags: { dataDir, port: 0, role: 'api', logLevel: 'silent' },
  });
  const app = await startApp(config, pino({ level: 'silent' }));
  try {
    const client = makeSignedClient(app.url!, KEYS, opts.inFlight);
    await client.call('CreateProject', { ProjectName: 'bench' });
    const create = () =>
      client.call('CreateFileCompressionTask', {
        ProjectName: 'bench',
        TargetURI: 'oss://bench/out/a.zip',
        Sources: [{ URI: 'oss://bench/a.txt' }],
      });
    let created = 0;
    const counted = () => create().then(() => created++);
    await closedLoopFor(opts.warmupMs, opts.inFlight, counted);
    const result = await metered(opts.postgres, () => closedLoopFor(opts.durationMs, opts.inFlight, counted));
    client.close();
    // Every answered create is a committed, queued task.
    const r = await app.services.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tasks WHERE state = 'queued'`,
    );
    if (r.rows[0]!.n !== created)
      throw new Error(`${created} creates answered, ${r.rows[0]!.n} tasks queued`);
    return result;
  } finally {
    await app.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
