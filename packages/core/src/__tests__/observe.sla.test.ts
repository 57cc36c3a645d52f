import { afterEach, describe, expect, it, vi } from 'vitest';
import { OFFICE_HOURS } from './helpers.js';
import { createCrm, type Crm } from '../crm.js';
import { manualClock } from '../clock/clock.js';
import type { SlaPolicyInput } from '../schemas/slaPolicy.js';
import { memoryStore } from '../store/memoryStore.js';
import { SlaStatusObserver, type SlaStatusSnapshot } from '../index.js';

const MIN = 60_000;


const STANDARD: SlaPolicyInput = {
  id: 'standard',
  name: 'Standard',
  calendar: OFFICE_HOURS,
  // The warning comes at 80% of a target: minute 96 of 120.
  targets: { normal: { firstResponse: 'PT2H', resolution: 'PT16H' } },
};

/** Lets promise chains (memory store reads) and the notifications' microtask run, timers faked or not. */
async function flush() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

async function env(start: string, clock: 'manual' | 'system' = 'manual') {
  const manual = manualClock(start);
  const crm = createCrm({ store: memoryStore(), slaPolicies: [STANDARD], ...(clock === 'manual' ? { clock: manual } : {}) });
  const customer = await crm.customers.create({ name: 'Nur Aisyah' });
  const complaint = await crm.complaints.open({ customerId: customer.id, subject: 'Bil salah', channel: 'email', ownerId: 'sam' });
  const observer = new SlaStatusObserver(crm, complaint.id);
  const calls: SlaStatusSnapshot[] = [];
  const stop = observer.subscribe((snapshot) => calls.push(snapshot));
  await flush();
  expect(observer.getSnapshot().status).toBe('success');
  calls.length = 0;
  return { crm, clock: manual, complaint, observer, calls, stop };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SlaStatusObserver', () => {
  it('notifies when the displayed minute or the state changes, not on every tick (manual clock, fake timers)', async () => {
    vi.useFakeTimers();
    const { crm, clock, complaint, observer, calls, stop } = await env('2026-03-02T09:00:00Z');
    expect(observer.getSnapshot().display).toEqual({
      firstResponse: { state: 'running', elapsedMinutes: 0, remainingMinutes: 120 },
      resolution: { state: 'running', elapsedMinutes: 0, remainingMinutes: 960 },
    });
    expect(observer.getSnapshot().data!.targets.firstResponse!.state).toBe('running');
    // One timer, on the CRM's clock (a manual clock fires it as it moves): no real timer at all.
    expect(clock.pendingTimers).toBe(1);
    expect(vi.getTimerCount()).toBe(0);

    const start = observer.getSnapshot();
    clock.advance(30_000);
    await flush();
    clock.advance(29_999);
    await flush();
    expect(calls).toHaveLength(0);
    expect(observer.getSnapshot()).toBe(start);
    clock.advance(1); // 09:01:00.000
    await flush();
    expect(calls).toHaveLength(1);
    expect(observer.getSnapshot().display.firstResponse).toEqual({ state: 'running', elapsedMinutes: 1, remainingMinutes: 119 });
    expect(calls[0]).toBe(observer.getSnapshot());

    // Many minutes at once: the listeners hear the end, once.
    clock.advance(59 * MIN); // 10:00
    await flush();
    expect(calls).toHaveLength(2);
    expect(observer.getSnapshot().display.firstResponse).toEqual({ state: 'running', elapsedMinutes: 60, remainingMinutes: 60 });

    clock.set('2026-03-02T10:35:59.999Z');
    await flush();
    expect(observer.getSnapshot().display.firstResponse).toEqual({ state: 'running', elapsedMinutes: 95, remainingMinutes: 25 });
    clock.advance(1); // 10:36: the warning
    await flush();
    expect(observer.getSnapshot().display.firstResponse).toEqual({ state: 'warning', elapsedMinutes: 96, remainingMinutes: 24 });

    clock.set('2026-03-02T11:00:00.000Z');
    await flush();
    expect(observer.getSnapshot().display.firstResponse!.state).toBe('warning');
    clock.advance(1); // breached from the first millisecond after it was due
    await flush();
    expect(observer.getSnapshot().display.firstResponse).toEqual({ state: 'breached', elapsedMinutes: 120, remainingMinutes: 0 });
    clock.advance(MIN);
    await flush();
    expect(observer.getSnapshot().display.firstResponse).toEqual({ state: 'breached', elapsedMinutes: 121, remainingMinutes: -1 });

    // A write changes the complaint: the observer follows at once.
    const count = calls.length;
    await crm.complaints.respond(complaint.id, { actorId: 'sam', message: 'Maaf atas kelewatan' });
    await flush();
    expect(calls).toHaveLength(count + 1);
    expect(observer.getSnapshot().display.firstResponse!.state).toBe('missed');
    expect(observer.getSnapshot().display.resolution!.state).toBe('running');

    // Every clock paused: no timer, nothing to tell.
    await crm.complaints.setStatus(complaint.id, 'pending_customer', { actorId: 'sam' });
    await flush();
    expect(observer.getSnapshot().display.resolution!.state).toBe('paused');
    expect(clock.pendingTimers).toBe(0);
    const paused = observer.getSnapshot();
    clock.advance(60 * MIN);
    await flush();
    expect(observer.getSnapshot()).toBe(paused);

    await crm.complaints.setStatus(complaint.id, 'open', { actorId: 'sam' });
    await flush();
    expect(clock.pendingTimers).toBe(1);
    stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('stays quiet while the calendar is closed, and ticks again when it opens', async () => {
    const { clock, observer, calls } = await env('2026-03-06T16:58:00Z'); // a Friday
    clock.advance(MIN);
    await flush();
    clock.advance(MIN); // 17:00: closed
    await flush();
    expect(calls.map((s) => s.display.firstResponse!.elapsedMinutes)).toEqual([1, 2]);
    clock.set('2026-03-09T09:00:00Z'); // Monday morning
    await flush();
    expect(calls).toHaveLength(2);
    clock.advance(MIN);
    await flush();
    expect(calls).toHaveLength(3);
    expect(observer.getSnapshot().display.firstResponse).toEqual({ state: 'running', elapsedMinutes: 3, remainingMinutes: 117 });
  });

  it('uses the timers when the clock has no setTimer (system clock, fake timers)', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-03-02T09:00:00Z'));
    const { observer, calls, stop } = await env('2026-03-02T09:00:00Z', 'system');
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(MIN - 1);
    await flush();
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(1);
    await flush();
    expect(calls).toHaveLength(1);
    expect(observer.getSnapshot().display.firstResponse).toEqual({ state: 'running', elapsedMinutes: 1, remainingMinutes: 119 });
    vi.advanceTimersByTime(10 * MIN);
    await flush();
    expect(calls).toHaveLength(2); // the listener hears the latest, once per flush
    expect(observer.getSnapshot().display.firstResponse!.elapsedMinutes).toBe(11);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('asks crm.sla.status when the client cannot work the status out itself (as a remote client may)', async () => {
    const clock = manualClock('2026-03-02T09:00:00Z');
    const local = createCrm({ clock, slaPolicies: [STANDARD] });
    const status = vi.fn(local.sla.status);
    const remoteLike: Crm = {
      ...local,
      sla: {
        ...local.sla,
        status,
        statusOf() {
          throw new Error('the policies are on the server');
        },
      },
    };
    const customer = await remoteLike.customers.create({ name: 'Nur Aisyah' });
    const complaint = await remoteLike.complaints.open({ customerId: customer.id, subject: 'Bil salah', channel: 'email', ownerId: 'sam' });
    const observer = new SlaStatusObserver(remoteLike, complaint.id);
    const calls: SlaStatusSnapshot[] = [];
    observer.subscribe((snapshot) => calls.push(snapshot));
    await flush();
    expect(observer.getSnapshot().display.firstResponse).toEqual({ state: 'running', elapsedMinutes: 0, remainingMinutes: 120 });
    clock.advance(MIN);
    await flush();
    expect(observer.getSnapshot().display.firstResponse).toEqual({ state: 'running', elapsedMinutes: 1, remainingMinutes: 119 });
    expect(status).toHaveBeenCalledTimes(2);
  });

  it('turns into an error when the complaint does not exist', async () => {
    const crm = createCrm({ slaPolicies: [STANDARD] });
    const observer = new SlaStatusObserver(crm, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    observer.subscribe(() => {});
    await flush();
    expect(observer.getSnapshot()).toMatchObject({ status: 'error', data: undefined, display: {} });
    expect(observer.getSnapshot().error!.name).toBe('CrmNotFoundError');
  });
});
