import { describe, expect, it } from 'vitest';
import { complaintCounts } from '../analytics/counts.js';
import { median, percentile } from '../analytics/kpis.js';
import { createCrm } from '../crm.js';
import type { Complaint } from '../schemas/complaint.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import { setup } from './helpers.js';

const MIN = 60_000;
const weekdays = (h: [string, string][]) => ({ mon: h, tue: h, wed: h, thu: h, fri: h });
const POLICY = {
  id: 'std',
  name: 'Standard',
  calendar: { timeZone: 'UTC', hours: weekdays([['09:00', '17:00']]) },
  targets: { normal: { firstResponse: 'PT4H', resolution: 480 } },
};

describe('median and p90', () => {
  it('takes the middle (or the mean of the two middle) values and the nearest rank', () => {
    expect(median([1, 2, 3])).toBe(2);
    expect(median([10, 20, 30, 40])).toBe(25);
    expect(median([])).toBeNull();
    expect(percentile([10, 20, 30, 40], 0.9)).toBe(40);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([7], 0.9)).toBe(7);
  });
});

describe('complaintCounts', () => {
  it('counts hand-offs that change an owner and inbound contacts while unresolved, not the opening one', async () => {
    const { crm, clock } = setup();
    const customer = await crm.customers.create({ name: 'Sam Lee' });
    const c = await crm.complaints.open({
      customerId: customer.id, subject: 'Broken', channel: 'call', ownerId: 'linda',
      touchpoint: { channel: 'call', direction: 'inbound' },
    });
    clock.advance(10 * MIN);
    await crm.complaints.assign(c.id, 'sam', { reason: 'billing' });
    await crm.complaints.assign(c.id, 'linda', { reason: 'back' });
    const log = (direction: 'inbound' | 'outbound') =>
      crm.touchpoints.log({ customerId: customer.id, channel: 'email', direction, complaintId: c.id });
    clock.advance(MIN);
    await log('inbound');
    await log('outbound');
    await log('inbound');
    clock.advance(MIN);
    await crm.complaints.resolve(c.id);
    clock.advance(MIN);
    await log('inbound'); // after the resolution
    clock.advance(MIN);
    await crm.complaints.reopen(c.id, { reason: 'still broken' });
    clock.advance(MIN);
    await log('inbound'); // reopened: counts again
    const complaint = await crm.complaints.get(c.id);
    const { items } = await crm.touchpoints.list({ limit: 500 });
    expect(items.some((t) => t.id === complaint.touchpointId)).toBe(true);
    expect(complaintCounts(complaint, items)).toEqual({ handoffs: 2, repeatContacts: 3 });
    // As it stood before the first hand-off.
    expect(complaintCounts(complaint, items, new Date('2026-03-02T09:05:00Z'))).toEqual({ handoffs: 0, repeatContacts: 0 });
    // Touchpoints of another complaint don't count.
    expect(complaintCounts({ ...complaint, id: 'other' } as Complaint, items).repeatContacts).toBe(0);
  });
});

/** Four complaints on two customers with known response and resolution times (wall-clock). */
async function wallClockData() {
  const staff = [
    { id: 'linda', name: 'Linda', languages: ['en'], departments: ['support'], capacity: 10 },
    { id: 'sam', name: 'Sam', languages: ['en'], departments: ['billing'], capacity: 10 },
  ];
  const { crm, clock } = setup({
    staff,
    kpiTargets: { firstResponseMedian: 30, firstResponseP90: 'PT30M', resolutionMedian: 'PT2H', satisfaction: 4, handoffsPerComplaint: 0.25, retention: 0.6 },
  });
  const a = await crm.customers.create({ name: 'A' });
  const b = await crm.customers.create({ name: 'B' });
  const start = Date.parse('2026-03-02T09:00:00Z');
  const at = (min: number) => new Date(start + min * MIN);
  const specs = [
    { customer: a, owner: 'linda', channel: 'email', respond: 10, resolve: 60, score: 4 },
    { customer: a, owner: 'linda', channel: 'call', respond: 20, resolve: 120, score: 5 },
    { customer: b, owner: 'sam', channel: 'email', respond: 30, resolve: 180 },
    { customer: b, owner: 'sam', channel: 'email', respond: 40 },
  ] as const;
  const ids: string[] = [];
  for (const [i, s] of specs.entries()) {
    clock.set(at(i * 1000));
    const c = await crm.complaints.open({ customerId: s.customer.id, subject: `c${i}`, channel: s.channel, ownerId: s.owner });
    ids.push(c.id);
    await crm.complaints.respond(c.id, { at: at(i * 1000 + s.respond) });
    if ('resolve' in s) {
      clock.set(at(i * 1000 + s.resolve));
      await crm.complaints.resolve(c.id, 'score' in s ? { satisfaction: s.score } : {});
    }
  }
  // One hand-off (linda → sam on c0), one repeat contact (on c3).
  await crm.complaints.assign(ids[0]!, 'sam', { reason: 'billing question' });
  clock.set(at(3100));
  await crm.touchpoints.log({ customerId: b.id, channel: 'call', direction: 'inbound', complaintId: ids[3]! });
  return { crm, clock, a, b, ids };
}

const PERIOD = { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z' };

describe('crm.kpis', () => {
  it('computes every KPI from known data, with its target and whether it is met', async () => {
    const { crm, a, b } = await wallClockData();
    const c = await crm.customers.create({ name: 'C' });
    const order = (customerId: string, occurredAt: string) =>
      crm.touchpoints.log({ customerId, channel: 'web_form', direction: 'inbound', outcome: 'order', occurredAt });
    await order(a.id, '2026-02-25T10:00:00Z'); // period before
    await order(a.id, '2026-03-03T10:00:00Z'); // period: retained
    await order(b.id, '2026-02-26T10:00:00Z'); // period before only: lost
    await order(c.id, '2026-03-04T10:00:00Z'); // period only: new, not retention
    await order(c.id, '2026-02-01T10:00:00Z'); // two periods before: ignored
    const report = await crm.kpis(PERIOD);
    expect(report.complaints).toBe(4);
    expect(report.customers).toBe(3);
    const values = Object.fromEntries(Object.entries(report.kpis).map(([k, v]) => [k, v.value]));
    expect(values).toEqual({
      firstResponseMedian: 25,
      firstResponseP90: 40,
      resolutionMedian: 120,
      resolutionP90: 180,
      slaAttainment: null,
      breaches: 0,
      handoffsPerComplaint: 0.25,
      repeatContactsPerComplaint: 0.25,
      satisfaction: 4.5,
      complaintsPer100Customers: 400 / 3,
      retention: 0.5,
    });
    expect(report.kpis.firstResponseMedian).toEqual({ value: 25, target: 30, met: true });
    expect(report.kpis.firstResponseP90).toEqual({ value: 40, target: 30, met: false });
    expect(report.kpis.resolutionMedian).toEqual({ value: 120, target: 120, met: true });
    expect(report.kpis.satisfaction).toEqual({ value: 4.5, target: 4, met: true });
    expect(report.kpis.retention).toEqual({ value: 0.5, target: 0.6, met: false });
    expect(report.kpis.breaches).toEqual({ value: 0, target: null, met: null });
    expect(report.groups).toBeUndefined();
  });

  it('counts only the complaints opened in the period, as they stood at its end', async () => {
    const { crm } = await wallClockData();
    // Up to 09:50 on the first day: only c0 (opened 09:00, responded 09:10, not yet resolved).
    const early = await crm.kpis({ from: '2026-03-02T09:00:00Z', to: '2026-03-02T09:50:00Z' });
    expect(early.complaints).toBe(1);
    expect(early.kpis.firstResponseMedian.value).toBe(10);
    expect(early.kpis.resolutionMedian.value).toBeNull();
    expect(early.kpis.handoffsPerComplaint.value).toBe(0);
    const none = await crm.kpis({ from: '2026-04-01T00:00:00Z', to: '2026-04-02T00:00:00Z' });
    expect(none.complaints).toBe(0);
    expect(none.kpis.firstResponseMedian).toEqual({ value: null, target: 30, met: null });
  });

  it('groups by owner, department and channel', async () => {
    const { crm } = await wallClockData();
    const pick = (r: Awaited<ReturnType<typeof crm.kpis>>) =>
      r.groups!.map((g) => [g.key, g.complaints, g.kpis.firstResponseMedian.value, g.kpis.handoffsPerComplaint.value]);
    // c0 was handed to sam: he owns three at the end of the period.
    expect(pick(await crm.kpis({ ...PERIOD, groupBy: 'owner' }))).toEqual([
      ['sam', 3, 30, 1 / 3],
      ['linda', 1, 20, 0],
    ]);
    expect(pick(await crm.kpis({ ...PERIOD, groupBy: 'department' }))).toEqual([
      ['billing', 3, 30, 1 / 3],
      ['support', 1, 20, 0],
    ]);
    const byChannel = await crm.kpis({ ...PERIOD, groupBy: 'channel' });
    expect(pick(byChannel)).toEqual([
      ['email', 3, 30, 1 / 3],
      ['call', 1, 20, 0],
    ]);
    expect(byChannel.groups![0]!.kpis.complaintsPer100Customers.value).toBe(150);
    expect(byChannel.groups![0]!.kpis.retention.value).toBeNull();
  });

  it('measures in business time when an SLA calendar applies, wall-clock otherwise', async () => {
    const run = async (slaPolicies: (typeof POLICY)[]) => {
      const { crm, clock } = setup({ slaPolicies, kpiTargets: { slaAttainment: 0.9, breaches: 0 } });
      const customer = await crm.customers.create({ name: 'Nur' });
      clock.set('2026-03-06T16:00:00Z'); // Friday, an hour before closing
      const c1 = await crm.complaints.open({ customerId: customer.id, subject: 'one', channel: 'email' });
      clock.set('2026-03-09T10:00:00Z'); // Monday, an hour after opening
      await crm.complaints.respond(c1.id);
      await crm.complaints.open({ customerId: customer.id, subject: 'two', channel: 'email' });
      clock.set('2026-03-09T16:00:00Z');
      return crm.kpis({ from: '2026-03-06T00:00:00Z', to: '2026-03-10T00:00:00Z' });
    };
    const business = await run([POLICY]);
    expect(business.kpis.firstResponseMedian.value).toBe(120);
    // c1: first response met, resolution 480 of 480 used (not decided); c2: first response breached (360 > 240).
    expect(business.kpis.slaAttainment).toEqual({ value: 0.5, target: 0.9, met: false });
    expect(business.kpis.breaches).toEqual({ value: 1, target: 0, met: false });
    const wall = await run([]);
    expect(wall.kpis.firstResponseMedian.value).toBe(66 * 60);
    expect(wall.kpis.slaAttainment.value).toBeNull();
    expect(wall.kpis.breaches.value).toBe(0);
  });

  it('rejects bad queries naming the field', async () => {
    const { crm } = setup();
    await expect(crm.kpis({ from: '2026-03-08T00:00:00Z', to: '2026-03-01T00:00:00Z' })).rejects.toThrowErrorMatchingInlineSnapshot(`[CrmValidationError: Invalid KPI query: from: must be before \`to\`]`);
    await expect(crm.kpis({ ...PERIOD, groupBy: 'team' as 'owner' })).rejects.toThrowErrorMatchingInlineSnapshot(`[CrmValidationError: Invalid KPI query: groupBy: expected one of "owner", "department", "channel"]`);
    await expect(crm.kpis({ from: 'yesterday', to: PERIOD.to })).rejects.toThrowErrorMatchingInlineSnapshot(`[CrmValidationError: Invalid KPI query: from: invalid date-time: expected an ISO 8601 date-time with an offset, such as "2026-05-01T09:30:00Z", or a Date]`);
    await expect(crm.kpis({ ...PERIOD, sort: 'asc' } as never)).rejects.toThrowErrorMatchingInlineSnapshot(`[CrmValidationError: Invalid KPI query: sort: unknown field]`);
  });

  it('rejects bad targets when the CRM is created', () => {
    expect(() => createCrm({ kpiTargets: { firstResponseMean: 30 } as never })).toThrowErrorMatchingInlineSnapshot(`[CrmValidationError: Invalid createCrm options: kpiTargets.firstResponseMean: unknown KPI; expected one of firstResponseMedian, firstResponseP90, resolutionMedian, resolutionP90, slaAttainment, breaches, handoffsPerComplaint, repeatContactsPerComplaint, satisfaction, complaintsPer100Customers, retention]`);
    expect(() => createCrm({ kpiTargets: { resolutionP90: -5, breaches: -1 } })).toThrowErrorMatchingInlineSnapshot(`[CrmValidationError: Invalid createCrm options: kpiTargets.resolutionP90: expected a non-negative number of minutes or an ISO 8601 duration such as "PT4H"; kpiTargets.breaches: must be a number, 0 or more]`);
    expect(() => createCrm({ kpiTargets: { slaAttainment: 95, satisfaction: 0 } })).toThrowErrorMatchingInlineSnapshot(`[CrmValidationError: Invalid createCrm options: kpiTargets.slaAttainment: must be a share from 0 to 1; kpiTargets.satisfaction: must be from 1 to 5]`);
    expect(() => createCrm({ kpiTargets: 'fast' as never })).toThrowErrorMatchingInlineSnapshot(`[CrmValidationError: Invalid createCrm options: kpiTargets: expected object, received string]`);
  });
});

describe('crm.health and crm.atRisk', () => {
  const DAY = 86_400_000;

  async function world() {
    const { crm, clock } = setup({ slaPolicies: [POLICY] });
    const make = (name: string) => crm.customers.create({ name });
    const log = (customerId: string, daysAgo: number, extra: Partial<Touchpoint> = {}) =>
      crm.touchpoints.log({
        customerId, channel: 'call', direction: 'inbound',
        occurredAt: new Date(Date.parse('2026-03-02T09:00:00Z') - daysAgo * DAY).toISOString(), ...extra,
      });
    return { crm, clock, make, log };
  }

  it('is healthy with nothing wrong, and names each reason with what to do', async () => {
    const { crm, clock, make, log } = await world();
    const fine = await make('Fine');
    for (const d of [1, 8, 15]) await log(fine.id, d, { sentiment: 0.5 });
    expect(await crm.health(fine.id)).toEqual({ customerId: fine.id, level: 'healthy', score: 100, reasons: [] });

    const open = await make('Open');
    clock.set('2026-03-02T09:00:00Z');
    await crm.complaints.open({ customerId: open.id, subject: 'Parcel damaged', channel: 'email' });
    const h1 = await crm.health(open.id);
    expect(h1).toMatchObject({ level: 'healthy', score: 90 });
    expect(h1.reasons).toMatchInlineSnapshot(`
      [
        {
          "code": "open_complaints",
          "message": "1 complaint open, the oldest ("Parcel damaged") since 2026-03-02: check that each has an owner working on it and a next step.",
          "points": 10,
        },
      ]
    `);

    // Six business hours later the first response (4 h) is breached.
    clock.set('2026-03-02T15:00:00Z');
    const h2 = await crm.health(open.id);
    expect(h2).toMatchObject({ level: 'at_risk', score: 70 });
    expect(h2.reasons.map((r) => [r.code, r.points])).toEqual([['sla_breached', 20], ['open_complaints', 10]]);
    expect(h2.reasons[0]!.message).toMatchInlineSnapshot(`"1 complaint missed an SLA target ("Parcel damaged"): escalate, and tell the customer when to expect an answer."`);
  });

  it('flags negative outcomes, negative sentiment and silence', async () => {
    const { crm, make, log } = await world();
    const unhappy = await make('Unhappy');
    await log(unhappy.id, 2, { outcome: 'complaint', sentiment: -0.8 });
    await log(unhappy.id, 5, { outcome: 'not_interested', sentiment: -0.4 });
    await log(unhappy.id, 6, { outcome: 'resolved' });
    await log(unhappy.id, 120, { outcome: 'complaint', sentiment: -1 }); // not recent
    const h = await crm.health(unhappy.id);
    expect(h.reasons.map((r) => [r.code, r.points])).toEqual([['negative_outcomes', 16], ['negative_sentiment', 15]]);
    expect(h).toMatchObject({ level: 'at_risk', score: 69 });
    expect(h.reasons.map((r) => r.message)).toMatchInlineSnapshot(`
      [
        "2 of the 3 contacts in the last 90 days ended badly (complaint, not_interested): read them before the next contact.",
        "Sentiment averaged -0.60 over 2 rated contacts in the last 90 days: have the owner call to repair the relationship.",
      ]
    `);

    const quiet = await make('Quiet');
    for (const d of [30, 37, 44, 51]) await log(quiet.id, d); // every week, then a month of silence
    const q = await crm.health(quiet.id);
    expect(q.reasons.map((r) => r.message)).toMatchInlineSnapshot(`
      [
        "No contact for 30 days, while there is usually contact every 7 days: get in touch.",
      ]
    `);
    expect(q).toMatchObject({ level: 'at_risk', score: 80 });
    // Silence shorter than twice the usual gap is not flagged.
    const rare = await make('Rare');
    for (const d of [30, 90, 150]) await log(rare.id, d);
    expect((await crm.health(rare.id)).reasons).toEqual([]);
  });

  it('lists the customers most at risk, lowest score first, healthy ones left out', async () => {
    const { crm, clock, make, log } = await world();
    const healthy = await make('Healthy');
    await log(healthy.id, 1);
    const one = await make('One open');
    await crm.complaints.open({ customerId: one.id, subject: 'a', channel: 'email' });
    const quiet = await make('Quiet, unhappy');
    for (const d of [30, 37, 44]) await log(quiet.id, d, { sentiment: -0.9 });
    const worst = await make('Worst');
    await crm.complaints.open({ customerId: worst.id, subject: 'b', channel: 'email' });
    await crm.complaints.open({ customerId: worst.id, subject: 'c', channel: 'email' });
    await log(worst.id, 1, { outcome: 'complaint', sentiment: -0.9 });
    clock.set('2026-03-02T15:00:00Z'); // both of worst's complaints and one's are breached now
    const list = await crm.atRisk();
    expect(list.map((h) => [h.customerId, h.level, h.score])).toEqual([
      [worst.id, 'critical', 100 - 40 - 20 - 15 - 8],
      [quiet.id, 'at_risk', 80 - 15],
      [one.id, 'at_risk', 70],
    ]);
    // The same answer as crm.health, customer by customer.
    for (const h of list) expect(await crm.health(h.customerId)).toEqual(h);
    expect((await crm.atRisk({ limit: 1 })).map((h) => h.customerId)).toEqual([worst.id]);
    await expect(crm.atRisk({ limit: 0 })).rejects.toThrowErrorMatchingInlineSnapshot(`[CrmValidationError: Invalid at-risk query: limit: must be a whole number from 1 to 1000]`);
    await expect(crm.health('nobody')).rejects.toThrowErrorMatchingInlineSnapshot(`[CrmNotFoundError: No customer with id "nobody" exists]`);
  });

  it('ranks every customer by the score crm.health gives them (random histories, paged, future-dated, ties)', async () => {
    const { crm, clock, make, log } = await world();
    // A small deterministic generator, so a failure names a reproducible world.
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const OUTCOMES = [undefined, 'complaint', 'not_interested', 'resolved', 'order'] as const;
    const customers = [];
    for (let c = 0; c < 60; c++) {
      const customer = await make(`Customer ${c}`);
      customers.push(customer);
      // Some with none, some with a few, some with more than a history page (100) in 90 days.
      const count = c % 10 === 0 ? 0 : c % 7 === 0 ? 130 + Math.floor(rand() * 40) : Math.floor(rand() * 30);
      const spread = c % 3 === 0 ? 400 : 60;
      for (let i = 0; i < count; i++) {
        const daysAgo = c % 11 === 0 && i % 4 === 0 ? -3 : Math.floor(rand() * spread); // -3: planned, in the future
        const outcome = OUTCOMES[Math.floor(rand() * OUTCOMES.length)];
        const sentiment = rand() < 0.5 ? Math.round((rand() * 2 - 1) * 10) / 10 : undefined;
        await log(customer.id, daysAgo + (i % 2 ? 0.5 : 0), { ...(outcome ? { outcome } : {}), ...(sentiment === undefined ? {} : { sentiment }) });
      }
      for (let k = 0; k < c % 4; k++) {
        const complaint = await crm.complaints.open({ customerId: customer.id, subject: `Problem ${c}.${k}`, channel: 'email' });
        if (k === 1) await crm.complaints.resolve(complaint.id, {});
      }
    }
    clock.set('2026-03-03T15:00:00Z'); // the open complaints' first responses are breached by now
    const list = await crm.atRisk({ limit: 1000 });
    const every = await Promise.all(customers.map((c) => crm.health(c.id)));
    const expected = every
      .map((h, i) => ({ h, i }))
      .filter(({ h }) => h.level !== 'healthy')
      .sort((a, b) => a.h.score - b.h.score || a.i - b.i)
      .map(({ h }) => h);
    expect(expected.length).toBeGreaterThan(20);
    expect(new Set(expected.map((h) => h.reasons.map((r) => r.code).join())).size).toBeGreaterThan(5);
    expect(list).toEqual(expected);
  });
});
