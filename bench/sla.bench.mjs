// SLA status: `crm.sla.status(id)` for each of 100,000 open complaints in a memory store, one
// call after another (each reads the complaint from the store and replays its activity log on
// its policy's business-hours calendar). Target: ≤ 300 ms for all of them.
//
// The complaints are opened over the two weeks before "now" on three policies (Rome, New York
// and Kuala Lumpur calendars with split days and holidays), and a realistic share of them have a
// first response, a wait on the customer, a customer's reply and a priority change.

import { createCrm, manualClock, memoryStore } from '@crm/core';
import { SCALE } from './dataset.mjs';
import { defineBench, now, summarize } from './harness.mjs';

const COMPLAINTS = Math.round(100_000 * SCALE);
const NOW = Date.parse('2026-03-20T12:00:00Z');
const HOUR = 3_600_000;

const weekdays = (intervals) => ({ mon: intervals, tue: intervals, wed: intervals, thu: intervals, fri: intervals });
const POLICIES = [
  {
    id: 'it-enterprise',
    name: 'Italy, enterprise',
    appliesTo: { customerTags: ['enterprise'] },
    calendar: {
      timeZone: 'Europe/Rome',
      hours: weekdays([
        ['08:30', '13:00'],
        ['14:00', '18:30'],
      ]),
      holidays: ['2026-01-01', '2026-01-06', '2026-04-06'],
    },
    targets: {
      normal: { firstResponse: 'PT2H', nextResponse: 'PT4H', resolution: 'P2D' },
      high: { firstResponse: 60, nextResponse: 120, resolution: 'PT16H' },
      urgent: { firstResponse: 30, nextResponse: 60, resolution: 'PT8H' },
    },
  },
  {
    id: 'us-support',
    name: 'US support',
    appliesTo: { channels: ['call', 'chat'] },
    calendar: {
      timeZone: 'America/New_York',
      hours: { ...weekdays([['08:00', '20:00']]), sat: [['10:00', '14:00']] },
      holidays: ['2026-01-19', '2026-02-16', '2026-05-25'],
    },
    targets: {
      low: { firstResponse: 'PT8H', resolution: 'P5D' },
      normal: { firstResponse: 'PT4H', nextResponse: 'PT8H', resolution: 'P3D' },
      high: { firstResponse: 'PT1H', resolution: 'P1D' },
      urgent: { firstResponse: 15, resolution: 'PT4H' },
    },
  },
  {
    id: 'my-default',
    name: 'Malaysia, default',
    calendar: {
      timeZone: 'Asia/Kuala_Lumpur',
      hours: {
        ...weekdays([
          ['09:00', '12:30'],
          ['14:00', '18:00'],
        ]),
        fri: [
          ['09:00', '12:15'],
          ['14:45', '18:00'],
        ],
      },
      holidays: ['2026-02-17', '2026-02-18', '2026-03-21'],
    },
    targets: {
      low: { firstResponse: 'PT8H', resolution: 'P5D' },
      normal: { firstResponse: 'PT4H', nextResponse: 'PT4H', resolution: 'P3D' },
      high: { firstResponse: 'PT2H', resolution: 'P2D' },
      urgent: { firstResponse: 30, resolution: 'PT8H' },
    },
  },
];

/** A small deterministic PRNG (mulberry32), so every run builds the same complaints. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function build(log) {
  const clock = manualClock(new Date(NOW - 15 * 24 * HOUR));
  const crm = createCrm({ store: memoryStore(), clock, slaPolicies: POLICIES });
  const random = prng(42);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const customers = [];
  for (let i = 0; i < 2000; i++)
    customers.push(await crm.customers.create({ name: `Customer ${i}`, tags: i % 3 === 0 ? ['enterprise'] : [] }));
  const ids = [];
  const started = now();
  for (let i = 0; i < COMPLAINTS; i++) {
    const opened = NOW - Math.floor(random() * 14 * 24 * HOUR);
    clock.set(new Date(opened));
    const c = await crm.complaints.open({
      customerId: pick(customers).id,
      subject: `Complaint ${i}`,
      channel: pick(['email', 'call', 'chat', 'web_form', 'letter']),
      priority: pick(['low', 'normal', 'normal', 'normal', 'high', 'urgent']),
    });
    ids.push(c.id);
    // Later steps happen at increasing times, all before NOW.
    let t = opened;
    const step = async (fn) => {
      t += Math.floor(random() * 6 * HOUR);
      if (t >= NOW) return false;
      clock.set(new Date(t));
      await fn();
      return true;
    };
    if (random() < 0.7 && (await step(() => crm.complaints.respond(c.id, {})))) {
      if (random() < 0.4 && (await step(() => crm.complaints.setStatus(c.id, 'pending_customer')))) {
        if (random() < 0.6) await step(() => crm.complaints.respond(c.id, { direction: 'inbound' }));
      } else if (random() < 0.3) await step(() => crm.complaints.respond(c.id, { direction: 'inbound' }));
    }
    if (random() < 0.1 && c.priority !== 'urgent')
      await step(() => crm.complaints.setPriority(c.id, 'urgent', { reason: 'escalated by phone' }));
  }
  clock.set(new Date(NOW));
  log(`${COMPLAINTS.toLocaleString('en-US')} open complaints built in ${((now() - started) / 1000).toFixed(1)} s`);
  return { crm, ids };
}

export default defineBench({
  name: 'sla',
  title: `crm.sla.status for ${COMPLAINTS.toLocaleString('en-US')} open complaints`,
  order: 40,
  async run(ctx) {
    const { crm, ids } = await build(ctx.log);
    if (SCALE !== 1) ctx.log(`BENCH_SCALE=${SCALE}: ${COMPLAINTS} complaints instead of 100,000 (the target assumes 1)`);

    // The first pass replays every activity log; later passes find the replays of unchanged
    // records (stored records are immutable) and only do the arithmetic for the current instant.
    const coldStart = now();
    for (const id of ids) await crm.sla.status(id);
    const cold = now() - coldStart;

    // What the statuses say, as a check that the data exercises every state.
    const states = {};
    for (const id of ids) {
      const { policyId, targets } = await crm.sla.status(id);
      if (policyId === null) throw new Error(`complaint ${id} has no SLA policy`);
      for (const [target, status] of Object.entries(targets)) {
        const key = `${target}:${status.state}`;
        states[key] = (states[key] ?? 0) + 1;
      }
    }
    ctx.log(
      `states: ${Object.entries(states)
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    for (const needed of [
      'firstResponse:met',
      'firstResponse:breached',
      'resolution:running',
      'resolution:paused',
      'nextResponse:running',
    ]) {
      if (!states[needed]) throw new Error(`the data has no ${needed} case`);
    }

    const totals = [];
    for (let run = 0; run < 5; run++) {
      const started = now();
      for (const id of ids) await crm.sla.status(id);
      totals.push(now() - started);
    }
    const { median, min, max } = summarize(totals);
    ctx.figure({
      name: `all ${COMPLAINTS.toLocaleString('en-US')} statuses, median of 5`,
      value: median,
      unit: 'ms',
      target: 300 * SCALE,
      higherIsBetter: false,
      note: `min ${min.toFixed(0)} ms, max ${max.toFixed(0)} ms; ${((median * 1000) / COMPLAINTS).toFixed(
        2,
      )} µs per complaint (a dashboard refreshing)`,
    });
    ctx.info(
      'first pass, replaying every log',
      cold,
      'ms',
      `${((cold * 1000) / COMPLAINTS).toFixed(2)} µs per complaint; once per record version`,
    );
  },
});
