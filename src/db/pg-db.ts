import pg from 'pg';
import type { Db, Queryable, QueryOptions, QueryResult } from './types.ts';

// timestamptz → Date (default); int8 → number where the value is safe (counts, ids we create).
pg.types.setTypeParser(20, (v) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

/** The cluster database: a pool of connections to PostgreSQL, plus one dedicated LISTEN connection. */
export async function openPostgresDb(url: string, opts: { max?: number } = {}): Promise<Db> {
  // Prepared statements (QueryOptions.prepare) keep one generic plan: the claim's custom plans were planned
  // anew on every run (its LIMITs come from parameters, so a generic plan looks costlier to the planner
  // while it is the same plan), a twentieth of the database's time in a drain. Unnamed statements are
  // planned once per run whatever this says.
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    options: '-c plan_cache_mode=force_generic_plan',
  });
  pool.on('error', () => {}); // idle client errors surface on the next query
  const wrap = (q: { query: pg.Pool['query'] }): Queryable => ({
    async query<T>(sql: string, params: unknown[] = [], opts?: QueryOptions): Promise<QueryResult<T>> {
      const r = opts?.prepare
        ? await q.query({ name: statementName(sql), text: sql, values: params as any[] })
        : await q.query(sql, params as any[]);
      return { rows: r.rows as T[], affectedRows: r.rowCount ?? 0 };
    },
  });
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let listenClient: pg.Client | undefined;
  let closed = false;

  async function connectListener(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    client.on('notification', (msg) => {
      for (const fn of listeners.get(msg.channel) ?? []) fn(msg.payload ?? '');
    });
    client.on('error', () => {
      // Reconnect and re-LISTEN; the caller's safety sweep covers notifications missed meanwhile.
      listenClient = undefined;
      if (!closed) setTimeout(() => void ensureListener().catch(() => {}), 500);
    });
    for (const ch of listeners.keys()) await client.query(`LISTEN ${quoteIdent(ch)}`);
    return client;
  }
  async function ensureListener(): Promise<pg.Client> {
    if (!listenClient) listenClient = await connectListener();
    return listenClient;
  }

  const base = wrap(pool);
  return {
    kind: 'postgres',
    query: base.query,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async listen(channel, onNotify) {
      let set = listeners.get(channel);
      const first = !set;
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(onNotify);
      const client = await ensureListener();
      if (first) await client.query(`LISTEN ${quoteIdent(channel)}`);
      return async () => {
        set.delete(onNotify);
        if (set.size === 0) {
          listeners.delete(channel);
          await listenClient?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => {});
        }
      };
    },
    async close() {
      closed = true;
      await listenClient?.end().catch(() => {});
      await pool.end();
    },
  };
}

/** One name per statement text, the same in every connection (node-postgres prepares it once on each). */
const statementNames = new Map<string, string>();

function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `openimm_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
