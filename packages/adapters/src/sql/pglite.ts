import type { SqlDriver, SqlExecutor, SqlResult } from './driver.js';

/** The part of a PGlite instance (`@electric-sql/pglite` 0.5) the driver uses. */
export interface PGliteLike {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  transaction<T>(run: (tx: { query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>): Promise<T>;
  listen?(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  readonly closed?: boolean;
}

/** Options of {@link pgliteDriver} when it starts the database itself. */
export interface PGliteDriverOptions {
  /**
   * Where PGlite keeps its files: a folder path (Node), `idb://name` (browsers), or leave it out
   * for a database in memory that is gone when the process ends.
   * @default undefined (in memory)
   */
  dataDir?: string;
}

/**
 * A {@link SqlDriver} on PGlite, Postgres compiled to WebAssembly: the embedded default, with
 * nothing to install beyond `npm i @electric-sql/pglite`. Give it a PGlite instance you made (the
 * driver then leaves closing it to you… unless you call `driver.close()`), or options, and it
 * starts one itself, loading `@electric-sql/pglite` on first use.
 *
 * PGlite runs one query at a time, so one instance serves one process: share one per process.
 * Its first start on a new data folder (or in memory) runs `initdb`: measured 3–5 s with a peak
 * of about 800–920 MB; later starts on the folder 0.7–1.4 s and about 390 MB (docs/sql.md).
 *
 * @example
 * ```ts
 * import { sqlStore, pgliteDriver } from '@crm/adapters/sql'
 * const store = sqlStore({ driver: pgliteDriver({ dataDir: './crm-data' }) })
 * ```
 */
export function pgliteDriver(database: PGliteLike | PGliteDriverOptions = {}): SqlDriver {
  let db: Promise<PGliteLike> | undefined = isPGlite(database) ? Promise.resolve(database) : undefined;
  const options = isPGlite(database) ? {} : database;
  if (!isPGlite(database) && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError('pgliteDriver: expected a PGlite instance or options such as { dataDir: "./crm-data" }');
  }
  const open = (): Promise<PGliteLike> =>
    (db ??= import('@electric-sql/pglite').then(
      ({ PGlite }) => PGlite.create(options.dataDir) as unknown as Promise<PGliteLike>,
      (cause: unknown) => {
        throw new Error('pgliteDriver needs the @electric-sql/pglite package: npm i @electric-sql/pglite', { cause });
      },
    ));
  const executor = (target: { query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }> }): SqlExecutor => ({
    async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const { rows } = await target.query<R>(text, params as unknown[]);
      return { rows };
    },
  });
  return {
    name: 'pglite',
    async query<R>(text: string, params?: readonly unknown[]) {
      return executor(await open()).query<R>(text, params);
    },
    async transaction(run) {
      return (await open()).transaction((tx) => run(executor(tx)));
    },
    async listen(channel, onNotify) {
      const instance = await open();
      if (!instance.listen) return async () => {};
      return instance.listen(channel, onNotify);
    },
    async close() {
      if (!db) return;
      const instance = await db;
      if (!instance.closed) await instance.close();
    },
  };
}

function isPGlite(value: unknown): value is PGliteLike {
  return typeof value === 'object' && value !== null && typeof (value as PGliteLike).query === 'function' && typeof (value as PGliteLike).transaction === 'function';
}
