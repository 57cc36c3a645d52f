import { createCrm, manualClock, memoryStore, type CrmStore } from '@crm/core';
import { lexiconClassifier } from '@crm/core/signals';
import { afterAll, describe, expect, it } from 'vitest';
import { restStore } from '../rest/index.js';
import { pgliteDriver, sqlStore } from '../sql/index.js';
import { perTenant, startRestServer } from './restServer.js';
import { freshPgSchema } from './sqlHelpers.js';

// Relationship intelligence (routing, contact policy, hidden complaints, address freshness,
// health, KPIs) lives in @crm/core and reads only through the store contract: the same world
// built on each store must give the same answers, id for id.

const driver = pgliteDriver();
const server = await startRestServer(perTenant(() => memoryStore()));
const pg = await freshPgSchema('intelligence');
afterAll(async () => {
  await server.close();
  await driver.close();
  await pg.drop();
});

const DAY = 86_400_000;
const START = Date.parse('2026-03-02T08:00:00.000Z'); // a Monday
const weekdays = (h: [string, string][]) => ({ mon: h, tue: h, wed: h, thu: h, fri: h });

async function answers(store: CrmStore) {
  let n = 0;
  const clock = manualClock(new Date(START - 200 * DAY));
  const crm = createCrm({
    store,
    clock,
    ids: () => `ID${String(++n).padStart(8, '0')}`,
    staff: [
      { id: 'linda', name: 'Linda', languages: ['en', 'it'], departments: ['care'], capacity: 5 },
      { id: 'mei', name: 'Mei', languages: ['zh-Hant', 'en'], departments: ['care'], capacity: 5 },
      { id: 'aziz', name: 'Aziz', languages: ['ms', 'en'], departments: ['billing'], capacity: 5 },
    ],
    slaPolicies: [
      {
        id: 'std',
        name: 'Standard',
        calendar: { timeZone: 'Europe/Rome', hours: weekdays([['09:00', '17:00']]) },
        targets: { normal: { firstResponse: 'PT4H', resolution: 'P2D' } },
      },
    ],
    contactPolicy: { limits: [{ max: 2, window: 'P7D' }], afterResolution: { followUps: 1, quietFor: 'P14D' }, quietHours: { start: '21:00', end: '08:00' } },
    signals: { classifier: lexiconClassifier() },
    kpiTargets: { firstResponseMedian: 'PT2H', slaAttainment: 0.8, satisfaction: 4 },
  });
  let seed = 5;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const locales = ['en-GB', 'zh-TW', 'ms-MY', 'it-IT'];
  const customers = [];
  for (let c = 0; c < 24; c++) {
    customers.push(
      await crm.customers.create({
        name: `Customer ${c}`,
        locale: locales[c % 4]!,
        timeZone: 'Asia/Kuala_Lumpur',
        addresses: [{ lines: [`Street ${c}`], city: 'Town', country: 'MY', status: 'valid', confirmedAt: new Date(START - (c * 20 + 5) * DAY).toISOString() }],
      }),
    );
  }
  // Two hundred days of contacts, logged afterwards (records of the past: no policy check), some
  // unhappy, some orders, some returned mail.
  clock.set(new Date(START));
  const outcomes = [undefined, 'order', 'complaint', 'resolved', 'not_interested', 'follow_up'] as const;
  for (let i = 0; i < 300; i++) {
    const customer = customers[Math.floor(rand() * customers.length)]!;
    const outcome = outcomes[Math.floor(rand() * outcomes.length)];
    await crm.touchpoints.log({
      customerId: customer.id,
      channel: rand() < 0.5 ? 'call' : 'email',
      direction: rand() < 0.5 ? 'inbound' : 'outbound',
      occurredAt: new Date(START - 1 - Math.floor(rand() * 200 * DAY)).toISOString(),
      ...(outcome ? { outcome } : {}),
      ...(rand() < 0.4 ? { sentiment: Math.round((rand() * 2 - 1) * 10) / 10 } : {}),
    });
  }
  await crm.touchpoints.log({ customerId: customers[3]!.id, channel: 'letter', direction: 'inbound', outcome: 'returned_mail', addressId: customers[3]!.addresses[0]!.id, occurredAt: new Date(START - 3 * DAY).toISOString() });
  // A month of complaints, routed by language and load, some handed off, answered, resolved.
  for (let i = 0; i < 30; i++) {
    clock.set(new Date(START + i * 0.9 * DAY));
    const customer = customers[(i * 7) % customers.length]!;
    const complaint = await crm.complaints.open({ customerId: customer.id, subject: `Problem ${i}`, channel: i % 2 ? 'email' : 'call' });
    if (i % 3 === 0) {
      const to = complaint.ownerId === 'aziz' ? 'linda' : 'aziz';
      await crm.complaints.assign(complaint.id, to, { reason: 'billing question' });
    }
    if (i % 4 !== 3) await crm.complaints.respond(complaint.id, { at: new Date(START + i * 0.9 * DAY + (i % 5) * 3_600_000) });
    if (i % 5 === 1) await crm.touchpoints.log({ customerId: customer.id, channel: 'call', direction: 'inbound', complaintId: complaint.id, occurredAt: new Date(START + i * 0.9 * DAY + 7_200_000).toISOString() });
    if (i % 3 !== 2) {
      clock.set(new Date(START + i * 0.9 * DAY + (i % 4) * DAY));
      await crm.complaints.resolve(complaint.id, i % 2 ? { satisfaction: 1 + (i % 5) } : {});
    }
  }
  clock.set(new Date(START + 32 * DAY));
  await crm.touchpoints.log({ customerId: customers[5]!.id, channel: 'call', direction: 'inbound', summary: 'The parcel arrived broken and I am very unhappy with the service.' });
  await crm.touchpoints.log({ customerId: customers[6]!.id, channel: 'call', direction: 'inbound', summary: 'Not bad at all, thank you.' });
  const suggestions = (await crm.complaints.suggestions({ limit: 100 })).items.map((t) => t.id);
  await crm.complaints.dismissSuggestion(suggestions[0]!, { reason: 'already handled' });

  for (const hours of [30, 6]) {
    await crm.touchpoints.log({ customerId: customers[1]!.id, channel: 'email', direction: 'outbound', occurredAt: new Date(START + 32 * DAY - hours * 3_600_000).toISOString() });
  }
  const night = new Date(START + 32 * DAY + 7 * 3_600_000); // 23:00 in Kuala Lumpur

  const all = await Promise.all(customers.map((c) => crm.health(c.id)));
  const complaints = await crm.complaints.list({ limit: 100 });
  return {
    routed: complaints.items.map((c) => [c.id, c.ownerId, c.activity.filter((a) => a.type === 'assigned').map((a) => ('reason' in a ? a.reason : ''))]),
    health: all,
    atRisk: await crm.atRisk({ limit: 10 }),
    kpis: await crm.kpis({ from: new Date(START).toISOString(), to: new Date(START + 31 * DAY).toISOString(), groupBy: 'owner' }),
    checks: [
      ...(await Promise.all(customers.slice(0, 8).map((c) => crm.contactPolicy.check(c.id, { channel: 'email' })))),
      await crm.contactPolicy.check(customers[2]!.id, { channel: 'call', at: night }),
    ],
    stale: (await crm.customers.stale({ confirmedBefore: new Date(START - 100 * DAY).toISOString() })).items.map((s) => [s.customer.id, s.addresses.map((a) => a.status)]),
    suggestions: (await crm.complaints.suggestions({ limit: 100 })).items.map((t) => t.id),
    dismissed: suggestions[0],
  };
}

describe('relationship intelligence on every store', async () => {
  const expected = await answers(memoryStore());

  it('builds a world with something to say in every feature', () => {
    expect(expected.atRisk.length).toBeGreaterThan(3);
    expect(new Set(expected.health.map((h) => h.level)).size).toBe(3);
    expect(expected.kpis.complaints).toBe(30);
    expect(expected.kpis.kpis.handoffsPerComplaint.value).toBeGreaterThan(0);
    expect(expected.kpis.kpis.repeatContactsPerComplaint.value).toBeGreaterThan(0);
    expect(expected.kpis.groups!.length).toBeGreaterThan(1);
    expect(new Set(expected.checks.map((c) => (c.allowed ? 'allowed' : c.rule)))).toEqual(new Set(['allowed', 'max_per_window', 'quiet_hours']));
    expect(expected.stale.length).toBeGreaterThan(3);
    expect(expected.suggestions.length).toBeGreaterThan(0);
    expect(expected.suggestions).not.toContain(expected.dismissed);
    expect(new Set(expected.routed.map(([, owner]) => owner)).size).toBe(3);
  });

  it('sqlStore on PGlite gives the same answers', async () => {
    expect(await answers(sqlStore({ driver, tenant: 'intelligence' }))).toEqual(expected);
  });

  it('sqlStore on the PostgreSQL server gives the same answers', async () => {
    expect(await answers(sqlStore({ driver: pg.driver(), tenant: 'intelligence' }))).toEqual(expected);
  });

  it('restStore → REST handler → memoryStore gives the same answers', async () => {
    expect(await answers(restStore({ baseUrl: server.url, headers: server.headersOf('intelligence') }))).toEqual(expected);
  });
});
