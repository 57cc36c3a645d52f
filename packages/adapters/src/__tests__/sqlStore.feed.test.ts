import { createCrm, type CrmEvents } from '@crm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@crm/core/testing';
import { pgliteDriver, sqlStore, type SqlDriver } from '../sql/index.js';
import { freshPgSchema } from './sqlHelpers.js';

// The SQL store's part of the feed that no other store has: erasure leaves no copy in any table,
// and events reach a CRM from writes another process made (LISTEN/NOTIFY), on PGlite and on the
// PostgreSQL server alike.
const lite = pgliteDriver();
let pg: Awaited<ReturnType<typeof freshPgSchema>>;
let pgMain: SqlDriver;
beforeAll(async () => {
  pg = await freshPgSchema('feed');
  pgMain = pg.driver();
});
afterAll(async () => {
  await lite.close();
  await pgMain?.close();
  await pg?.drop();
});

/** Every text value in every table of the crm schema, as one string. */
async function everything(driver: SqlDriver): Promise<string> {
  const { rows } = await driver.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'crm\\_%' AND table_schema = current_schema()",
  );
  expect(rows.map((r) => r.table_name).sort()).toEqual([
    'crm_change_records',
    'crm_changes',
    'crm_complaint_activity',
    'crm_complaints',
    'crm_customer_keys',
    'crm_customers',
    'crm_migrations',
    // The sync's state: ids, versions, cursors and the last error of a queued send (see docs/sync.md).
    'crm_sync_cursors',
    'crm_sync_map',
    'crm_sync_queue',
    'crm_tenants',
    'crm_touchpoints',
  ]);
  const out: string[] = [];
  for (const { table_name } of rows) {
    const dump = await driver.query<{ row: unknown }>(`SELECT to_jsonb(t) AS row FROM ${table_name} AS t`);
    out.push(JSON.stringify(dump.rows));
  }
  return out.join('\n');
}

for (const [name, driverOf] of [
  ['PGlite', () => lite],
  ['a PostgreSQL server', () => pgMain],
] as const) {
  describe(`sqlStore on ${name}: the feed`, () => {
    it('customers.erase leaves no trace of the name or email in any table, kept versions included', async () => {
      const driver = driverOf();
      const tenant = newId();
      const crm = createCrm({ store: sqlStore({ driver, tenant }) });
      const name = `Erasable ${newId()}`;
      const email = `erase.${newId().toLowerCase()}@example.org`;
      const c = await crm.customers.create({ name, emails: [email], tags: ['vip'] });
      await crm.customers.update(c.id, { name: `${name} (renamed)`, company: 'ACME' });
      const complaint = await crm.complaints.open({
        customerId: c.id,
        subject: `Refund for ${name}`,
        channel: 'email',
        touchpoint: { channel: 'email', direction: 'inbound', summary: `Mail from ${email}` },
      });
      await crm.complaints.respond(complaint.id, { message: `Dear ${name}` });
      await crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'outbound', summary: `Called ${name}` });
      const kept = await crm.customers.create({ name: 'Kept Person', emails: ['kept@example.org'] });
      const before = await everything(driver);
      expect(before).toContain(name);
      expect(before).toContain(email);
      await crm.customers.erase(c.id, { reason: 'right to erasure' });
      const after = await everything(driver);
      expect(after).not.toContain(name);
      expect(after).not.toContain(email);
      expect(after).toContain('Kept Person');
      expect(await crm.customers.get(kept.id)).toEqual(kept);
      const { changes } = await crm.store.changes({ since: 0, limit: 1000 });
      expect(changes.filter((ch) => ch.op === 'delete').map((ch) => ch.entity).sort()).toEqual(['complaints', 'customers', 'touchpoints', 'touchpoints']);
      await crm.close();
    });

    it('a CRM hears writes made through another store on the same database, with their origin', async () => {
      const tenant = newId();
      const listening = createCrm({ store: sqlStore({ driver: driverOf(), tenant }) });
      // Another process: its own driver (its own connection) where the server allows it.
      const otherDriver = name === 'PGlite' ? lite : pg.driver();
      const worker = createCrm({ store: sqlStore({ driver: otherDriver, tenant }), origin: 'sync:hubspot' });
      const heard: CrmEvents['customer.created'][] = [];
      listening.on('customer.created', (payload) => void heard.push(payload));
      const writes: number[] = [];
      listening.subscribe((changes) => writes.push(changes.length));
      await new Promise((resolve) => setTimeout(resolve, 200)); // the subscription starts listening
      const created = await worker.customers.createMany([{ name: 'One' }, { name: 'Two' }]);
      await expect.poll(() => heard.length, { timeout: 5000 }).toBe(2);
      expect(heard.map((p) => [p.customer.id, p.origin])).toEqual(created.map((c) => [c.id, 'sync:hubspot']));
      expect(writes).toEqual([2]);
      await listening.close();
      await worker.close();
      if (otherDriver !== lite) await otherDriver.close();
    });

    it('prunes the feed to its retention and says so to a consumer behind it', async () => {
      const store = sqlStore({ driver: driverOf(), tenant: newId(), feedRetention: 10 });
      const crm = createCrm({ store });
      for (let i = 0; i < 5; i++) await crm.customers.createMany(Array.from({ length: 40 }, (_, j) => ({ name: `c${i}-${j}` })));
      const error = await store.changes({ since: 0 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'FEED_EXPIRED', lastSeq: 200 });
      const { rows } = await driverOf().query<{ n: string | number }>('SELECT count(*) AS n FROM crm_changes WHERE tenant = (SELECT tenant FROM crm_tenants WHERE seq = 200 AND horizon > 0 LIMIT 1)');
      expect(Number(rows[0]!.n)).toBeLessThan(5);
      expect((await store.changes({ since: 190 })).changes).toHaveLength(10);
      await crm.close();
    });
  });
}
