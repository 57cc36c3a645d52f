import type { SqlDriver, SqlExecutor, SqlResult } from './driver.js';

/** A connection of node-postgres (`pg`) as the driver uses it. */
export interface PgClientLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  release(error?: Error | boolean): void;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's EventEmitter takes any listener
  removeListener?(event: 'notification' | 'error', listener: (...args: any[]) => void): unknown;
}

/** The part of a node-postgres `Pool` the driver uses. */
export interface PgPoolLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  connect(): Promise<PgClientLike>;
  end(): Promise<void>;
}

/**
 * A {@link SqlDriver} on a PostgreSQL server (or a Postgres-compatible distributed database)
 * through a node-postgres `Pool` you make: `npm i pg`. Transactions take a connection of their own;
 * `listen` keeps one connection for notifications, so stores in other processes hear of writes.
 * `driver.close()` ends the pool.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { sqlStore, pgDriver } from '@crm/adapters/sql'
 * const store = sqlStore({ driver: pgDriver(new pg.Pool({ connectionString: process.env.DATABASE_URL })) })
 * ```
 */
export function pgDriver(pool: PgPoolLike): SqlDriver {
  if (!pool || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new TypeError('pgDriver: expected a pg Pool, e.g. pgDriver(new pg.Pool({ connectionString }))');
  }
  const executor = (target: { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }> }): SqlExecutor => ({
    async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const { rows } = await target.query(text, params as unknown[]);
      return { rows: rows as R[] };
    },
  });
  return {
    name: 'pg',
    ...executor(pool),
    async transaction(run) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // The pool's error listener is off while the connection is out: a connection the server
      // ends mid-transaction would otherwise crash the process. Its query fails, which rolls back.
      const onError = (error: Error) => {
        broken ??= error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await run(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error; // The connection is unusable: drop it from the pool.
        }
        throw error;
      } finally {
        // A broken connection may still emit errors while it closes: keep swallowing them.
        if (!broken) client.removeListener?.('error', onError);
        client.release(broken);
      }
    },
    async listen(channel, onNotify, listenOptions = {}) {
      // Listening holds a connection for as long as someone subscribes: with a pool of one,
      // every other query would wait for it forever.
      if ((pool as { options?: { max?: number } }).options?.max === 1) {
        throw new Error('pgDriver: subscribing holds one connection of the pool for LISTEN; give the pool max ≥ 2');
      }
      let stopped = false;
      /** The connection listening now; `undefined` while (re)connecting. */
      let current: PgClientLike | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let failures = 0;
      const onNotification = (message: { channel: string; payload?: string }) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      };
      const errorListeners = new WeakMap<PgClientLike, (error: Error) => void>();
      /**
       * Gives a connection back: a broken one is dropped from the pool (and its late errors still
       * swallowed), a sound one goes back without our listeners.
       */
      const release = (client: PgClientLike, error?: Error) => {
        client.removeListener?.('notification', onNotification);
        const onError = errorListeners.get(client);
        if (!error && onError) client.removeListener?.('error', onError);
        client.release(error);
      };

      const connect = async (): Promise<void> => {
        const client = await pool.connect();
        // A connection taken from the pool has no error listener of the pool's any more: without
        // one, a connection the server ends (a restart, pg_terminate_backend) crashes the process.
        const onError = (error: Error) => {
          if (current !== client) return; // An error of a connection already given back.
          current = undefined;
          release(client, error);
          logError('pgDriver: the LISTEN connection failed; listening again on a new one', error);
          reconnect();
        };
        errorListeners.set(client, onError);
        client.on('error', onError);
        client.on('notification', onNotification);
        try {
          await client.query(`LISTEN ${quoteIdent(channel)}`);
        } catch (error) {
          release(client, error as Error);
          throw error;
        }
        if (stopped) {
          release(client);
          return;
        }
        current = client;
      };

      /** Listens again after a backoff (0.1 s doubling to 30 s): notifications sent meanwhile were missed, so says so. */
      const reconnect = () => {
        if (stopped || timer !== undefined) return;
        const delay = Math.min(30_000, 100 * 2 ** Math.min(failures, 9)) * (0.5 + Math.random() / 2);
        timer = setTimeout(() => {
          timer = undefined;
          connect().then(
            () => {
              failures = 0;
              if (!stopped) listenOptions.onReconnect?.();
            },
            (error: unknown) => {
              if (failures++ === 0) logError('pgDriver: could not listen again yet; retrying', error);
              reconnect();
            },
          );
        }, delay);
        // A retry alone never keeps the process alive.
        (timer as { unref?: () => void }).unref?.();
      };

      await connect();
      return async () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        const client = current;
        current = undefined;
        if (!client) return;
        try {
          await client.query(`UNLISTEN ${quoteIdent(channel)}`);
        } catch (error) {
          release(client, error as Error);
          throw error;
        }
        release(client);
      };
    },
    async close() {
      await pool.end();
    },
  };
}

const logError = (message: string, error: unknown) =>
  (globalThis as { console?: { error(...data: unknown[]): void } }).console?.error(message, error);

/** A Postgres identifier, quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
