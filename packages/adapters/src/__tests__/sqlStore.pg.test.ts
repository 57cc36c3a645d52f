import { CrmConflictError, type Change } from '@crm/core';
import { createOp, describeStoreContract, makeCustomer, makeTouchpoint, newId, nextVersion, updateOp } from '@crm/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { MIGRATIONS, migrate, pgDriver, sqlStore, type SqlDriver } from '../sql/index.js';
import { PG_URL, freshPgSchema } from './sqlHelpers.js';

// The PostgreSQL server at CRM_TEST_DATABASE_URL (default: the local `test` database, which CI
// has). Each run works in a schema of its own, created empty and dropped at the end.
let db: Awaited<ReturnType<typeof freshPgSchema>>;
let driver: SqlDriver;

beforeAll(async () => {
  try {
    db = await freshPgSchema('contract');
  } catch (error) {
    throw new Error(`These tests need the PostgreSQL server at ${PG_URL} (set CRM_TEST_DATABASE_URL): ${String(error)}`);
  }
  driver = db.driver();
});
afterAll(() => db?.drop());

// With field indexes on the custom fields the contract filters by (on PGlite it runs without), so
// both forms of a field filter's SQL run the suite.
const fieldIndexes = {
  customers: ['tier', 'seats', 'active', 'region', 'short'],
  touchpoints: ['topic', 'team', 'short'],
  complaints: ['product', 'urgent', 'short'],
};
await describeStoreContract('sqlStore on a PostgreSQL server', (setup) => sqlStore({ driver, tenant: newId(), fieldIndexes, ...setup }));

describe('sqlStore on a PostgreSQL server', () => {
  it('two processes starting at once on an empty schema migrate it once', async () => {
    const fresh = await freshPgSchema('migrate');
    try {
      const [a, b, c] = [fresh.driver(1), fresh.driver(1), fresh.driver(1)];
      expect(await Promise.all([migrate(a), migrate(b), migrate(c)])).toEqual([1, 1, 1].map(() => MIGRATIONS.at(-1)!.version));
      const { rows } = await a.query<{ version: number }>('SELECT version FROM crm_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      // Both can write at once right away.
      const [s1, s2] = [sqlStore({ driver: a }), sqlStore({ driver: b })];
      await Promise.all([s1.write([createOp('customers', makeCustomer())]), s2.write([createOp('customers', makeCustomer())])]);
      expect((await s1.changes({ since: 0 })).changes.map((ch) => ch.seq)).toEqual([1, 2]);
    } finally {
      await fresh.drop();
    }
  });

  it('concurrent writers of one tenant get a gapless feed, in commit order, and no lost update', async () => {
    const tenant = newId();
    const stores = Array.from({ length: 4 }, () => sqlStore({ driver: db.driver(2), tenant }));
    const customer = makeCustomer();
    await stores[0]!.write([createOp('customers', customer)]);
    // Four writers on four pools, ten tag changes each, each re-reading and retrying on conflict.
    let conflicts = 0;
    await Promise.all(
      stores.map(async (store, w) => {
        for (let i = 0; i < 10; i++) {
          for (;;) {
            const current = (await store.get('customers', customer.id))!;
            try {
              await store.write([updateOp('customers', nextVersion(current, { tags: [...current.tags, `w${w}-${i}`] }))]);
              break;
            } catch (error) {
              if (!(error instanceof CrmConflictError)) throw error;
              conflicts++;
            }
          }
        }
      }),
    );
    expect(conflicts).toBeGreaterThan(0); // They did race.
    expect((await stores[0]!.get('customers', customer.id))!.tags).toHaveLength(40);
    expect((await stores[0]!.get('customers', customer.id))!.version).toBe(41);
    const feed = await stores[1]!.changes({ since: 0, limit: 1000 });
    expect(feed.changes.map((c) => c.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(feed.changes.map((c) => c.version)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
  });

  it('a store hears of writes made through another pool (another process) by LISTEN/NOTIFY, once per write', async () => {
    const tenant = newId();
    const listening = sqlStore({ driver: db.driver(2), tenant });
    const writing = sqlStore({ driver: db.driver(2), tenant });
    const otherTenant = sqlStore({ driver: db.driver(2), tenant: newId() });
    const heard: (readonly Change[])[] = [];
    const stop = listening.subscribe!((changes) => heard.push(changes));
    try {
      // The subscription is ready once the store knows where the feed stands.
      await listening.write([createOp('customers', makeCustomer())]);
      const c = makeCustomer();
      await writing.write([createOp('customers', c), createOp('touchpoints', makeTouchpoint(c.id))]);
      await otherTenant.write([createOp('customers', makeCustomer())]);
      await expect.poll(() => heard.length, { timeout: 5000 }).toBe(2);
      expect(heard[1]!.map((ch) => [ch.seq, ch.entity])).toEqual([
        [2, 'customers'],
        [3, 'touchpoints'],
      ]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(heard).toHaveLength(2);
    } finally {
      stop();
      await Promise.all([listening.close(), writing.close(), otherTenant.close()]);
    }
  });

  it('listens again when its LISTEN connection dies: writes of other processes are heard, those made meanwhile too', async () => {
    const tenant = newId();
    const applicationName = `crm-relisten-${newId()}`;
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${db.schema}`, application_name: applicationName });
    const listening = sqlStore({ driver: pgDriver(pool), tenant });
    const writing = sqlStore({ driver: db.driver(2), tenant });
    const heard: number[][] = [];
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    const stop = listening.subscribe!((changes) => heard.push(changes.map((c) => c.seq)));
    try {
      await listening.write([createOp('customers', makeCustomer())]);
      await writing.write([createOp('customers', makeCustomer())]);
      await expect.poll(() => heard.length, { timeout: 5000 }).toBe(2);
      // The server ends the LISTEN connection (a restart, a failover, pg_terminate_backend).
      const { rows } = await db.admin.query<{ ended: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`,
        [applicationName],
      );
      expect(rows).toEqual([{ ended: true }]);
      // Written while nobody listens: heard once the store listens again.
      await writing.write([createOp('customers', makeCustomer())]);
      await expect.poll(() => heard.length, { timeout: 5000 }).toBe(3);
      await expect
        .poll(async () => (await db.admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`, [applicationName])).rows.length, { timeout: 5000 })
        .toBe(1);
      await writing.write([createOp('customers', makeCustomer())]);
      await expect.poll(() => heard.length, { timeout: 5000 }).toBe(4);
      expect(heard).toEqual([[1], [2], [3], [4]]);
      expect(String(errors[0]?.[0])).toContain('the LISTEN connection failed; listening again');
    } finally {
      stop();
      console.error = original;
      await Promise.all([listening.close(), writing.close()]);
      await pool.end();
    }
  });

  it('a pool of one connection can’t hold a LISTEN: subscribing says so, and writes don’t hang', async () => {
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    const store = sqlStore({ driver: db.driver(1), tenant: newId() });
    try {
      const stop = store.subscribe!(() => {});
      expect(await store.write([createOp('customers', makeCustomer())])).toEqual({ lastSeq: 1, writeId: 1 });
      stop();
      expect(String(errors.flat().find((e) => e instanceof Error))).toMatch(/give the pool max ≥ 2/);
    } finally {
      console.error = original;
      await store.close();
    }
  });
});
