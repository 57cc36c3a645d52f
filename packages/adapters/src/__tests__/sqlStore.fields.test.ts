import { CrmValidationError, type Customer } from '@crm/core';
import { createOp, makeCustomer, newId } from '@crm/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldIndexStatement, pgliteDriver, sqlStore, type SqlDriver } from '../sql/index.js';
import { PG_URL, freshPgSchema, recordingDriver } from './sqlHelpers.js';

// Custom field indexes (`sqlStore({ fieldIndexes })`) on PGlite and on the PostgreSQL server:
// created once, named deterministically, used by the planner for field filters, and never in the
// way of a write whose field is too large for a btree entry.

type Target = { name: string; driver: () => SqlDriver };
let pgDb: Awaited<ReturnType<typeof freshPgSchema>> | undefined;
let pgDriverOnce: SqlDriver | undefined;
const pglite = pgliteDriver();

beforeAll(async () => {
  try {
    pgDb = await freshPgSchema('fields');
  } catch (error) {
    throw new Error(`These tests need the PostgreSQL server at ${PG_URL} (set CRM_TEST_DATABASE_URL): ${String(error)}`);
  }
  pgDriverOnce = pgDb.driver();
});
afterAll(async () => {
  await pglite.close();
  await pgDb?.drop();
});

const targets: Target[] = [
  { name: 'PGlite', driver: () => pglite },
  { name: 'PostgreSQL', driver: () => pgDriverOnce! },
];

/** The field indexes in the store's schema, by name, with their definitions. */
async function fieldIndexes(driver: SqlDriver): Promise<Record<string, string>> {
  const { rows } = await driver.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE 'crm\\_%\\_f\\_%' ORDER BY indexname",
  );
  return Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]));
}

/** The indexes a read's one query scans, and the tables it scans whole, from EXPLAIN (FORMAT JSON). */
async function plan(driver: SqlDriver, read: (store: ReturnType<typeof sqlStore>) => Promise<unknown>, options: Parameters<typeof sqlStore>[0]) {
  const { driver: recording, log } = recordingDriver(driver);
  const spy = sqlStore({ ...options, driver: recording });
  await read(spy); // Migrations and index checks run on first use.
  const from = log.length;
  await read(spy);
  const queries = log.slice(from).filter((q) => /^SELECT id, record FROM/.test(q.text));
  expect(queries).toHaveLength(1);
  const { text, params } = queries[0]!;
  const { rows } = await driver.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
  const json = JSON.stringify(rows[0]!['QUERY PLAN']);
  if (process.env.CRM_SHOW_PLANS) console.log(text, params, JSON.stringify(rows[0]!['QUERY PLAN'], null, 1));
  return {
    text,
    params,
    indexes: [...new Set([...json.matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1]))].sort(),
    tableScans: [...json.matchAll(/"Node Type":"Seq Scan","[^}]*?"Relation Name":"([^"]+)"/g)].map((m) => m[1]),
    sorts: [...json.matchAll(/"Node Type":"Sort"/g)].length,
  };
}

describe('sqlStore options: fieldIndexes', () => {
  it('are checked: field names only, by entity', () => {
    const driver = pglite;
    const bad = (fieldIndexes: unknown, mention: string) => {
      let error: unknown;
      try {
        sqlStore({ driver, fieldIndexes: fieldIndexes as never });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CrmValidationError);
      expect((error as Error).message).toContain(mention);
    };
    bad({ customers: ["tier'; DROP TABLE crm_customers; --"] }, 'fieldIndexes.customers[0]');
    bad({ customers: ['ok', '1tier'] }, 'fieldIndexes.customers[1]');
    bad({ customers: [7] }, 'fieldIndexes.customers[0]');
    bad({ customers: 'tier' }, 'fieldIndexes.customers');
    bad({ leads: ['tier'] }, 'fieldIndexes');
    bad(['tier'], 'fieldIndexes');
    bad({ customers: Array.from({ length: 21 }, (_, i) => `f${i}`) }, 'fieldIndexes.customers');
    expect(() => sqlStore({ driver, fieldIndexes: { customers: [], touchpoints: undefined } })).not.toThrow();
  });

  it('fieldIndexStatement is the DDL the store runs: names checked, quoted, deterministic', () => {
    expect(fieldIndexStatement('customers', 'tier')).toBe(
      `CREATE INDEX IF NOT EXISTS "crm_customers_f_tier" ON crm_customers (tenant, (record->'fields'->'tier'), id) ` +
        `WHERE jsonb_typeof((record->'fields'->'tier')) IN ('string', 'number', 'boolean') AND octet_length(((record->'fields'->'tier'))::text) <= 1500`,
    );
    expect(() => fieldIndexStatement('customers', "x') --")).toThrow(CrmValidationError);
    const long = `f${'x'.repeat(63)}`;
    const name = /"([^"]+)"/.exec(fieldIndexStatement('touchpoints', long))![1]!;
    expect(name.length).toBeLessThanOrEqual(63);
    expect(/"([^"]+)"/.exec(fieldIndexStatement('touchpoints', long))![1]).toBe(name);
    expect(/"([^"]+)"/.exec(fieldIndexStatement('touchpoints', `${long.slice(0, -1)}y`))![1]).not.toBe(name);
  });
});

describe.each(targets)('sqlStore field indexes on $name', ({ driver: driverOf }) => {
  it('creates each index on first use (in pg_indexes), once, for every store of the database', async () => {
    const driver = driverOf();
    const long = `Long${'_x'.repeat(30)}`;
    const options = { driver, fieldIndexes: { customers: ['tier', 'Tier', long], complaints: ['product'] } };
    const store = sqlStore({ ...options, tenant: newId() });
    await store.list('customers');
    const made = await fieldIndexes(driver);
    const longName = /"([^"]+)"/.exec(fieldIndexStatement('customers', long))![1]!;
    expect(Object.keys(made).sort()).toEqual(['crm_complaints_f_product', 'crm_customers_f_Tier', 'crm_customers_f_tier', longName].sort());
    expect(made.crm_customers_f_tier).toContain(`(((record -> 'fields'::text) -> 'tier'::text))`);
    expect(made.crm_customers_f_Tier).toContain(`-> 'Tier'::text`);
    expect(made.crm_complaints_f_product).toMatch(/ON (\w+\.)?crm_complaints USING btree \(tenant, \(\(\(record -> 'fields'::text\) -> 'product'::text\)\), id\) WHERE /);
    // Other stores (other tenants, at once) find them made.
    await Promise.all(Array.from({ length: 3 }, () => sqlStore({ ...options, tenant: newId() }).list('complaints')));
    expect(await fieldIndexes(driver)).toEqual(made);
    await store.close();
  });

  it('a value too large for an index entry, or an object, is written and filtered by as without an index', async () => {
    const driver = driverOf();
    const store = sqlStore({ driver, tenant: newId(), fieldIndexes: { customers: ['notes', 'tier'] } });
    const random = Array.from({ length: 3000 }, (_, i) => ((i * 2654435761) % 4294967296).toString(36)).join('');
    const records = [
      makeCustomer({ fields: { notes: random, tier: 'gold' } }),
      makeCustomer({ fields: { notes: { long: random }, tier: 'x'.repeat(1000) } }),
      makeCustomer({ fields: { notes: 'short', tier: '簡體'.repeat(500) } }),
      makeCustomer({ fields: { notes: null } }),
      makeCustomer(),
    ];
    await store.write(records.map((r) => createOp('customers', r)));
    const found = async (fields: Record<string, string | null>) => (await store.list('customers', { filter: { fields }, order: 'asc' })).items.map((c) => c.id);
    expect(random.length).toBeGreaterThan(10_000);
    expect(await found({ notes: 'short' })).toEqual([records[2]!.id]);
    expect(await found({ tier: 'gold' })).toEqual([records[0]!.id]);
    expect(await found({ tier: 'x'.repeat(1000) })).toEqual([records[1]!.id]);
    expect(await found({ tier: '簡體'.repeat(500) })).toEqual([records[2]!.id]);
    expect(await found({ notes: null })).toEqual([records[3]!.id, records[4]!.id]);
    expect(await found({ tier: null })).toEqual([records[3]!.id, records[4]!.id]);
    await store.close();
  });

  it('a field filter is an index scan of the field index, in id order (EXPLAIN), with values as bound parameters', async () => {
    const driver = driverOf();
    const tenant = newId();
    const options = { driver, tenant, fieldIndexes: { customers: ['tier'] } };
    const store = sqlStore(options);
    // 3000 customers, 1 in 100 gold, plus another tenant's.
    const tiers = ['bronze', 'silver', 'iron', 'stone'];
    const customers: Customer[] = Array.from({ length: 3000 }, (_, i) =>
      makeCustomer({ kind: i % 2 ? 'customer' : 'prospect', fields: { tier: i % 100 === 7 ? 'gold' : tiers[i % 4]!, n: i } }),
    );
    await store.write(customers.map((c) => createOp('customers', c)));
    await sqlStore({ ...options, tenant: newId() }).write(customers.slice(0, 500).map((c) => createOp('customers', { ...c, id: newId() })));
    await driver.query('ANALYZE crm_customers');

    const gold = await plan(driver, (s) => s.list('customers', { filter: { fields: { tier: 'gold' } }, limit: 20 }), options);
    expect(gold).toMatchObject({ indexes: ['crm_customers_f_tier'], tableScans: [], sorts: 0 });
    expect(gold.text).not.toContain('gold');
    expect(gold.params).toContain('"gold"');
    const page1 = await store.list('customers', { filter: { fields: { tier: 'gold' } }, limit: 20, order: 'asc' });
    const paged = await plan(
      driver,
      (s) => s.list('customers', { filter: { fields: { tier: 'gold' } }, limit: 20, order: 'asc', cursor: page1.nextCursor }),
      options,
    );
    expect(paged).toMatchObject({ indexes: ['crm_customers_f_tier'], tableScans: [], sorts: 0 });
    const withKind = await plan(driver, (s) => s.list('customers', { filter: { kind: 'customer', fields: { tier: 'gold' } } }), options);
    expect(withKind.tableScans).toEqual([]);
    expect(withKind.indexes).toEqual(['crm_customers_f_tier']);
    // Without the index option, the same filter reads the tenant's records (no field index named).
    const unindexed = await plan(driver, (s) => s.list('customers', { filter: { fields: { tier: 'gold' } }, limit: 20 }), { driver, tenant });
    expect(unindexed.indexes).not.toContain('crm_customers_f_tier');
    expect((await store.list('customers', { filter: { fields: { tier: 'gold' } }, limit: 100 })).items).toHaveLength(30);
    await store.close();
  });
});
