// Contact policy: `crm.contactPolicy.check` for a customer with 10,000 touchpoints spread evenly
// over three years (half outbound, on five channels) and a few resolved complaints, under a policy with
// per-channel and overall windows, a quiet period after resolution and quiet hours in the
// customer's time zone. Target: median ≤ 50 µs. Baseline: the same answer from reading all the
// customer's touchpoints (what a policy check without the store's history index would do).

import { createCrm, manualClock, memoryStore } from '@crm/core';
import { random } from './corpus.mjs';
import { defineBench, sample } from './harness.mjs';

const TOUCHPOINTS = 10_000;
const CHANNELS = ['call', 'email', 'sms', 'chat', 'letter'];
const NOW = Date.UTC(2026, 0, 15, 10, 0, 0);
const SPAN = 3 * 365 * 86_400_000;

export default defineBench({
  name: 'contact-policy',
  title: `crm.contactPolicy.check for a customer with ${TOUCHPOINTS.toLocaleString('en-US')} touchpoints`,
  order: 35,
  async run(ctx) {
    // Logged from a day after NOW, so every touchpoint is a record of the past (not checked).
    const clock = manualClock(new Date(NOW + 86_400_000));
    const policy = {
      limits: [{ max: 3, window: 'P7D' }, { channel: 'sms', max: 1, window: 'P1D' }, { channel: 'email', max: 5, window: 'P30D' }],
      afterResolution: { followUps: 1, quietFor: 'P14D' },
      quietHours: { start: '21:00', end: '08:00' },
    };
    const crm = createCrm({ store: memoryStore(), clock, contactPolicy: policy });
    const customer = await crm.customers.create({ name: 'Busy customer', timeZone: 'Asia/Kuala_Lumpur' });
    const rand = random(11);
    for (let i = 0; i < TOUCHPOINTS; i++) {
      // Spread evenly over three years (about 9 a day, 270 in the policy's longest window).
      const occurredAt = new Date(NOW - Math.floor(SPAN * rand())).toISOString();
      await crm.touchpoints.log({ customerId: customer.id, channel: CHANNELS[i % 5], direction: i % 2 ? 'outbound' : 'inbound', occurredAt });
    }
    clock.set(new Date(NOW - 10 * 86_400_000));
    for (let i = 0; i < 5; i++) {
      const complaint = await crm.complaints.open({ customerId: customer.id, subject: `Complaint ${i}`, channel: 'call' });
      await crm.complaints.resolve(complaint.id, {});
    }
    clock.set(new Date(NOW));

    const check = () => crm.contactPolicy.check(customer.id, { channel: 'email' });
    /** The naive answer to "how many outbound contacts in the last 7 days": every touchpoint read. */
    const naive = async () => {
      let count = 0;
      let cursor = null;
      do {
        const page = await crm.touchpoints.list({ customerId: customer.id, limit: 500, cursor });
        for (const t of page.items) if (t.direction === 'outbound' && Date.parse(t.occurredAt) > NOW - 7 * 86_400_000) count++;
        cursor = page.nextCursor;
      } while (cursor);
      return count;
    };
    const answer = await check();
    ctx.log(`the check says: ${JSON.stringify(answer)}; outbound in 7 days by reading everything: ${await naive()}`);
    const checks = await sample(check, { warmup: 500, runs: 5000 });
    const base = await sample(naive, { warmup: 5, runs: 50 });
    ctx.figure({
      name: 'check, median',
      value: checks.median * 1000,
      unit: 'µs',
      target: 50,
      higherIsBetter: false,
      baseline: { name: 'reading all the customer’s touchpoints', value: base.median * 1000 },
      note: `p95 ${(checks.p95 * 1000).toFixed(1)} µs over ${checks.runs} runs`,
    });
  },
});
