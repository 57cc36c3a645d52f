import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CrmConflictError, CrmValidationError, createCrm, type CrmStore } from '@crm/core';
import {
  contractTime,
  createOp,
  describeStoreContract,
  makeActivity,
  makeComplaint,
  makeCustomer,
  makeTouchpoint,
  newId,
  nextVersion,
  updateOp,
} from '@crm/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, pgliteDriver, sqlStore, type SqlDriver } from '../sql/index.js';
import { failingDriver, recordingDriver } from './sqlHelpers.js';

// PGlite takes seconds to start: one instance for the whole file, a fresh tenant (an empty store
// with its own feed) for each test.
const driver = pgliteDriver();
afterAll(() => driver.close());

await describeStoreContract('sqlStore on PGlite', (setup) => sqlStore({ driver, tenant: newId(), ...setup }));

describe('sqlStore on PGlite', () => {
  it('keeps every record in a data folder: closed and opened again, everything reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-pglite-'));
    try {
      const first = pgliteDriver({ dataDir: dir });
      const crm = createCrm({ store: sqlStore({ driver: first }) });
      const customer = await crm.customers.create({ name: '林美 👩🏻‍💼', emails: ['mei@example.tw'], locale: 'zh-TW', tags: ['vip'] });
      const complaint = await crm.complaints.open({ customerId: customer.id, subject: 'Pacco danneggiato', channel: 'call', ownerId: 'sam' });
      await crm.complaints.respond(complaint.id, { actorId: 'sam', message: 'Kami sedang menyemak' });
      await crm.touchpoints.log({ customerId: customer.id, channel: 'email', direction: 'outbound', summary: '包裝破損 — é\u0301' });
      const before = {
        customer: await crm.customers.get(customer.id),
        complaint: await crm.complaints.get(complaint.id),
        history: await crm.history(customer.id),
        byTag: await crm.customers.list({ tag: 'vip' }),
      };
      const feed = await sqlStore({ driver: first }).changes({ since: 0 });
      await first.close();

      const second = pgliteDriver({ dataDir: dir });
      try {
        const reopened = createCrm({ store: sqlStore({ driver: second }) });
        expect(await reopened.customers.get(customer.id)).toEqual(before.customer);
        expect(await reopened.complaints.get(complaint.id)).toEqual(before.complaint);
        expect(await reopened.history(customer.id)).toEqual(before.history);
        expect(await reopened.customers.list({ tag: 'vip' })).toEqual(before.byTag);
        expect(await sqlStore({ driver: second }).changes({ since: 0 })).toEqual(feed);
        expect(feed.changes.length).toBeGreaterThanOrEqual(4);
        // And it goes on from where it stood.
        const next = await reopened.customers.update(customer.id, { name: 'Lin Mei' });
        expect(next.version).toBe(2);
        expect((await sqlStore({ driver: second }).changes({ since: feed.lastSeq })).changes.map((c) => c.seq)).toEqual([
          feed.lastSeq + 1,
        ]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('migrates once: the schema version is recorded, and a second migrate changes nothing', async () => {
    expect(await migrate(driver)).toBe(MIGRATIONS.at(-1)!.version);
    const { rows } = await driver.query<{ version: number; name: string }>('SELECT version, name FROM crm_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('refuses a database whose schema is newer than the package', async () => {
    const db = await PGlite.create();
    const newer = pgliteDriver(db);
    try {
      await migrate(newer);
      await newer.query("INSERT INTO crm_migrations (version, name) VALUES (99, 'from the future')");
      const other = { ...newer }; // A driver object of its own: migrate runs again for it.
      await expect(migrate(other)).rejects.toThrow(/schema version 99, newer than this package knows/);
    } finally {
      await newer.close();
    }
  });

  describe('a write that fails half-way rolls back entirely', () => {
    const write = (store: CrmStore) => {
      const customer = makeCustomer({ tags: ['a', 'b'], emails: ['x@example.com'] });
      const complaint = makeComplaint(customer.id, {
        activity: [makeActivity({ type: 'opened', at: contractTime(0) }), makeActivity({ type: 'note', at: contractTime(1), text: 'n' })],
      });
      return store.write([createOp('customers', customer), createOp('touchpoints', makeTouchpoint(customer.id)), createOp('complaints', complaint)]);
    };

    it('at every statement of the transaction, nothing of the write is left', async () => {
      const tenant = newId();
      const { driver: recording, log } = recordingDriver(driver);
      await write(sqlStore({ driver: recording, tenant: newId() }));
      const writeTx = log.find((q) => q.text.startsWith('INSERT INTO crm_tenants'))!.tx;
      const statements = log.filter((q) => q.tx === writeTx).length;
      expect(statements).toBeGreaterThan(5);
      for (let n = 2; n <= statements; n++) {
        const store = sqlStore({ driver: failingDriver(driver, n), tenant });
        await expect(write(store)).rejects.toThrow(`injected failure at statement ${n}`);
        const clean = sqlStore({ driver, tenant });
        expect(await clean.changes({ since: 0 })).toEqual({ changes: [], lastSeq: 0, head: 0 });
        for (const entity of ['customers', 'touchpoints', 'complaints'] as const) {
          expect((await clean.list(entity)).items).toEqual([]);
        }
        const keys = await driver.query('SELECT 1 FROM crm_customer_keys WHERE tenant = $1 UNION ALL SELECT 1 FROM crm_complaint_activity WHERE tenant = $1', [tenant]);
        expect(keys.rows).toEqual([]);
      }
      // The tenant's feed still starts at 1.
      expect(await write(sqlStore({ driver, tenant }))).toEqual({ lastSeq: 3, writeId: 3 });
    });

    it('a write the database aborts as a serialization failure (40001) or deadlock (40P01) is made again, whole and once', async () => {
      /** `inner`, whose first `times` write transactions fail at their end with `code`, as a distributed database's do. */
      const aborting = (times: number, code = '40001') => {
        const state = { left: times, writes: 0 };
        const wrapped: SqlDriver = {
          name: `aborting ${driver.name}`,
          query: (text, params) => driver.query(text, params),
          close: () => driver.close(),
          transaction: (run) =>
            driver.transaction(async (tx) => {
              let isWrite: boolean | undefined;
              const result = await run({
                query(text, params) {
                  isWrite ??= text.startsWith('INSERT INTO crm_tenants');
                  return tx.query(text, params);
                },
              });
              if (isWrite && (state.writes++, state.left-- > 0)) {
                throw Object.assign(new Error('could not serialize access due to read/write dependencies among transactions'), { code });
              }
              return result;
            }),
        };
        return { driver: wrapped, state };
      };
      const tenant = newId();
      const retries: number[] = [];
      const twice = aborting(2);
      const store = sqlStore({ driver: twice.driver, tenant, retry: { random: () => 0, onRetry: ({ retry }) => retries.push(retry) } });
      const customer = makeCustomer();
      expect(await store.write([createOp('customers', customer), createOp('touchpoints', makeTouchpoint(customer.id))])).toEqual({ lastSeq: 2, writeId: 2 });
      expect([twice.state.writes, retries]).toEqual([3, [1, 2]]);
      expect((await store.changes({ since: 0 })).changes.map((c) => [c.seq, c.entity])).toEqual([
        [1, 'customers'],
        [2, 'touchpoints'],
      ]);
      expect(await store.get('customers', customer.id)).toEqual(customer);

      const deadlock = aborting(1, '40P01');
      expect(await sqlStore({ driver: deadlock.driver, tenant, retry: { random: () => 0 } }).write([createOp('customers', makeCustomer())])).toEqual({ lastSeq: 3, writeId: 3 });

      // Past the limit (or with retry: false) the failure is the caller's, and nothing is written.
      const always = aborting(100);
      const error = await sqlStore({ driver: always.driver, tenant, retry: { limit: 2, random: () => 0 } })
        .write([createOp('customers', makeCustomer())])
        .catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('40001');
      expect(always.state.writes).toBe(3);
      const once = aborting(100);
      await expect(sqlStore({ driver: once.driver, tenant, retry: false }).write([createOp('customers', makeCustomer())])).rejects.toThrow('could not serialize');
      expect(once.state.writes).toBe(1);
      expect((await store.changes({ since: 0 })).lastSeq).toBe(3);
      expect(() => sqlStore({ driver, retry: { limit: -1 } })).toThrow('retry: `limit` must be a whole number');
    });

    it('an update that fails after its row was written leaves the old version', async () => {
      const tenant = newId();
      const store = sqlStore({ driver, tenant });
      const customer = makeCustomer({ tags: ['old'] });
      await store.write([createOp('customers', customer)]);
      const renamed = nextVersion(customer, { name: 'New name', tags: ['new'] });
      // The row is updated, then its keys are replaced: fail there.
      await expect(
        sqlStore({ driver: failingDriver(driver, /^INSERT INTO crm_customer_keys/), tenant }).write([updateOp('customers', renamed)]),
      ).rejects.toThrow(/injected failure at statement [5-9]/);
      expect(await store.get('customers', customer.id)).toEqual(customer);
      expect((await store.list('customers', { filter: { tag: 'old' } })).items).toEqual([customer]);
      expect((await store.list('customers', { filter: { tag: 'new' } })).items).toEqual([]);
      expect((await store.changes({ since: 0 })).lastSeq).toBe(1);
    });
  });

  describe('tenants', () => {
    it('no tenant can read or change another tenant’s records, whatever ids it is given', async () => {
      const a = sqlStore({ driver, tenant: `tenant-a-${newId()}` });
      const b = sqlStore({ driver, tenant: `tenant-b-${newId()}` });
      const customer = makeCustomer({ emails: ['shared@example.com'], tags: ['t'], externalIds: { hubspot: '42' } });
      const touchpoint = makeTouchpoint(customer.id);
      const complaint = makeComplaint(customer.id);
      await a.write([createOp('customers', customer), createOp('touchpoints', touchpoint), createOp('complaints', complaint)]);

      expect(await b.get('customers', customer.id)).toBeNull();
      expect(await b.get('touchpoints', touchpoint.id)).toBeNull();
      expect(await b.get('complaints', complaint.id)).toBeNull();
      for (const entity of ['customers', 'touchpoints', 'complaints'] as const) expect((await b.list(entity)).items).toEqual([]);
      expect((await b.list('customers', { filter: { email: 'shared@example.com' } })).items).toEqual([]);
      expect((await b.list('customers', { filter: { tag: 't' } })).items).toEqual([]);
      expect((await b.list('customers', { filter: { externalId: { system: 'hubspot', id: '42' } } })).items).toEqual([]);
      expect((await b.list('touchpoints', { filter: { customerId: customer.id } })).items).toEqual([]);
      expect((await b.history(customer.id)).items).toEqual([]);
      expect(await b.changes({ since: 0 })).toEqual({ changes: [], lastSeq: 0, head: 0 });
      // An update of A's record from B finds nothing at that version.
      await expect(b.write([updateOp('customers', nextVersion(customer, { name: 'Stolen' }))])).rejects.toBeInstanceOf(CrmConflictError);
      // B may use the same id for its own record: it is B's, and A's stays as it was.
      const mine = makeCustomer({ id: customer.id, name: 'B’s own' });
      expect(await b.write([createOp('customers', mine)])).toEqual({ lastSeq: 1, writeId: 1 });
      expect(await a.get('customers', customer.id)).toEqual(customer);
      expect(await b.get('customers', customer.id)).toEqual(mine);
      expect((await a.changes({ since: 0 })).lastSeq).toBe(3);
    });

    it('names a bad option', () => {
      expect(() => sqlStore({ driver, tenant: '' })).toThrow(CrmValidationError);
      expect(() => sqlStore({ driver, tenant: '' })).toThrowErrorMatchingInlineSnapshot(
        `[CrmValidationError: Invalid sqlStore options: tenant: must be a non-empty string of at most 200 characters, without control characters]`,
      );
      expect(() => sqlStore({} as never)).toThrowErrorMatchingInlineSnapshot(
        `[CrmValidationError: Invalid sqlStore options: driver: expected a SqlDriver, such as pgliteDriver() or pgDriver(pool)]`,
      );
      expect(() => sqlStore({ driver, tennant: 'x' } as never)).toThrowErrorMatchingInlineSnapshot(
        `[CrmValidationError: Invalid sqlStore options: tennant: unknown option]`,
      );
    });
  });

  it('stores SQL and HTML in every field, ids and filters verbatim, and the tables stay whole', async () => {
    const evil = `'; DROP TABLE crm_customers; -- "quoted" \\ <script>alert(1)</script> $1 %s \u0001`;
    const store = sqlStore({ driver, tenant: `${evil.replace('\u0001', '')}-${newId()}` });
    const customer = makeCustomer({ id: `${newId()}'--`, name: evil, tags: [evil], externalIds: { [evil]: evil }, emails: [`o'brien@example.com`] });
    const touchpoint = makeTouchpoint(customer.id, { id: `${newId()}"`, summary: evil, actorId: evil });
    await store.write([createOp('customers', customer), createOp('touchpoints', touchpoint)]);
    expect(await store.get('customers', customer.id)).toEqual(customer);
    expect((await store.list('customers', { filter: { tag: evil } })).items).toEqual([customer]);
    expect((await store.list('customers', { filter: { externalId: { system: evil, id: evil } } })).items).toEqual([customer]);
    expect((await store.list('customers', { filter: { email: `O'Brien@example.com` } })).items).toEqual([customer]);
    expect((await store.list('touchpoints', { filter: { actorId: evil } })).items).toEqual([touchpoint]);
    expect((await store.list('customers', { filter: { ownerId: `' OR '1'='1` } })).items).toEqual([]);
    expect(await store.get('customers', `' OR '1'='1`)).toBeNull();
    expect((await driver.query<{ n: number }>('SELECT count(*)::integer AS n FROM crm_customers WHERE id = $1', [customer.id])).rows).toEqual([{ n: 1 }]);
  });

  it('a filter value of the wrong type matches nothing, as in the memory store', async () => {
    const store = sqlStore({ driver, tenant: newId() });
    await store.write([createOp('customers', makeCustomer({ ownerId: '5' }))]);
    expect((await store.list('customers', { filter: { ownerId: 5 as never } })).items).toEqual([]);
    expect((await store.list('customers', { filter: { externalId: 'hubspot' as never } })).items).toEqual([]);
  });

  describe('query plans', () => {
    // Postgres picks a table scan for a small table whatever its indexes, so the plans are asked
    // for with table scans priced out (enable_seqscan = off): a Seq Scan then still appears only
    // where no index can serve the query. The benchmarks measure the plans at scale.
    it('the history page, list pages and the change feed each have an index to scan, never a whole table', async () => {
      const tenant = newId();
      const store = sqlStore({ driver, tenant });
      // Enough rows, in other tenants too, that a table scan would cost the planner more.
      const noise = sqlStore({ driver, tenant: newId() });
      const customers = Array.from({ length: 1000 }, (_, i) => makeCustomer({ emails: [`c${i}@example.com`], tags: [`tag-${i % 20}`] }));
      for (let i = 0; i < customers.length; i += 5) await store.write(customers.slice(i, i + 5).map((c) => createOp('customers', c)));
      // 8,000 touchpoints in writes of 20: a feed of hundreds of writes.
      for (let batch = 0; batch < 400; batch++) {
        const ops = Array.from({ length: 20 }, (_, i) => {
          const customer = customers[(batch * 20 + i) % customers.length]!;
          return createOp('touchpoints', makeTouchpoint(customer.id, { occurredAt: contractTime(batch * 20 + i) }));
        });
        await (batch % 2 ? noise : store).write(ops);
      }
      // Most complaints resolved, as in life: a status filter for open ones is selective.
      const complaints = customers.slice(0, 300).map((c, i) =>
        makeComplaint(c.id, {
          status: i % 20 === 0 ? 'open' : 'resolved',
          activity: [makeActivity({ type: 'opened', at: contractTime(i) }), makeActivity({ type: 'note', at: contractTime(i + 1), text: 'n' })],
        }),
      );
      await store.write(complaints.map((c) => createOp('complaints', c)));
      // Updates, so the feed keeps earlier versions too.
      const firsts = (await store.list('touchpoints', { limit: 300, order: 'asc' })).items;
      await store.write(firsts.map((t) => updateOp('touchpoints', nextVersion(t, { summary: 'edited' }))));
      await driver.query('ANALYZE');

      const { driver: recording, log } = recordingDriver(driver);
      const spy = sqlStore({ driver: recording, tenant });
      /** Runs a read and returns the indexes its plan scans (table scans priced out), and its table scans. */
      const plan = async (read: () => Promise<unknown>) => {
        const from = log.length;
        await read();
        const queries = log.slice(from).filter((q) => /^(SELECT|WITH)/.test(q.text) && !/crm_migrations|pg_advisory|^SELECT seq, horizon FROM crm_tenants/.test(q.text));
        expect(queries).toHaveLength(1);
        const { text, params } = queries[0]!;
        const rows = await driver.transaction(async (tx) => {
          await tx.query('SET LOCAL enable_seqscan = off');
          return (await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params)).rows;
        });
        const json = JSON.stringify(rows[0]!['QUERY PLAN']);
        return {
          indexes: [...new Set([...json.matchAll(/"Index Name":"([^"]+)"/g)].map((m) => m[1]))].sort(),
          tableScans: [...json.matchAll(/"Node Type":"Seq Scan","[^}]*?"Relation Name":"([^"]+)"/g)].map((m) => m[1]),
        };
      };
      const first = await spy.history(customers[0]!.id, { limit: 50 });
      const history = ['crm_complaint_activity_history', 'crm_complaints_pkey', 'crm_touchpoints_history'];
      expect(await plan(() => spy.history(customers[0]!.id, { limit: 50 }))).toEqual({ indexes: history, tableScans: [] });
      expect(await plan(() => spy.history(customers[0]!.id, { limit: 50, cursor: first.nextCursor }))).toEqual({ indexes: history, tableScans: [] });
      expect(await plan(() => spy.history(customers[0]!.id, { limit: 20, channels: ['call'] }))).toEqual({ indexes: history, tableScans: [] });
      expect(await plan(() => spy.list('touchpoints', { filter: { customerId: customers[1]!.id }, limit: 50 }))).toEqual({
        indexes: ['crm_touchpoints_customer'],
        tableScans: [],
      });
      expect(await plan(() => spy.list('complaints', { filter: { status: ['new', 'open'] } }))).toEqual({
        indexes: ['crm_complaints_status'],
        tableScans: [],
      });
      const byEmail = await plan(() => spy.list('customers', { filter: { email: 'C2@example.com' } }));
      expect(byEmail.tableScans).toEqual([]);
      expect(byEmail.indexes).toContain('crm_customer_keys_pkey');
      for (const since of [0, 1000]) {
        const feed = await plan(() => spy.changes({ since, limit: 50 }));
        expect(feed.tableScans).toEqual([]);
        expect(feed.indexes).toContain('crm_changes_pkey');
      }
    });
  });
});
