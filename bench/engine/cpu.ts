/**
 * CPU time spent on a measurement: this process plus the PostgreSQL backends serving its database (read
 * from /proc; same machine). On a shared, busy machine the wall-clock rates swing with the neighbours'
 * load, while CPU time per task barely moves: it is the steadier figure to compare engines by.
 */
import pg from 'pg';
import { pidCpuMs } from '../proc-stats.ts';

async function backendPids(adminUrl: string, database: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
      database,
    ]);
    return r.rows.map((row) => row.pid);
  } finally {
    await c.end();
  }
}

export interface CpuMeter {
  /** CPU milliseconds since the meter started: this process, and the database's backends. */
  stop(): Promise<{ processMs: number; databaseMs: number }>;
}

/**
 * Starts counting. Backends are read at the stop (pools keep their connections while a measurement runs);
 * one that connected meanwhile counts from its start, one that disconnected meanwhile is missed.
 */
export async function startCpuMeter(db?: { adminUrl: string; url: string }): Promise<CpuMeter> {
  const name = db ? new URL(db.url).pathname.slice(1) : '';
  const before = new Map<number, number>();
  if (db) {
    for (const pid of await backendPids(db.adminUrl, name)) before.set(pid, (await pidCpuMs(pid)) ?? 0);
  }
  const own = process.cpuUsage();
  return {
    async stop() {
      const used = process.cpuUsage(own);
      let databaseMs = 0;
      if (db) {
        for (const pid of await backendPids(db.adminUrl, name)) {
          const now = await pidCpuMs(pid);
          if (now !== undefined) databaseMs += now - (before.get(pid) ?? 0);
        }
      }
      return { processMs: (used.user + used.system) / 1000, databaseMs };
    },
  };
}

/** Where a measurement's database work runs: PostgreSQL backends to meter, or nothing (PGlite is in here). */
export type CpuTarget = { adminUrl: string; url: string } | undefined;

/** Runs a throughput measurement with a CPU meter around it and fills in its CPU time per task. */
export async function metered<T extends { done: number; cpuMsPerTask?: number; dbCpuMsPerTask?: number }>(
  target: CpuTarget,
  fn: () => Promise<T>,
): Promise<T> {
  const meter = await startCpuMeter(target);
  const result = await fn();
  const used = await meter.stop();
  if (result.done > 0) {
    result.cpuMsPerTask = (used.processMs + used.databaseMs) / result.done;
    result.dbCpuMsPerTask = used.databaseMs / result.done;
  }
  return result;
}
