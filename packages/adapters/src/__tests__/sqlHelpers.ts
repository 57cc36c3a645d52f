import pg from 'pg';
import type { SqlDriver, SqlExecutor } from '../sql/index.js';
import { pgDriver } from '../sql/index.js';

/** The PostgreSQL server the tests use: `CRM_TEST_DATABASE_URL`, by default the local `test` database. */
export const PG_URL = process.env.CRM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A pg driver on a schema of its own (dropped by `drop()`), so test runs never meet each other's
 * tables and the schema starts empty: the migrations run from nothing every time.
 */
export async function freshPgSchema(label: string) {
  const schema = `crm_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pools: pg.Pool[] = [];
  const driver = (max = 4) => {
    const pool = new pg.Pool({ connectionString: PG_URL, max, options: `-c search_path=${schema}` });
    pools.push(pool);
    return pgDriver(pool);
  };
  return {
    schema,
    driver,
    admin,
    async drop() {
      await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** The statements a driver ran, for EXPLAIN tests. */
export function recordingDriver(inner: SqlDriver) {
  /** Each statement, with the number of the transaction it ran in (0 outside one). */
  const log: { text: string; params: readonly unknown[]; tx: number }[] = [];
  let transactions = 0;
  const wrap = (executor: SqlExecutor, tx = 0): SqlExecutor => ({
    query(text, params = []) {
      log.push({ text, params, tx });
      return executor.query(text, params);
    },
  });
  const driver: SqlDriver = {
    ...inner,
    name: `recording ${inner.name}`,
    ...wrap(inner),
    transaction: (run) => {
      const number = ++transactions;
      return inner.transaction((tx) => run(wrap(tx, number)));
    },
    close: () => inner.close(),
  };
  delete (driver as { listen?: unknown }).listen;
  return { driver, log };
}

/**
 * A driver whose write transactions (those that start by locking the tenant's feed) fail at their
 * `n`th statement (1-based), or at the first statement matching `n`, as a lost connection would.
 * Migrations run as usual.
 */
export function failingDriver(inner: SqlDriver, n: number | RegExp): SqlDriver {
  return {
    name: `failing ${inner.name}`,
    query: (text, params) => inner.query(text, params),
    close: () => inner.close(),
    transaction: (run) =>
      inner.transaction((tx) => {
        let count = 0;
        let isWrite = false;
        return run({
          query(text, params) {
            count++;
            if (count === 1) isWrite = text.startsWith('INSERT INTO crm_tenants');
            if (isWrite && (typeof n === 'number' ? count === n : n.test(text))) {
              return Promise.reject(new Error(`injected failure at statement ${count}`));
            }
            return tx.query(text, params);
          },
        });
      }),
  };
}
