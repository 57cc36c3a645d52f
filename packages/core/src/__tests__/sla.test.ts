import { afterEach, describe, expect, it, vi } from 'vitest';
import { OFFICE_HOURS } from './helpers.js';
import { createCrm } from '../crm.js';
import { manualClock, systemClock } from '../clock/clock.js';
import { CrmValidationError } from '../errors/index.js';
import type { SlaEvent } from '../events/events.js';
import type { SlaPolicyInput } from '../schemas/slaPolicy.js';
import { memoryStore } from '../store/memoryStore.js';
import { slaBrief } from '../sla/engine.js';
import { parsePolicies } from '../sla/policies.js';

const MIN = 60_000;
const HOUR = 60 * MIN;


const STANDARD: SlaPolicyInput = {
  id: 'standard',
  name: 'Standard',
  calendar: OFFICE_HOURS,
  targets: {
    low: { firstResponse: 480 },
    normal: { firstResponse: 'PT2H', nextResponse: 60, resolution: 'PT16H' },
    urgent: { firstResponse: 30, nextResponse: 15, resolution: 240 },
  },
};

const STAFF = [
  { id: 'sam', name: 'Sam', languages: ['en'] },
  { id: 'lead', name: 'Team lead', languages: ['en'] },
];

function env(policies: SlaPolicyInput[] = [STANDARD], start = '2026-03-02T09:00:00Z') {
  const clock = manualClock(start);
  const store = memoryStore();
  const crm = createCrm({ store, clock, staff: STAFF, slaPolicies: policies });
  const events: { name: string; e: SlaEvent }[] = [];
  for (const name of ['sla.warning', 'sla.breached', 'sla.met'] as const) crm.on(name, (e) => events.push({ name, e }));
  return { crm, clock, store, events };
}

async function open(crm: ReturnType<typeof env>['crm'], priority: 'low' | 'normal' | 'high' | 'urgent' = 'normal', tags: string[] = []) {
  const customer = await crm.customers.create({ name: 'Nur Aisyah', tags });
  return crm.complaints.open({ customerId: customer.id, subject: 'Bil salah', channel: 'email', priority, ownerId: 'sam' });
}

/** Lets the scheduler's asynchronous work finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0)).then(() => new Promise((resolve) => setTimeout(resolve, 0)));

describe('crm.sla.status', () => {
  it('measures the first response in business time and says met', async () => {
    const { crm, clock } = env();
    const c = await open(crm);
    clock.advance(90 * MIN);
    let s = await crm.sla.status(c.id);
    expect(s.policyId).toBe('standard');
    // The warning comes at 80% of 120 minutes: 96.
    expect(s.targets.firstResponse).toMatchObject({ state: 'running', targetMinutes: 120, elapsedMinutes: 90, remainingMinutes: 30 });
    expect((await crm.sla.status(c.id, '2026-03-02T10:35:59.999Z')).targets.firstResponse!.state).toBe('running');
    expect((await crm.sla.status(c.id, '2026-03-02T10:36:00Z')).targets.firstResponse!.state).toBe('warning');
    expect(s.targets.firstResponse!.dueAt!.toISOString()).toBe('2026-03-02T11:00:00.000Z');
    expect(s.targets.firstResponse!.warningAt!.toISOString()).toBe('2026-03-02T10:36:00.000Z');
    await crm.complaints.respond(c.id, { actorId: 'sam', message: 'Kami sedang menyemak' });
    clock.advance(10 * HOUR);
    s = await crm.sla.status(c.id);
    expect(s.targets.firstResponse).toMatchObject({ state: 'met', elapsedMinutes: 90 });
    expect(s.targets.firstResponse!.stoppedAt!.toISOString()).toBe('2026-03-02T10:30:00.000Z');
    expect(s.targets.nextResponse).toBeUndefined();
  });

  it('counts only open hours: opened Friday afternoon, due Monday morning', async () => {
    const { crm } = env(undefined, '2026-03-06T16:00:00Z');
    const c = await open(crm);
    const s = await crm.sla.status(c.id, '2026-03-09T09:40:00Z');
    expect(s.targets.firstResponse).toMatchObject({ state: 'warning', elapsedMinutes: 100 });
    expect(s.targets.firstResponse!.warningAt!.toISOString()).toBe('2026-03-09T09:36:00.000Z');
    expect(s.targets.firstResponse!.dueAt!.toISOString()).toBe('2026-03-09T10:00:00.000Z');
    expect((await crm.sla.status(c.id, '2026-03-09T10:00:00Z')).targets.firstResponse!.state).toBe('warning');
    expect((await crm.sla.status(c.id, '2026-03-09T10:00:00.001Z')).targets.firstResponse!.state).toBe('breached');
  });

  it('ends exactly at a closing time: due at the next opening, so a response then is met', async () => {
    const { crm, clock } = env(undefined, '2026-03-02T15:00:00Z');
    const c = await open(crm);
    const s = await crm.sla.status(c.id, '2026-03-02T20:00:00Z');
    // 120 minutes run out at 17:00 Monday; the latest instant with exactly 120 used is Tuesday 09:00.
    expect(s.targets.firstResponse).toMatchObject({ state: 'warning', elapsedMinutes: 120, remainingMinutes: 0 });
    expect(s.targets.firstResponse!.dueAt!.toISOString()).toBe('2026-03-03T09:00:00.000Z');
    clock.set('2026-03-03T09:00:00Z');
    await crm.complaints.respond(c.id, {});
    expect((await crm.sla.status(c.id)).targets.firstResponse!.state).toBe('met');
  });

  it('says missed when the response came late, and breached before it', async () => {
    const { crm, clock } = env();
    const c = await open(crm, 'urgent');
    clock.advance(45 * MIN);
    expect((await crm.sla.status(c.id)).targets.firstResponse).toMatchObject({ state: 'breached', remainingMinutes: -15 });
    await crm.complaints.respond(c.id, {});
    expect((await crm.sla.status(c.id)).targets.firstResponse).toMatchObject({ state: 'missed', elapsedMinutes: 45 });
  });

  it('pauses while waiting on the customer, and resumes when they answer', async () => {
    const { crm, clock } = env();
    const c = await open(crm);
    clock.advance(HOUR);
    await crm.complaints.respond(c.id, {}); // first response after 60 min
    await crm.complaints.setStatus(c.id, 'pending_customer');
    clock.advance(3 * HOUR);
    let s = await crm.sla.status(c.id);
    expect(s.targets.resolution).toMatchObject({ state: 'paused', elapsedMinutes: 60, dueAt: null });
    await crm.complaints.respond(c.id, { direction: 'inbound', message: 'Ini resitnya' }); // back to open
    clock.advance(30 * MIN);
    s = await crm.sla.status(c.id);
    expect(s.targets.resolution).toMatchObject({ state: 'running', elapsedMinutes: 90 });
    // 960 - 90 = 870 minutes left from 13:30 Monday: 210 today, 480 Tuesday, 180 Wednesday → 12:00.
    expect(s.targets.resolution!.dueAt!.toISOString()).toBe('2026-03-04T12:00:00.000Z');
    // The customer's message after a response started a next-response clock, not paused.
    expect(s.targets.nextResponse).toMatchObject({ state: 'running', elapsedMinutes: 30 });
  });

  it('restarts the next-response clock at each customer message after a response', async () => {
    const { crm, clock } = env();
    const c = await open(crm);
    await crm.complaints.respond(c.id, {});
    clock.advance(10 * MIN);
    await crm.complaints.respond(c.id, { direction: 'inbound' });
    clock.advance(20 * MIN);
    await crm.complaints.respond(c.id, { direction: 'inbound' }); // same cycle: no answer yet
    clock.advance(50 * MIN);
    let s = await crm.sla.status(c.id);
    expect(s.targets.nextResponse).toMatchObject({ state: 'breached', elapsedMinutes: 70 });
    await crm.complaints.respond(c.id, {});
    expect((await crm.sla.status(c.id)).targets.nextResponse).toMatchObject({ state: 'missed' });
    clock.advance(5 * MIN);
    await crm.complaints.respond(c.id, { direction: 'inbound' });
    clock.advance(20 * MIN);
    s = await crm.sla.status(c.id);
    expect(s.targets.nextResponse).toMatchObject({ state: 'running', elapsedMinutes: 20 });
    expect(s.targets.nextResponse!.startedAt.toISOString()).toBe('2026-03-02T10:25:00.000Z');
  });

  it('stops resolution at resolved and resumes with the time already used on reopen', async () => {
    const { crm, clock } = env();
    const c = await open(crm);
    await crm.complaints.respond(c.id, {});
    clock.advance(5 * HOUR);
    await crm.complaints.resolve(c.id);
    clock.advance(2 * 24 * HOUR);
    expect((await crm.sla.status(c.id)).targets.resolution).toMatchObject({ state: 'met', elapsedMinutes: 300 });
    await crm.complaints.reopen(c.id, { reason: 'Caj masih ada' }); // Wednesday 14:00
    clock.advance(2 * HOUR);
    const s = await crm.sla.status(c.id);
    expect(s.targets.resolution).toMatchObject({ state: 'running', elapsedMinutes: 420, remainingMinutes: 540 });
  });

  it('re-targets from the original start when the priority changes', async () => {
    const { crm, clock } = env();
    const c = await open(crm);
    clock.advance(25 * MIN);
    expect((await crm.sla.status(c.id)).targets.firstResponse).toMatchObject({ state: 'running', targetMinutes: 120 });
    await crm.complaints.setPriority(c.id, 'urgent', { reason: 'Customer is a hospital' });
    let s = await crm.sla.status(c.id);
    expect(s.priority).toBe('urgent');
    expect(s.targets.firstResponse).toMatchObject({ state: 'warning', targetMinutes: 30, elapsedMinutes: 25 });
    expect(s.targets.firstResponse!.dueAt!.toISOString()).toBe('2026-03-02T09:30:00.000Z');
    // Asked about a moment before the change, the old priority's targets apply.
    s = await crm.sla.status(c.id, '2026-03-02T09:10:00Z');
    expect(s).toMatchObject({ priority: 'normal' });
    expect(s.targets.firstResponse).toMatchObject({ targetMinutes: 120, elapsedMinutes: 10 });
  });

  it('is a pure function of the log: the same from a second CRM on the same store, and for past instants', async () => {
    const { crm, clock, store } = env();
    const c = await open(crm);
    clock.advance(3 * HOUR);
    const other = createCrm({ store, clock: manualClock(clock.now()), slaPolicies: [STANDARD] });
    expect(await other.sla.status(c.id)).toEqual(await crm.sla.status(c.id));
    const past = await crm.sla.status(c.id, '2026-03-02T09:30:00Z');
    expect(past.targets.firstResponse).toMatchObject({ state: 'running', elapsedMinutes: 30 });
    expect(crm.sla.statusOf(await crm.complaints.get(c.id), '2026-03-02T09:30:00Z')).toEqual(past);
  });

  it('gives the same answer from a remembered replay as from a fresh one, for any instant asked in any order', async () => {
    const { crm, clock } = env();
    const c = await open(crm);
    const steps: (() => Promise<unknown>)[] = [
      () => crm.complaints.respond(c.id, {}),
      () => crm.complaints.setStatus(c.id, 'pending_customer'),
      () => crm.complaints.respond(c.id, { direction: 'inbound' }),
      () => crm.complaints.setPriority(c.id, 'urgent'),
      () => crm.complaints.respond(c.id, {}),
      () => crm.complaints.respond(c.id, { direction: 'inbound' }),
      () => crm.complaints.resolve(c.id),
      () => crm.complaints.reopen(c.id, { reason: 'again' }),
    ];
    for (const step of steps) {
      clock.advance(47 * MIN);
      await step();
    }
    const record = await crm.complaints.get(c.id);
    expect(Object.isFrozen(record)).toBe(true); // what makes its replay worth remembering
    const instants = Array.from({ length: 40 }, (_, i) => new Date(Date.parse('2026-03-02T08:00:00Z') + ((i * 7919) % 40) * 13 * MIN));
    for (const at of [...instants, ...instants.reverse()]) {
      // A structured clone is not frozen, so it is always replayed afresh.
      expect(crm.sla.statusOf(record, at), at.toISOString()).toEqual(crm.sla.statusOf(structuredClone(record), at));
    }
  });

  it('briefs analytics with the same states and minutes as the full status, at every instant', async () => {
    const { policies, calendars } = parsePolicies([STANDARD], null);
    const { crm, clock } = env();
    const c = await open(crm);
    for (const step of [
      () => crm.complaints.respond(c.id, {}),
      () => crm.complaints.respond(c.id, { direction: 'inbound' }),
      () => crm.complaints.setStatus(c.id, 'pending_customer'),
      () => crm.complaints.respond(c.id, { direction: 'inbound' }),
      () => crm.complaints.resolve(c.id),
    ]) {
      clock.advance(95 * MIN);
      await step();
    }
    const record = await crm.complaints.get(c.id);
    const policy = policies[0]!;
    const cal = calendars.get(policy.id)!;
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const at = new Date(Date.parse('2026-03-02T08:00:00Z') + i * 17 * MIN);
      const full = crm.sla.statusOf(record, at).targets;
      const brief = slaBrief(record, policy, cal, at.getTime());
      expect(Object.keys(brief), at.toISOString()).toEqual(Object.keys(full));
      for (const [target, status] of Object.entries(full)) {
        expect(brief[target as keyof typeof brief], `${target} at ${at.toISOString()}`).toEqual({
          state: status.state,
          elapsedMinutes: status.elapsedMinutes,
          stopped: status.stoppedAt !== null,
        });
        seen.add(status.state);
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(['met', 'running', 'paused', 'breached']));
  });

  it('chooses the first policy whose conditions match, and keeps it', async () => {
    const vip: SlaPolicyInput = {
      ...STANDARD,
      id: 'vip',
      name: 'VIP',
      appliesTo: { customerTags: ['vip'] },
      targets: { normal: { firstResponse: 15 } },
    };
    const calls: SlaPolicyInput = { ...STANDARD, id: 'calls', name: 'Calls', appliesTo: { channels: ['call'] } };
    const { crm } = env([vip, calls, STANDARD]);
    expect((await open(crm, 'normal', ['vip'])).slaPolicyId).toBe('vip');
    expect((await open(crm, 'normal', ['other'])).slaPolicyId).toBe('standard');
    const customer = await crm.customers.create({ name: 'Marco' });
    expect((await crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'call' })).slaPolicyId).toBe('calls');
    expect((await crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'call', slaPolicyId: 'vip' })).slaPolicyId).toBe(
      'vip',
    );
    await expect(crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'call', slaPolicyId: 'gold' })).rejects.toThrow(
      /slaPolicyId: no SLA policy "gold"/,
    );
  });

  it('has no targets for a complaint no policy covers, or whose priority has none', async () => {
    const { crm } = env([{ ...STANDARD, appliesTo: { priorities: ['urgent', 'normal'] } }]);
    const c = await open(crm, 'low');
    expect(await crm.sla.status(c.id)).toMatchObject({ policyId: null, targets: {} });
    const { crm: crm2 } = env([STANDARD]);
    const high = await open(crm2, 'high');
    expect(await crm2.sla.status(high.id)).toMatchObject({ policyId: 'standard', targets: {} });
  });

  it('rejects bad policies, naming the field', () => {
    const bad = {
      ...STANDARD,
      calendar: {
        timeZone: 'UTC',
        hours: {
          mon: [
            ['09:00', '12:00'],
            ['11:00', '13:00'],
          ],
        },
      },
    } as SlaPolicyInput;
    expect(() => createCrm({ slaPolicies: [bad] })).toThrow(/slaPolicies\[0\]\.calendar\.hours\.mon\[1\]: overlaps/);
    expect(() => createCrm({ slaPolicies: [{ ...STANDARD, warningThreshold: 1.5 }] })).toThrow(/slaPolicies\[0\]\.warningThreshold/);
    expect(() => createCrm({ slaPolicies: [{ ...STANDARD, targets: { normal: { firstResponse: 'PT1Y' } } }] })).toThrow(
      /slaPolicies\[0\]\.targets\.normal\.firstResponse/,
    );
    expect(() => createCrm({ slaPolicies: [STANDARD, STANDARD] })).toThrow(/slaPolicies\[1\]\.id: duplicate/);
    expect(() => createCrm({ staff: STAFF, slaPolicies: [{ ...STANDARD, onBreach: { reassignTo: 'nobody' } }] })).toThrow(
      /slaPolicies\[0\]\.onBreach\.reassignTo: unknown staff member/,
    );
    const error = (() => {
      try {
        createCrm({ slaPolicies: [{ ...STANDARD, calendar: { timeZone: 'Mars/Olympus', hours: '24/7' } }] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CrmValidationError);
    expect((error as CrmValidationError).issues.map((i) => i.field)).toEqual(['slaPolicies[0].calendar.timeZone']);
  });

  it('rejects an invalid instant', async () => {
    const { crm } = env();
    const c = await open(crm);
    await expect(crm.sla.status(c.id, 'yesterday')).rejects.toThrow(/at: expected a valid Date/);
    await expect(crm.sla.status('nope')).rejects.toThrow(/not found|no complaint/i);
  });
});

describe('the SLA scheduler', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('emits warning, breach and met once each, at their instants, over simulated weeks', async () => {
    const { crm, clock, events } = env();
    await crm.sla.start();
    const a = await open(crm); // normal: first response due 11:00, warning at 10:36
    const b = await open(crm, 'urgent'); // urgent: due 09:30, warning at 09:24
    await settle();
    expect(crm.sla.tracked).toBe(2);
    expect(clock.pendingTimers).toBe(1); // one timer, for the nearest deadline
    clock.advance(25 * MIN);
    await settle();
    expect(events.map((x) => [x.name, x.e.complaint.id, x.e.target, x.e.at])).toEqual([
      ['sla.warning', b.id, 'firstResponse', '2026-03-02T09:24:00.000Z'],
    ]);
    await crm.complaints.respond(b.id, {}); // 09:25, within 30 minutes
    await settle();
    expect(events.at(-1)).toMatchObject({
      name: 'sla.met',
      e: { target: 'firstResponse', at: '2026-03-02T09:25:00.000Z', dueAt: '2026-03-02T09:30:00.000Z' },
    });
    // Three simulated weeks, an hour at a time.
    for (let i = 0; i < 21 * 24; i++) {
      clock.advance(HOUR);
      await settle();
    }
    const forA = events.filter((x) => x.e.complaint.id === a.id).map((x) => `${x.name} ${x.e.target} ${x.e.at}`);
    expect(forA).toEqual([
      'sla.warning firstResponse 2026-03-02T10:36:00.000Z',
      'sla.breached firstResponse 2026-03-02T11:00:00.001Z',
      'sla.warning resolution 2026-03-03T13:48:00.000Z', // 80% of 960 = 768 minutes: Mon 480 + Tue 288 → 13:48
      // 960 minutes run out at Tuesday's 17:00 closing, so it is due at Wednesday's opening.
      'sla.breached resolution 2026-03-04T09:00:00.001Z',
    ]);
    const forB = events.filter((x) => x.e.complaint.id === b.id).map((x) => `${x.name} ${x.e.target}`);
    expect(forB).toEqual(['sla.warning firstResponse', 'sla.met firstResponse', 'sla.warning resolution', 'sla.breached resolution']);
    // Each crossing is in the log once.
    const log = (await crm.complaints.get(a.id)).activity.filter((e) => e.type === 'sla');
    expect(log).toHaveLength(4);
    crm.sla.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps one timer for a thousand complaints and emits each breach exactly once', async () => {
    const { crm, clock, events } = env();
    await crm.sla.start();
    const customer = await crm.customers.create({ name: 'Bulk' });
    for (let i = 0; i < 1000; i++) {
      await crm.complaints.open({ customerId: customer.id, subject: `#${i}`, channel: 'web_form', priority: i % 2 ? 'urgent' : 'low' });
      clock.advance(7_000);
    }
    await settle();
    expect(clock.pendingTimers).toBe(1);
    for (let i = 0; i < 7 * 24 * 4; i++) {
      clock.advance(15 * MIN);
      await settle();
    }
    const breaches = events.filter((x) => x.name === 'sla.breached' && x.e.target === 'firstResponse');
    expect(breaches).toHaveLength(1000);
    expect(new Set(breaches.map((x) => x.e.complaint.id)).size).toBe(1000);
    for (const { e } of breaches) expect(Date.parse(e.at)).toBe(Date.parse(e.dueAt) + 1);
  });

  it('fires at the right moment under fake timers with the system clock', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-02T09:00:00Z') });
    const store = memoryStore();
    const crm = createCrm({ store, clock: systemClock, slaPolicies: [STANDARD] });
    const seen: { at: string; now: number }[] = [];
    crm.on('sla.breached', (e) => seen.push({ at: e.at, now: Date.now() }));
    await crm.sla.start();
    const customer = await crm.customers.create({ name: 'Ana' });
    await crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'chat', priority: 'urgent' });
    await vi.advanceTimersByTimeAsync(30 * MIN);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([{ at: '2026-03-02T09:30:00.001Z', now: Date.parse('2026-03-02T09:30:00.001Z') }]);
    await crm.close();
  });

  it('after a restart, emits what was missed while down, once', async () => {
    const { crm, clock, store, events } = env();
    await crm.sla.start();
    const c = await open(crm, 'urgent');
    await settle();
    crm.sla.stop(); // the process goes down at 09:00
    clock.set('2026-03-03T12:00:00Z');
    await settle();
    expect(events).toEqual([]);

    const restarted = createCrm({ store, clock, staff: STAFF, slaPolicies: [STANDARD] });
    const seen: string[] = [];
    for (const name of ['sla.warning', 'sla.breached', 'sla.met'] as const)
      restarted.on(name, (e) => seen.push(`${name} ${e.target} ${e.at}`));
    await restarted.sla.start();
    await settle();
    expect(seen).toEqual([
      'sla.warning firstResponse 2026-03-02T09:24:00.000Z',
      'sla.breached firstResponse 2026-03-02T09:30:00.001Z',
      'sla.warning resolution 2026-03-02T12:12:00.000Z',
      'sla.breached resolution 2026-03-02T13:00:00.001Z',
    ]);
    restarted.sla.stop();

    const again = createCrm({ store, clock, slaPolicies: [STANDARD] });
    let count = 0;
    again.on('sla.breached', () => count++);
    again.on('sla.warning', () => count++);
    await again.sla.start();
    await settle();
    expect(count).toBe(0);
    expect((await again.complaints.get(c.id)).activity.filter((e) => e.type === 'sla')).toHaveLength(4);
  });

  it('escalates a breach: raises the priority, hands off with the reason, calls the function', async () => {
    const called: SlaEvent[] = [];
    const policy: SlaPolicyInput = {
      ...STANDARD,
      targets: { ...STANDARD.targets, high: { firstResponse: 60 } },
      onBreach: { targets: ['firstResponse'], raisePriority: true, reassignTo: 'lead', call: (e) => void called.push(e) },
    };
    const { crm, clock } = env([policy]);
    await crm.sla.start();
    const c = await open(crm, 'normal');
    clock.advance(2 * HOUR + 1);
    await settle();
    const after = await crm.complaints.get(c.id);
    expect(after).toMatchObject({ priority: 'high', ownerId: 'lead' });
    const [sla, raised, handoff] = after.activity.slice(-3);
    expect(sla).toMatchObject({ type: 'sla', event: 'breached', target: 'firstResponse' });
    expect(raised).toMatchObject({
      type: 'priority_changed',
      from: 'normal',
      to: 'high',
      reason: 'SLA firstResponse target breached (due 2026-03-02T11:00:00.000Z)',
    });
    expect(handoff).toMatchObject({ type: 'assigned', from: 'sam', to: 'lead', reason: expect.stringContaining('escalated') });
    expect(called.map((e) => e.target)).toEqual(['firstResponse']);
    // The hand-off is in the customer's history like any other.
    const history = await crm.history(c.customerId);
    expect(history.items.some((i) => i.type === 'complaint_activity' && i.activity.type === 'assigned' && i.activity.to === 'lead')).toBe(
      true,
    );
  });

  it('sends an escalation function error to the error event, and still records the breach', async () => {
    const policy: SlaPolicyInput = {
      ...STANDARD,
      onBreach: {
        call: () => {
          throw new Error('pager down');
        },
      },
    };
    const { crm, clock } = env([policy]);
    const errors: unknown[] = [];
    crm.on('error', ({ error }) => errors.push(error));
    await crm.sla.start();
    const c = await open(crm, 'urgent');
    clock.advance(HOUR);
    await settle();
    expect(errors.map(String)).toContain('Error: pager down');
    expect((await crm.complaints.get(c.id)).activity.some((e) => e.type === 'sla' && e.event === 'breached')).toBe(true);
  });

  it('emits each crossing once in total when two processes share the store', async () => {
    const { crm, clock, store } = env();
    const second = createCrm({ store, clock, staff: STAFF, slaPolicies: [STANDARD] });
    const seen: string[] = [];
    for (const c of [crm, second])
      for (const name of ['sla.warning', 'sla.breached'] as const) c.on(name, (e) => seen.push(`${name} ${e.complaint.id} ${e.target}`));
    await Promise.all([crm.sla.start(), second.sla.start()]);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await open(crm, i % 2 ? 'urgent' : 'normal')).id);
    for (let i = 0; i < 3 * 24; i++) {
      clock.advance(HOUR);
      await Promise.all([crm.sla.idle(), second.sla.idle()]);
    }
    // Per complaint: warning and breach of the first response and of the resolution, once each.
    expect(seen).toHaveLength(20 * 4);
    expect(new Set(seen).size).toBe(20 * 4);
    for (const id of ids) expect((await crm.complaints.get(id)).activity.filter((e) => e.type === 'sla')).toHaveLength(4);
  });

  it('stops planning a complaint once it is closed, and follows a reopened one again', async () => {
    const { crm, clock, events } = env();
    await crm.sla.start();
    const c = await open(crm);
    await crm.complaints.respond(c.id, {});
    await crm.complaints.resolve(c.id);
    await crm.sla.idle();
    expect(events.map((x) => `${x.name} ${x.e.target}`)).toEqual(['sla.met firstResponse', 'sla.met resolution']);
    await crm.complaints.setStatus(c.id, 'closed');
    await crm.sla.idle();
    expect(crm.sla.tracked).toBe(0);
    clock.advance(30 * 24 * HOUR);
    await crm.sla.idle();
    expect(events).toHaveLength(2);
  });
});

describe('manualClock timers', () => {
  it('fires due timers in time order as the clock moves, each at its instant, and can cancel', () => {
    const clock = manualClock('2026-03-02T09:00:00Z');
    const fired: string[] = [];
    clock.setTimer(new Date('2026-03-02T09:05:00Z'), () => fired.push(`b ${clock.now().toISOString()}`));
    clock.setTimer(new Date('2026-03-02T09:01:00Z'), () => fired.push(`a ${clock.now().toISOString()}`));
    const cancel = clock.setTimer(new Date('2026-03-02T09:03:00Z'), () => fired.push('cancelled'));
    clock.setTimer(new Date('2026-03-02T10:00:00Z'), () => fired.push('later'));
    cancel();
    expect(clock.pendingTimers).toBe(3);
    clock.advance(10 * MIN);
    expect(fired).toEqual(['a 2026-03-02T09:01:00.000Z', 'b 2026-03-02T09:05:00.000Z']);
    expect(clock.now().toISOString()).toBe('2026-03-02T09:10:00.000Z');
    expect(clock.pendingTimers).toBe(1);
    clock.set('2026-03-02T09:00:00Z'); // backwards: nothing fires
    expect(fired).toHaveLength(2);
  });
});
