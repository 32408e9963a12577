export interface QueryResult<T> {
  rows: T[];
  affectedRows: number;
}

/** One connection's worth of SQL: the same statements run on PGlite and PostgreSQL. */
export interface QueryOptions {
  /**
   * Keep the statement prepared on each connection (PostgreSQL): later runs skip parsing and analysis, and
   * planning once the server settles on a generic plan. For the few fixed statements that run per batch on
   * the hot path; PGlite ignores it.
   */
  prepare?: boolean;
}

export interface Queryable {
  query<T = Record<string, any>>(
    sql: string,
    params?: unknown[],
    opts?: QueryOptions,
  ): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK on throw). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; returns an unlisten function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
