/** The rows a query returned. */
export interface SqlResult<R> {
  rows: R[];
}

/** Runs SQL with `$1`-style parameters. Values are strings, numbers, booleans, `null` or arrays of strings. */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
}

/** Options of {@link SqlDriver.listen}. */
export interface ListenOptions {
  /** Called after the driver lost its listening connection and listens again: notifications may have been missed meanwhile. */
  onReconnect?: () => void;
}

/**
 * What {@link sqlStore} needs from a Postgres database: queries, transactions and (optionally)
 * notifications. `pgliteDriver` and `pgDriver` implement it; wrap one to add logging or
 * fault injection.
 */
export interface SqlDriver extends SqlExecutor {
  /** A short name for messages: `pglite`, `pg`. */
  readonly name: string;
  /**
   * Runs `run` in one transaction: committed when it resolves, rolled back when it throws (and
   * the error rethrown). Queries inside must go through `tx`.
   */
  transaction<T>(run: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` with the payload of each `NOTIFY` on `channel` (Postgres LISTEN), so stores
   * in other processes hear of writes. Resolves to a function that stops listening. Optional:
   * without it, a store hears only of its own writes.
   *
   * A driver whose listening connection can be lost listens again on a new one, then calls
   * `options.onReconnect` (notifications sent in between were missed: the store reads its feed).
   */
  listen?(channel: string, onNotify: (payload: string) => void, options?: ListenOptions): Promise<() => Promise<void>>;
  /** Closes the connections (or the embedded database) the driver owns. */
  close(): Promise<void>;
}
