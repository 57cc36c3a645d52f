// Analytics: `crm.kpis` over 100,000 complaints and the dataset's 1,000,000 touchpoints, and
// `crm.atRisk` over its 100,000 customers, in a memoryStore read through the CrmStore API.
//
// The complaints are opened through the public API on the shared dataset's customers, spread over
// March 2026 on an SLA policy (Rome business hours); most get a first response, some a hand-off,
// an inbound repeat contact, a resolution with a satisfaction score. Baseline of both figures:
// reading the same records through `store.list` alone (the floor any store-agnostic pass has).

import { createCrm, manualClock } from '@crm/core';
import { random as prng } from './corpus.mjs';
import { SCALE, dataset, staffDirectory } from './dataset.mjs';
import { defineBench, now, summarize } from './harness.mjs';

const COMPLAINTS = Math.round(100_000 * SCALE);
const START = Date.parse('2026-03-02T08:00:00Z');
const MINUTE = 60_000;
const weekdays = (h) => ({ mon: h, tue: h, wed: h, thu: h, fri: h });
const POLICY = {
  id: 'rome',
  name: 'Rome',
  calendar: { timeZone: 'Europe/Rome', hours: weekdays([['09:00', '13:00'], ['14:00', '18:00']]), holidays: [] },
  targets: { normal: { firstResponse: 'PT4H', resolution: 'P1D' }, high: { firstResponse: 60, resolution: 'PT8H' } },
};

async function listAll(store) {
  let n = 0;
  for (const entity of ['customers', 'complaints', 'touchpoints']) {
    let cursor = null;
    do {
      const page = await store.list(entity, { limit: 500, cursor, order: 'asc' });
      n += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
  }
  return n;
}

async function timed(fn, runs) {
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const t = now();
    result = await fn();
    times.push(now() - t);
  }
  return { ...summarize(times), first: times[0], result };
}

export default defineBench({
  name: 'analytics',
  title: `crm.kpis over ${COMPLAINTS.toLocaleString('en-US')} complaints and crm.atRisk over the dataset's customers`,
  order: 60,
  async run(ctx) {
    const { crm: base, customerIds } = await dataset(ctx.log);
    const clock = manualClock(new Date(START));
    const staff = staffDirectory();
    const crm = createCrm({
      store: base.store,
      clock,
      staff,
      slaPolicies: [POLICY],
      kpiTargets: { firstResponseMedian: 'PT2H', resolutionP90: 'P1D', slaAttainment: 0.9, satisfaction: 4, repeatContactsPerComplaint: 0.2 },
    });
    const random = prng(11);
    const started = now();
    const step = (29 * 24 * 60) / COMPLAINTS; // minutes between openings: 2–31 March
    for (let i = 0; i < COMPLAINTS; i++) {
      const t0 = START + Math.floor(i * step * MINUTE);
      clock.set(new Date(t0));
      const customerId = customerIds[1 + Math.floor(random() * (customerIds.length - 1))];
      const c = await crm.complaints.open({
        customerId, subject: 'Late delivery', channel: random() < 0.5 ? 'email' : 'call',
        priority: random() < 0.2 ? 'high' : 'normal', ownerId: staff[i % staff.length].id,
      });
      if (random() < 0.8) await crm.complaints.respond(c.id, { at: new Date(t0 + Math.floor(random() * 300) * MINUTE) });
      if (random() < 0.15) await crm.complaints.assign(c.id, staff[(i + 1) % staff.length].id, { reason: 'needs billing' });
      if (random() < 0.2) await crm.touchpoints.log({ customerId, channel: 'call', direction: 'inbound', complaintId: c.id, occurredAt: new Date(t0 + 30 * MINUTE) });
      if (random() < 0.6) {
        clock.set(new Date(t0 + Math.floor(random() * 3000) * MINUTE));
        await crm.complaints.resolve(c.id, random() < 0.5 ? { satisfaction: 1 + Math.floor(random() * 5) } : {});
      }
    }
    clock.set('2026-04-15T00:00:00Z');
    ctx.log(`${COMPLAINTS.toLocaleString('en-US')} complaints opened in ${((now() - started) / 1000).toFixed(1)} s`);

    const floor = await timed(() => listAll(crm.store), 3);
    ctx.info('records read', floor.result);

    const query = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };
    const kpis = await timed(() => crm.kpis(query), 5);
    if (kpis.result.complaints !== COMPLAINTS) throw new Error(`kpis counted ${kpis.result.complaints} complaints`);
    const k = kpis.result.kpis;
    ctx.log(`first response median ${k.firstResponseMedian.value?.toFixed(0)} business min, SLA attainment ${(k.slaAttainment.value * 100).toFixed(1)}%, repeat contacts ${k.repeatContactsPerComplaint.value.toFixed(2)}/complaint, retention ${k.retention.value?.toFixed(2)}`);
    ctx.figure({ name: 'crm.kpis, first call', value: kpis.first, unit: 'ms', target: 1000, higherIsBetter: false, baseline: { name: 'list() of every record', value: floor.median } });
    ctx.figure({ name: 'crm.kpis, median of 5', value: kpis.median, unit: 'ms', target: 1000, higherIsBetter: false, baseline: { name: 'list() of every record', value: floor.median } });
    const grouped = await timed(() => crm.kpis({ ...query, groupBy: 'owner' }), 3);
    ctx.info('crm.kpis groupBy owner, median of 3', grouped.median, 'ms', `${grouped.result.groups.length} groups`);

    const risk = await timed(() => crm.atRisk({ limit: 50 }), 3);
    if (risk.result.length !== 50) throw new Error(`atRisk listed ${risk.result.length}`);
    ctx.log(`most at risk: ${risk.result[0].level} ${risk.result[0].score} — ${risk.result[0].reasons.map((r) => r.code).join(', ')}`);
    ctx.figure({ name: 'crm.atRisk, median of 3', value: risk.median, unit: 'ms', target: 2000, higherIsBetter: false, baseline: { name: 'list() of every record', value: floor.median } });
  },
});
