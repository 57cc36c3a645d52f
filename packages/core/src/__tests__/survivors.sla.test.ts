/**
 * Tests for mutants that survived the suite (issue 17): each one fails when its mutant is put
 * back in `sla/engine.ts`.
 */
import { describe, expect, it } from 'vitest';
import { createCrm } from '../crm.js';
import type { SlaPolicyInput } from '../schemas/slaPolicy.js';
import { OFFICE_HOURS, setup } from './helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;


const POLICY: SlaPolicyInput = {
  id: 'standard',
  name: 'Standard',
  calendar: OFFICE_HOURS,
  targets: {
    normal: { firstResponse: 'PT2H', nextResponse: 60, resolution: 'PT16H' },
    // Urgent: first response due 30 minutes after the opening, the warning at 80%, 24 minutes.
    urgent: { firstResponse: 30, nextResponse: 15, resolution: 240 },
  },
};

function env() {
  return setup({ slaPolicies: [POLICY] });
}

async function open(crm: ReturnType<typeof env>['crm'], priority: 'normal' | 'urgent') {
  const customer = await crm.customers.create({ name: 'Nur Aisyah' });
  return crm.complaints.open({ customerId: customer.id, subject: 'Bil salah', channel: 'email', priority });
}

/**
 * Starts a second CRM's scheduler on the same store, as after a restart, and returns the
 * `sla.*` events it emits while catching up.
 */
async function catchUp(store: ReturnType<typeof env>['store'], clock: ReturnType<typeof env>['clock']) {
  const restarted = createCrm({ store, clock, slaPolicies: [POLICY] });
  const seen: string[] = [];
  for (const name of ['sla.warning', 'sla.breached', 'sla.met'] as const)
    restarted.on(name, (e) => seen.push(`${name} ${e.target} ${e.at} due ${e.dueAt}`));
  await restarted.sla.start();
  await restarted.sla.idle();
  restarted.sla.stop();
  return seen;
}

describe('an inbound message on a resolved complaint (engine: `&& !RESOLVED.has(status)`)', () => {
  it('is recorded as a note of the customer: the complaint stays resolved and no next-response clock starts, not even on reopening', async () => {
    const { crm, clock } = env();
    const c = await open(crm, 'normal');
    clock.advance(10 * MIN);
    await crm.complaints.respond(c.id, { message: 'Kami sedang menyemak' }); // first response: 09:10
    clock.advance(10 * MIN);
    const resolved = await crm.complaints.resolve(c.id); // 09:20
    clock.advance(10 * MIN);
    const after = await crm.complaints.respond(c.id, { direction: 'inbound', message: 'Terima kasih!' }); // 09:30
    expect(after).toMatchObject({ status: 'resolved', resolvedAt: resolved.resolvedAt });
    expect(after.activity.at(-1)).toMatchObject({ type: 'responded', direction: 'inbound', message: 'Terima kasih!' });

    clock.advance(3 * HOUR);
    let s = await crm.sla.status(c.id);
    expect(s.targets.nextResponse).toBeUndefined();
    expect(s.targets.resolution).toMatchObject({ state: 'met', elapsedMinutes: 20 });

    // Reopened later: the message before it does not start a clock now either.
    await crm.complaints.reopen(c.id, { reason: 'Caj masih ada' }); // 12:30
    clock.advance(2 * HOUR);
    s = await crm.sla.status(c.id);
    expect(s.targets.nextResponse).toBeUndefined();
    expect(s.targets.resolution).toMatchObject({ state: 'running', elapsedMinutes: 140 });

    // A customer message after the reopening does.
    await crm.complaints.respond(c.id, { direction: 'inbound', message: 'Masih dicaj' }); // 14:30
    clock.advance(30 * MIN);
    s = await crm.sla.status(c.id);
    expect(s.targets.nextResponse).toMatchObject({ state: 'running', elapsedMinutes: 30 });
    expect(s.targets.nextResponse!.startedAt.toISOString()).toBe('2026-03-02T14:30:00.000Z');
  });

  it('emits no next-response events, however long the complaint stays resolved', async () => {
    const { crm, clock, store } = env();
    const c = await open(crm, 'urgent');
    await crm.complaints.respond(c.id, {});
    await crm.complaints.resolve(c.id);
    clock.advance(MIN);
    await crm.complaints.respond(c.id, { direction: 'inbound' });
    clock.advance(2 * 24 * HOUR); // Wednesday 09:01
    await crm.complaints.reopen(c.id, { reason: 'Not fixed' });
    clock.advance(3 * HOUR);
    const seen = await catchUp(store, clock);
    expect(seen.filter((e) => e.includes('nextResponse'))).toEqual([]);
  });
});

describe('SLA crossings at the instant a clock stops (engine: `t < w.stoppedAt`)', () => {
  it('a response exactly at warningAt is met, with no warning', async () => {
    const { crm, clock, store } = env();
    const c = await open(crm, 'urgent');
    clock.set('2026-03-02T09:24:00.000Z'); // warningAt
    expect((await crm.sla.status(c.id)).targets.firstResponse).toMatchObject({ state: 'warning' });
    await crm.complaints.respond(c.id, {});
    const first = (await crm.sla.status(c.id)).targets.firstResponse!;
    expect(first).toMatchObject({ state: 'met', elapsedMinutes: 24 });
    expect(first.warningAt!.toISOString()).toBe('2026-03-02T09:24:00.000Z');
    expect(first.stoppedAt!.toISOString()).toBe('2026-03-02T09:24:00.000Z');
    clock.set('2026-03-02T09:31:00Z');
    expect((await catchUp(store, clock)).filter((e) => e.includes('firstResponse'))).toEqual([
      'sla.met firstResponse 2026-03-02T09:24:00.000Z due 2026-03-02T09:30:00.000Z',
    ]);
  });

  it('a response exactly at dueAt is met, with the warning and no breach', async () => {
    const { crm, clock, store } = env();
    const c = await open(crm, 'urgent');
    clock.set('2026-03-02T09:30:00.000Z');
    await crm.complaints.respond(c.id, {});
    expect((await crm.sla.status(c.id)).targets.firstResponse).toMatchObject({ state: 'met', remainingMinutes: 0 });
    clock.set('2026-03-02T09:31:00Z');
    expect((await catchUp(store, clock)).filter((e) => e.includes('firstResponse'))).toEqual([
      'sla.warning firstResponse 2026-03-02T09:24:00.000Z due 2026-03-02T09:30:00.000Z',
      'sla.met firstResponse 2026-03-02T09:30:00.000Z due 2026-03-02T09:30:00.000Z',
    ]);
  });

  it('a response at dueAt + 1 ms is missed, and its breach is emitted when the scheduler catches up', async () => {
    const { crm, clock, store } = env();
    const c = await open(crm, 'urgent');
    clock.set('2026-03-02T09:30:00.001Z');
    await crm.complaints.respond(c.id, {});
    expect((await crm.sla.status(c.id)).targets.firstResponse).toMatchObject({ state: 'missed' });
    clock.set('2026-03-02T09:31:00Z');
    expect((await catchUp(store, clock)).filter((e) => e.includes('firstResponse'))).toEqual([
      'sla.warning firstResponse 2026-03-02T09:24:00.000Z due 2026-03-02T09:30:00.000Z',
      'sla.breached firstResponse 2026-03-02T09:30:00.001Z due 2026-03-02T09:30:00.000Z',
    ]);
    // Recorded once: a second catch-up emits nothing.
    expect(await catchUp(store, clock)).toEqual([]);
    const entries = (await crm.complaints.get(c.id)).activity.filter((e) => e.type === 'sla');
    expect(entries.map((e) => e.type === 'sla' && `${e.target} ${e.event}`)).toEqual(['firstResponse warning', 'firstResponse breached']);
  });

  it('a resolution at dueAt + 1 ms is a breach of the resolution target, one at dueAt is met', async () => {
    for (const [at, expected] of [
      ['2026-03-02T13:00:00.000Z', 'sla.met resolution 2026-03-02T13:00:00.000Z due 2026-03-02T13:00:00.000Z'],
      ['2026-03-02T13:00:00.001Z', 'sla.breached resolution 2026-03-02T13:00:00.001Z due 2026-03-02T13:00:00.000Z'],
    ] as const) {
      const { crm, clock, store } = env();
      const c = await open(crm, 'urgent');
      await crm.complaints.respond(c.id, {});
      clock.set(at);
      await crm.complaints.resolve(c.id);
      clock.set('2026-03-02T14:00:00Z');
      const seen = (await catchUp(store, clock)).filter((e) => e.includes('resolution'));
      expect(seen).toEqual(['sla.warning resolution 2026-03-02T12:12:00.000Z due 2026-03-02T13:00:00.000Z', expected]);
    }
  });
  it('a warning caught up after the clock stopped or paused before its due instant is recorded, with the due instant as it stood', async () => {
    // Found with the tests above: the warning's dueAt was NaN, so recording it threw, every time.
    for (const stop of ['respond', 'pause'] as const) {
      const { crm, clock, store } = env();
      const c = await open(crm, 'urgent');
      clock.set('2026-03-02T09:27:00Z'); // after the warning (09:24), before the due instant (09:30)
      if (stop === 'respond') await crm.complaints.respond(c.id, {});
      else await crm.complaints.setStatus(c.id, 'pending_customer');
      clock.set('2026-03-02T10:00:00Z');
      const errors: unknown[] = [];
      const restarted = createCrm({ store, clock, slaPolicies: [POLICY] });
      restarted.on('error', ({ error }) => errors.push(error));
      const seen: string[] = [];
      for (const name of ['sla.warning', 'sla.breached', 'sla.met'] as const)
        restarted.on(name, (e) => seen.push(`${name} ${e.target} ${e.at} due ${e.dueAt}`));
      await restarted.sla.start();
      await restarted.sla.idle();
      restarted.sla.stop();
      expect(errors).toEqual([]);
      expect(seen.filter((e) => e.includes('firstResponse'))).toEqual([
        'sla.warning firstResponse 2026-03-02T09:24:00.000Z due 2026-03-02T09:30:00.000Z',
        ...(stop === 'respond' ? ['sla.met firstResponse 2026-03-02T09:27:00.000Z due 2026-03-02T09:30:00.000Z'] : []),
      ]);
    }
  });
});

// Mutants Stryker found surviving in sla/engine.ts (`npm run mutate -- sla`).
describe('SLA status and crossings after pauses, stops and reopenings', () => {
  it('a customer message before any response starts no next-response clock', async () => {
    const { crm, clock } = env();
    const c = await open(crm, 'normal');
    clock.advance(10 * MIN);
    await crm.complaints.respond(c.id, { direction: 'inbound', message: 'Any news?' });
    clock.advance(3 * HOUR);
    expect((await crm.sla.status(c.id)).targets.nextResponse).toBeUndefined();
  });

  it('emits the next-response crossings', async () => {
    const { crm, clock, store } = env();
    const c = await open(crm, 'urgent');
    await crm.complaints.respond(c.id, {});
    clock.advance(5 * MIN);
    await crm.complaints.respond(c.id, { direction: 'inbound' }); // 09:05: due in 15 minutes
    clock.set('2026-03-02T09:25:00Z');
    expect((await catchUp(store, clock)).filter((e) => e.includes('nextResponse'))).toEqual([
      'sla.warning nextResponse 2026-03-02T09:17:00.000Z due 2026-03-02T09:20:00.000Z',
      'sla.breached nextResponse 2026-03-02T09:20:00.001Z due 2026-03-02T09:20:00.000Z',
    ]);
  });

  it('the due instant of a target breached in a later stretch of a paused clock', async () => {
    const { crm, clock } = env();
    const c = await open(crm, 'urgent'); // first response: 30 minutes
    clock.set('2026-03-02T09:10:00Z');
    await crm.complaints.setStatus(c.id, 'pending_customer'); // 10 used
    clock.set('2026-03-02T09:20:00Z');
    await crm.complaints.setStatus(c.id, 'open');
    clock.set('2026-03-02T09:50:00Z');
    await crm.complaints.setStatus(c.id, 'pending_customer'); // 40 used: due at 09:40 (20 after resuming)
    clock.set('2026-03-02T11:00:00Z');
    const first = (await crm.sla.status(c.id)).targets.firstResponse!;
    expect(first).toMatchObject({ state: 'breached', elapsedMinutes: 40 });
    expect(first.dueAt!.toISOString()).toBe('2026-03-02T09:40:00.000Z');
    expect(first.warningAt!.toISOString()).toBe('2026-03-02T09:34:00.000Z');
  });

  it('met and missed targets keep their due and warning instants', async () => {
    const { crm, clock } = env();
    const met = await open(crm, 'urgent');
    const missed = await open(crm, 'urgent');
    const warned = await open(crm, 'urgent');
    clock.set('2026-03-02T09:10:00Z');
    await crm.complaints.respond(met.id, {});
    clock.set('2026-03-02T09:27:00Z');
    await crm.complaints.respond(warned.id, {});
    clock.set('2026-03-02T09:45:00Z');
    await crm.complaints.respond(missed.id, {});
    clock.set('2026-03-02T12:00:00Z');
    const iso = (d: Date | null) => d?.toISOString();
    const of = async (id: string) => (await crm.sla.status(id)).targets.firstResponse!;
    const a = await of(met.id);
    expect([a.state, iso(a.dueAt), iso(a.warningAt)]).toEqual(['met', '2026-03-02T09:30:00.000Z', '2026-03-02T09:24:00.000Z']);
    const b = await of(warned.id);
    expect([b.state, iso(b.dueAt), iso(b.warningAt)]).toEqual(['met', '2026-03-02T09:30:00.000Z', '2026-03-02T09:24:00.000Z']);
    const d = await of(missed.id);
    expect([d.state, iso(d.dueAt), iso(d.warningAt)]).toEqual(['missed', '2026-03-02T09:30:00.000Z', '2026-03-02T09:24:00.000Z']);
  });

  it('resolution is met at each resolution within the target, counting only the time it ran', async () => {
    const { crm, clock, store } = env();
    const c = await open(crm, 'urgent'); // resolution: 240 minutes
    await crm.complaints.respond(c.id, {});
    clock.set('2026-03-02T10:00:00Z');
    await crm.complaints.resolve(c.id); // 60 used
    clock.set('2026-03-02T14:00:00Z');
    await crm.complaints.reopen(c.id, { reason: 'Again' });
    clock.set('2026-03-02T15:00:00Z');
    await crm.complaints.resolve(c.id); // 120 used: met again
    clock.set('2026-03-02T16:00:00Z');
    expect((await catchUp(store, clock)).filter((e) => e.includes('resolution'))).toEqual([
      'sla.met resolution 2026-03-02T10:00:00.000Z due 2026-03-02T13:00:00.000Z',
      'sla.met resolution 2026-03-02T15:00:00.000Z due 2026-03-03T09:00:00.000Z',
    ]);
  });
});

describe('SLA clocks from a log written out of order, or paused before a late stop', () => {
  it('replays entries in time order: a response recorded later with an earlier instant stops the clock then', async () => {
    const { crm, clock } = env();
    const c = await open(crm, 'urgent');
    clock.set('2026-03-02T09:10:00Z');
    await crm.complaints.setStatus(c.id, 'pending_customer');
    clock.set('2026-03-02T09:20:00Z');
    await crm.complaints.setStatus(c.id, 'open');
    // Recorded at 09:20, for a call made at 09:05: the log is no longer in time order.
    await crm.complaints.respond(c.id, { at: '2026-03-02T09:05:00Z', channel: 'call' });
    clock.set('2026-03-02T12:00:00Z');
    const first = (await crm.sla.status(c.id)).targets.firstResponse!;
    expect(first).toMatchObject({ state: 'met', elapsedMinutes: 5 });
    expect(first.stoppedAt!.toISOString()).toBe('2026-03-02T09:05:00.000Z');
    // Asked about the instant of an entry, the entry counts.
    expect((await crm.sla.status(c.id, '2026-03-02T09:05:00Z')).targets.firstResponse).toMatchObject({ state: 'met' });
    expect((await crm.sla.status(c.id, '2026-03-02T09:04:59.999Z')).targets.firstResponse).toMatchObject({ state: 'running' });
  });

  it('a target missed before a pause keeps the due and warning instants of its crossings', async () => {
    const { crm, clock } = env();
    const c = await open(crm, 'urgent'); // due 09:30, warning 09:24
    clock.set('2026-03-02T09:35:00Z');
    await crm.complaints.setStatus(c.id, 'pending_customer'); // 35 used
    clock.set('2026-03-02T10:00:00Z');
    await crm.complaints.setStatus(c.id, 'open');
    clock.set('2026-03-02T10:05:00Z');
    await crm.complaints.respond(c.id, {}); // 40 used: missed
    clock.set('2026-03-02T12:00:00Z');
    const first = (await crm.sla.status(c.id)).targets.firstResponse!;
    expect(first).toMatchObject({ state: 'missed', elapsedMinutes: 40 });
    expect(first.dueAt!.toISOString()).toBe('2026-03-02T09:30:00.000Z');
    expect(first.warningAt!.toISOString()).toBe('2026-03-02T09:24:00.000Z');
  });
});
