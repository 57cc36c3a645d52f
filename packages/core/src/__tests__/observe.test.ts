import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCrm, type Crm } from '../crm.js';
import { manualClock } from '../clock/clock.js';
import { CrmNotFoundError } from '../errors/index.js';
import { ulidGenerator } from '../ids/ulid.js';
import { memoryStore } from '../store/memoryStore.js';
import type { CrmStore, WriteOp } from '../store/types.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
// Through the public entry, as an app imports them.
import {
  ComplaintListObserver,
  ComplaintObserver,
  CustomerObserver,
  HealthObserver,
  HistoryObserver,
  KpisObserver,
  SlaStatusObserver,
  createNotifyManager,
  observerClient,
  type ObserverSnapshot,
  type SnapshotSource,
} from '../index.js';
import { setup } from './helpers.js';

/** Lets reads (all microtasks on a memory store) and notifications finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A memory store that counts subscriptions to it. */
function countingStore() {
  const base = memoryStore();
  const counts = { subscribe: 0, unsubscribe: 0 };
  const store: CrmStore = {
    ...base,
    subscribe(listener) {
      counts.subscribe++;
      const off = base.subscribe!(listener);
      return () => {
        counts.unsubscribe++;
        off();
      };
    },
  };
  return { store, counts };
}

/** Any observer, whatever its data. */
type AnyObserver = SnapshotSource<ObserverSnapshot<unknown>> & { readonly active: boolean };

/** Subscribes and records each call's snapshot. */
function listen<S>(observer: SnapshotSource<S>) {
  const calls: S[] = [];
  const stop = observer.subscribe((snapshot) => calls.push(snapshot));
  return { calls, stop };
}

/** A touchpoint record like one logged at `occurredAt`, written to the store directly, as another process would. */
function touchpointRecord(template: Touchpoint, id: string, occurredAt: string): Touchpoint {
  return { ...template, id, occurredAt, version: 1, subject: `from elsewhere ${id.slice(-4)}` };
}

/** Every page of a customer's history, as a reload would read it. */
async function wholeHistory(crm: Crm, customerId: string) {
  const items = [];
  let cursor: string | null = null;
  do {
    const page = await crm.history(customerId, { limit: 500, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const newIds = ulidGenerator(() => Date.parse('2026-03-02T10:00:00Z'));

afterEach(() => {
  vi.useRealTimers();
});

describe('observers: batching', () => {
  async function world() {
    const { crm, clock, store } = setup();
    const alice = await crm.customers.create({ name: 'Alice' });
    const bob = await crm.customers.create({ name: 'Bob' });
    const complaint = await crm.complaints.open({ customerId: alice.id, subject: 'Late parcel', channel: 'email', ownerId: 'sam' });
    const observers = {
      customer: new CustomerObserver(crm, alice.id),
      complaint: new ComplaintObserver(crm, complaint.id),
      history: new HistoryObserver(crm, alice.id, { limit: 20 }),
      otherHistory: new HistoryObserver(crm, bob.id),
      queue: new ComplaintListObserver(crm, { status: ['new', 'open'] }),
      health: new HealthObserver(crm, alice.id, { refreshDelayMs: 0 }),
      kpis: new KpisObserver(crm, { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' }, { refreshDelayMs: 0 }),
    };
    const wakes: Record<string, number> = {};
    for (const [name, observer] of Object.entries(observers)) {
      wakes[name] = 0;
      (observer as AnyObserver).subscribe(() => wakes[name]!++);
    }
    await settle();
    for (const name of Object.keys(wakes)) {
      expect((observers as Record<string, AnyObserver>)[name]!.getSnapshot().status, name).toBe('success');
      wakes[name] = 0;
    }
    return { crm, clock, store, alice, bob, complaint, observers, wakes };
  }

  it('a write of 500 touchpoints (crm.touchpoints.logMany) wakes each observer it concerns once, and no other', async () => {
    const { crm, alice, observers, wakes } = await world();
    const inputs = Array.from({ length: 500 }, (_, i) => ({
      customerId: alice.id,
      channel: 'call' as const,
      direction: 'inbound' as const,
      subject: `call ${i}`,
    }));
    await crm.touchpoints.logMany(inputs);
    await settle();
    await settle();
    expect(wakes).toEqual({ customer: 0, complaint: 0, history: 1, otherHistory: 0, queue: 0, health: 1, kpis: 1 });
    // The history held everything there was (no next page), so all 500 are in it, newest first.
    const items = observers.history.getSnapshot().data!;
    expect(items).toHaveLength(502); // and the complaint's "opened" and "assigned" entries
    expect(items.filter((i) => i.type === 'touchpoint')).toHaveLength(500);
    expect(items).toEqual(await wholeHistory(crm, alice.id));
  });

  it('a raw crm.store.write of 500 ops wakes each observer once', async () => {
    const { crm, alice, complaint, observers, wakes } = await world();
    const template = await crm.touchpoints.log({ customerId: alice.id, channel: 'call', direction: 'inbound' });
    await settle();
    for (const name of Object.keys(wakes)) wakes[name] = 0;
    const ops: WriteOp[] = Array.from({ length: 499 }, (_, i) => ({
      type: 'create',
      entity: 'touchpoints',
      record: touchpointRecord(template, newIds(), `2026-03-02T09:${String(i % 60).padStart(2, '0')}:00.000Z`),
    }));
    // And the complaint moves to `open`, in the same atomic write.
    const current = await crm.complaints.get(complaint.id);
    ops.push({
      type: 'update',
      entity: 'complaints',
      expectedVersion: current.version,
      record: { ...current, status: 'open', version: current.version + 1 },
    });
    await crm.store.write(ops);
    await settle();
    await settle();
    expect(wakes).toEqual({ customer: 0, complaint: 1, history: 1, otherHistory: 0, queue: 1, health: 1, kpis: 1 });
    expect(observers.complaint.getSnapshot().data!.status).toBe('open');
    expect(observers.queue.getSnapshot().data!.map((c) => [c.id, c.status])).toEqual([[complaint.id, 'open']]);
  });
});

describe('observers: stable snapshots', () => {
  it('give the same object until a relevant change, also to the server snapshot', async () => {
    const { crm } = setup();
    const alice = await crm.customers.create({ name: 'Alice' });
    const bob = await crm.customers.create({ name: 'Bob' });
    const observer = new CustomerObserver(crm, alice.id);
    const first = observer.getSnapshot();
    expect(observer.getSnapshot()).toBe(first);
    expect(first).toMatchObject({ status: 'loading', data: undefined, error: null });
    const { calls } = listen(observer);
    await settle();
    const loaded = observer.getSnapshot();
    expect(loaded).toMatchObject({ status: 'success', data: alice, isFetching: false });
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(observer.getSnapshot()).toBe(loaded);
    expect(observer.getServerSnapshot()).toBe(loaded);
    const wakes = calls.length;

    // Unrelated writes: another customer, a touchpoint of hers (the customer record is the same).
    await crm.customers.update(bob.id, { name: 'Robert' });
    await crm.touchpoints.log({ customerId: alice.id, channel: 'call', direction: 'inbound' });
    await settle();
    expect(observer.getSnapshot()).toBe(loaded);
    expect(calls).toHaveLength(wakes);

    const updated = await crm.customers.update(alice.id, { name: 'Alice Tan' });
    await settle();
    const next = observer.getSnapshot();
    expect(next).not.toBe(loaded);
    expect(next.data).toEqual(updated);
    expect(observer.getSnapshot()).toBe(next);
    expect(calls).toHaveLength(wakes + 1);
    expect(calls[calls.length - 1]).toBe(next);
  });

  it('keep the history items that did not change as the same objects', async () => {
    const { crm, clock } = setup();
    const alice = await crm.customers.create({ name: 'Alice' });
    const bob = await crm.customers.create({ name: 'Bob' });
    await crm.touchpoints.log({ customerId: alice.id, channel: 'call', direction: 'inbound' });
    const history = new HistoryObserver(crm, alice.id);
    listen(history);
    await settle();
    const before = history.getSnapshot();
    await crm.touchpoints.log({ customerId: bob.id, channel: 'call', direction: 'inbound' });
    await settle();
    expect(history.getSnapshot()).toBe(before);
    clock.advance(60_000);
    await crm.touchpoints.log({ customerId: alice.id, channel: 'email', direction: 'outbound' });
    await settle();
    const after = history.getSnapshot();
    expect(after).not.toBe(before);
    expect(after.data).toHaveLength(2);
    expect(after.data![1]).toBe(before.data![0]);
  });
});

describe('HistoryObserver', () => {
  it('shows a touchpoint written from elsewhere (crm.store.write) at the top, without a reload', async () => {
    const { crm, clock } = setup();
    const alice = await crm.customers.create({ name: 'Alice' });
    const template = await crm.touchpoints.log({ customerId: alice.id, channel: 'call', direction: 'inbound' });
    const history = new HistoryObserver(crm, alice.id);
    const historySpy = vi.spyOn(crm, 'history');
    listen(history);
    await settle();
    expect(historySpy).toHaveBeenCalledTimes(1);
    clock.advance(5 * 60_000);
    const record = touchpointRecord(template, newIds(), clock.now().toISOString());
    await crm.store.write([{ type: 'create', entity: 'touchpoints', record }], { origin: 'sync:hubspot' });
    await settle();
    const items = history.getSnapshot().data!;
    expect(items.map((i) => i.id)).toEqual([record.id, template.id]);
    expect(items[0]).toEqual({ type: 'touchpoint', id: record.id, at: record.occurredAt, touchpoint: record });
    expect(historySpy).toHaveBeenCalledTimes(1); // patched, not read again
    // What a reload would show.
    expect(items).toEqual((await crm.history(alice.id)).items);
  });

  it('shows new complaint activity at the top and each complaint as it is now', async () => {
    const { crm, clock } = setup();
    const alice = await crm.customers.create({ name: 'Alice' });
    const complaint = await crm.complaints.open({ customerId: alice.id, subject: 'Billing', channel: 'email', ownerId: 'sam' });
    const history = new HistoryObserver(crm, alice.id);
    listen(history);
    await settle();
    expect(history.getSnapshot().data!.map((i) => i.type === 'complaint_activity' && i.activity.type)).toEqual(['assigned', 'opened']);
    clock.advance(60_000);
    await crm.complaints.respond(complaint.id, { actorId: 'sam', message: 'Looking into it' });
    clock.advance(60_000);
    await crm.complaints.setStatus(complaint.id, 'pending_customer', { actorId: 'sam' });
    await settle();
    const items = history.getSnapshot().data!;
    expect(items).toEqual((await crm.history(alice.id)).items);
    expect(items[0]).toMatchObject({ type: 'complaint_activity', complaint: { id: complaint.id, status: 'pending_customer' } });
    expect(items.every((i) => i.type === 'complaint_activity' && i.complaint.status === 'pending_customer')).toBe(true);
  });

  it('pages with fetchNextPage, and places live items only within the pages read', async () => {
    const { crm, clock } = setup();
    const alice = await crm.customers.create({ name: 'Alice' });
    for (let i = 0; i < 25; i++) {
      clock.advance(1000);
      await crm.touchpoints.log({ customerId: alice.id, channel: 'call', direction: 'inbound', subject: `#${i}` });
    }
    const history = new HistoryObserver(crm, alice.id, { limit: 10 });
    listen(history);
    await settle();
    expect(history.getSnapshot()).toMatchObject({ hasNextPage: true, isFetchingNextPage: false });
    expect(history.getSnapshot().data).toHaveLength(10);
    const fetching = history.fetchNextPage();
    expect(history.getSnapshot().isFetchingNextPage).toBe(true);
    await fetching;
    expect(history.getSnapshot()).toMatchObject({ hasNextPage: true, isFetchingNextPage: false });
    expect(history.getSnapshot().data).toHaveLength(20);
    // Older than anything read: it waits for its page. Newer: at the top.
    const old = await crm.touchpoints.log({
      customerId: alice.id,
      channel: 'letter',
      direction: 'outbound',
      occurredAt: '2026-01-01T00:00:00Z',
    });
    clock.advance(1000);
    const fresh = await crm.touchpoints.log({ customerId: alice.id, channel: 'chat', direction: 'inbound' });
    await settle();
    let items = history.getSnapshot().data!;
    expect(items).toHaveLength(21);
    expect(items[0]!.id).toBe(fresh.id);
    expect(items.some((i) => i.id === old.id)).toBe(false);
    await history.fetchNextPage();
    items = history.getSnapshot().data!;
    expect(history.getSnapshot().hasNextPage).toBe(false);
    expect(items).toHaveLength(27);
    expect(items[26]!.id).toBe(old.id);
    expect(new Set(items.map((i) => i.id)).size).toBe(27);
    expect(await history.fetchNextPage()).toBe(history.getSnapshot()); // nothing more: same snapshot
  });

  it('follows the channel filter, and turns into an error when the customer is erased', async () => {
    const { crm } = setup();
    const alice = await crm.customers.create({ name: 'Alice', emails: ['alice@example.com'] });
    const history = new HistoryObserver(crm, alice.id, { channels: ['email'] });
    const customer = new CustomerObserver(crm, alice.id);
    listen(history);
    listen(customer);
    await settle();
    await crm.touchpoints.log({ customerId: alice.id, channel: 'call', direction: 'inbound' });
    const email = await crm.touchpoints.log({ customerId: alice.id, channel: 'email', direction: 'inbound' });
    await settle();
    expect(history.getSnapshot().data!.map((i) => i.id)).toEqual([email.id]);
    await crm.customers.erase(alice.id, { reason: 'request #1' });
    await settle();
    expect(history.getSnapshot()).toMatchObject({ status: 'error', data: undefined });
    expect(history.getSnapshot().error).toBeInstanceOf(CrmNotFoundError);
    expect(customer.getSnapshot()).toMatchObject({ status: 'error', data: undefined });
    expect(customer.getSnapshot().error).toBeInstanceOf(CrmNotFoundError);
  });
});

describe('ComplaintListObserver', () => {
  it('keeps a queue in step with complaints changing anywhere', async () => {
    const { crm, clock } = setup();
    const alice = await crm.customers.create({ name: 'Alice' });
    const first = await crm.complaints.open({ customerId: alice.id, subject: 'One', channel: 'email', ownerId: 'sam' });
    const queue = new ComplaintListObserver(crm, { status: ['new', 'open', 'reopened'] });
    const listSpy = vi.spyOn(crm.complaints, 'list');
    listen(queue);
    await settle();
    expect(queue.getSnapshot().data!.map((c) => c.id)).toEqual([first.id]);
    clock.advance(1000);
    const second = await crm.complaints.open({ customerId: alice.id, subject: 'Two', channel: 'call', ownerId: 'sam' });
    await settle();
    expect(queue.getSnapshot().data!.map((c) => c.id)).toEqual([second.id, first.id]);
    await crm.complaints.resolve(first.id, { actorId: 'sam', note: 'Refunded' });
    await settle();
    expect(queue.getSnapshot().data!.map((c) => c.id)).toEqual([second.id]);
    await crm.complaints.reopen(first.id, { actorId: 'sam', reason: 'Not fixed' });
    await settle();
    const data = queue.getSnapshot().data!;
    expect(data.map((c) => [c.id, c.status])).toEqual([
      [second.id, 'new'],
      [first.id, 'reopened'],
    ]);
    expect(data).toEqual((await crm.complaints.list({ status: ['new', 'open', 'reopened'] })).items);
    expect(listSpy).toHaveBeenCalledTimes(2); // the first read, and the comparison just made
  });
});

describe('observers: one store subscription', () => {
  it('all observers of a CRM share one store subscription, closed when the last listener leaves', async () => {
    const { store, counts } = countingStore();
    const clock = manualClock('2026-03-02T09:00:00Z');
    const crm = createCrm({ store, clock });
    const alice = await crm.customers.create({ name: 'Alice' });
    const complaint = await crm.complaints.open({ customerId: alice.id, subject: 'x', channel: 'email', ownerId: 'sam' });
    const observers: AnyObserver[] = [
      new CustomerObserver(crm, alice.id),
      new ComplaintObserver(crm, complaint.id),
      new HistoryObserver(crm, alice.id),
      new ComplaintListObserver(crm, { status: 'new' }),
      new SlaStatusObserver(crm, complaint.id),
      new KpisObserver(crm, { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' }),
      new HealthObserver(crm, alice.id),
    ];
    expect(counts.subscribe).toBe(0);
    const crmSubscribe = vi.spyOn(crm, 'subscribe');
    const stops = observers.flatMap((o) => [o.subscribe(() => {}), o.subscribe(() => {})]);
    await settle();
    expect(counts.subscribe).toBe(1);
    // One listener on the CRM's feed for all of them (not one per observer that the CRM then merges).
    expect(crmSubscribe).toHaveBeenCalledTimes(1);
    const client = observerClient(crm);
    expect(client.subscribed).toBe(true);
    expect(client.watchers).toBe(7);
    for (const stop of stops.slice(1)) stop();
    expect(counts.unsubscribe).toBe(0);
    stops[0]!();
    expect(counts).toEqual({ subscribe: 1, unsubscribe: 1 });
    expect(client.subscribed).toBe(false);
    expect(observers.every((o) => !o.active)).toBe(true);

    // Stopped observers hear nothing and don't change.
    const snapshot = observers[0]!.getSnapshot();
    await crm.customers.update(alice.id, { name: 'Alice Tan' });
    await settle();
    expect(observers[0]!.getSnapshot()).toBe(snapshot);

    // A second CRM has its own client and subscription.
    const other = countingStore();
    const crm2 = createCrm({ store: other.store, clock });
    expect(observerClient(crm2)).not.toBe(client);
    const bob = await crm2.customers.create({ name: 'Bob' });
    const stop2 = new CustomerObserver(crm2, bob.id).subscribe(() => {});
    expect(other.counts.subscribe).toBe(1);
    expect(counts.subscribe).toBe(1);
    stop2();
    expect(other.counts.unsubscribe).toBe(1);
  });

  it('reads again when subscribed again after stopping, and destroy() stops too', async () => {
    const { store, counts } = countingStore();
    const crm = createCrm({ store });
    const alice = await crm.customers.create({ name: 'Alice' });
    const observer = new CustomerObserver(crm, alice.id);
    const stop = observer.subscribe(() => {});
    await settle();
    stop();
    await crm.customers.update(alice.id, { name: 'Alice Tan' });
    expect(observer.getSnapshot().data!.name).toBe('Alice');
    const { calls } = listen(observer);
    await settle();
    expect(observer.getSnapshot().data!.name).toBe('Alice Tan');
    expect(calls.length).toBeGreaterThan(0);
    expect(counts.subscribe).toBe(2);
    observer.destroy();
    expect(observer.hasListeners()).toBe(false);
    expect(counts.unsubscribe).toBe(2);
  });
});

describe('observers: a feed without records', () => {
  it('read again when a change comes without its record (as a remote client may deliver it)', async () => {
    const { crm: local } = setup();
    const bare: Crm = {
      ...local,
      subscribe: (listener) => local.subscribe((changes) => listener(changes.map(({ record: _record, ...change }) => change as never))),
    };
    const alice = await bare.customers.create({ name: 'Alice' });
    const customer = new CustomerObserver(bare, alice.id);
    const history = new HistoryObserver(bare, alice.id);
    listen(customer);
    listen(history);
    await settle();
    await bare.customers.update(alice.id, { name: 'Alice Tan' });
    const touchpoint = await bare.touchpoints.log({ customerId: alice.id, channel: 'call', direction: 'inbound' });
    await settle();
    await settle();
    expect(customer.getSnapshot().data!.name).toBe('Alice Tan');
    expect(history.getSnapshot().data!.map((i) => i.id)).toEqual([touchpoint.id]);
  });
});

describe('observers: server rendering', () => {
  it('work without a window: the server snapshot is the same function, and refetch() reads without subscribing', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const { store, counts } = countingStore();
    const crm = createCrm({ store });
    const alice = await crm.customers.create({ name: 'Alice' });
    const observer = new HistoryObserver(crm, alice.id);
    expect(observer.getServerSnapshot).toBe(observer.getSnapshot);
    expect(observer.getServerSnapshot()).toMatchObject({ status: 'loading', data: undefined, hasNextPage: false });
    const snapshot = await observer.refetch();
    expect(snapshot).toMatchObject({ status: 'success', data: [], isFetching: false });
    expect(observer.getServerSnapshot()).toBe(snapshot);
    expect(counts.subscribe).toBe(0);
  });
});

describe('observers: errors and options', () => {
  it('shows a failed read as an error snapshot', async () => {
    const { crm } = setup();
    const observer = new CustomerObserver(crm, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    listen(observer);
    await settle();
    expect(observer.getSnapshot()).toMatchObject({ status: 'error', data: undefined, isFetching: false });
    expect(observer.getSnapshot().error).toBeInstanceOf(CrmNotFoundError);
  });

  it('a listener that throws does not keep the others from hearing', async () => {
    const onError = vi.fn();
    const { crm } = setup();
    observerClient(crm, { onError, notifyManager: createNotifyManager({ onError }) });
    const alice = await crm.customers.create({ name: 'Alice' });
    const observer = new CustomerObserver(crm, alice.id);
    observer.subscribe(() => {
      throw new Error('widget bug');
    });
    const { calls } = listen(observer);
    await settle();
    expect(calls.at(-1)!.status).toBe('success');
    expect(onError).toHaveBeenCalledWith(new Error('widget bug'));
  });

  it('takes client options only before the client exists', () => {
    const { crm } = setup();
    observerClient(crm);
    expect(() => observerClient(crm, { timers: { setTimeout: () => 0, clearTimeout: () => {} } })).toThrow(
      'observerClient: this CRM already has an observer client; pass its options on the first call, before any observer is made',
    );
    expect(() => observerClient({} as Crm)).toThrow('observe: expected a Crm');
    expect(
      () => new KpisObserver(crm, { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' }, { refreshDelayMs: -1 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[CrmValidationError: Invalid KpisObserver options: refreshDelayMs: must be a number of milliseconds, 0 or more]`,
    );
  });
});

describe('KpisObserver and HealthObserver', () => {
  it('fold a burst of changes into one read, after the delay (fake timers)', async () => {
    vi.useFakeTimers();
    const { crm } = setup();
    const alice = await crm.customers.create({ name: 'Alice' });
    const kpis = new KpisObserver(crm, { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' });
    const health = new HealthObserver(crm, alice.id);
    const kpiSpy = vi.spyOn(crm, 'kpis');
    const healthSpy = vi.spyOn(crm, 'health');
    listen(kpis);
    const healthCalls = listen(health).calls;
    await vi.advanceTimersByTimeAsync(0);
    expect(kpiSpy).toHaveBeenCalledTimes(1);
    expect(healthSpy).toHaveBeenCalledTimes(1);
    expect(kpis.getSnapshot().data!.kpis).toBeDefined();
    expect(health.getSnapshot().data!.level).toBe('healthy');

    const complaint = await crm.complaints.open({ customerId: alice.id, subject: 'Broken', channel: 'email', ownerId: 'sam' });
    await crm.complaints.respond(complaint.id, { actorId: 'sam', message: 'On it' });
    await crm.touchpoints.log({ customerId: alice.id, channel: 'call', direction: 'inbound', outcome: 'complaint' });
    await vi.advanceTimersByTimeAsync(249);
    expect(kpiSpy).toHaveBeenCalledTimes(1);
    expect(healthSpy).toHaveBeenCalledTimes(1);
    const wakes = healthCalls.length;
    const before = health.getSnapshot();
    await vi.advanceTimersByTimeAsync(1);
    expect(kpiSpy).toHaveBeenCalledTimes(2);
    expect(healthSpy).toHaveBeenCalledTimes(2);
    expect(health.getSnapshot().data).toEqual(await crm.health(alice.id));
    expect(health.getSnapshot().data!.reasons.length).toBeGreaterThan(before.data!.reasons.length);
    expect(healthCalls).toHaveLength(wakes + 1); // a background refresh wakes once
    expect(kpis.getSnapshot().data).toEqual(await crm.kpis({ from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' }));
  });
});
