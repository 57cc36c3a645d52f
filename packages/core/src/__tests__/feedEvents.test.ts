import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCrm } from '../crm.js';
import { memoryStore } from '../store/memoryStore.js';
import type { Change, CrmStore } from '../store/types.js';
import { makeCustomer, makeTouchpoint, createOp, makeComplaint, nextVersion, updateOp, makeActivity } from '../testing/contractSuite.js';
import { setup } from './helpers.js';

/** A store that hides `subscribe`, as a store that can't push would: the CRM must poll its feed. */
function pollOnly(inner: CrmStore): CrmStore {
  return {
    kind: 'poll-only',
    capabilities: { ...inner.capabilities, subscribe: false },
    get: (e, id) => inner.get(e, id),
    list: (e, q) => inner.list(e, q),
    write: (ops, o) => inner.write(ops, o),
    history: (id, q) => inner.history(id, q),
    changes: (q) => inner.changes(q),
    close: () => inner.close(),
  };
}

describe('events from the change feed', () => {
  afterEach(() => vi.useRealTimers());

  it('announces writes made by another CRM on the same store, each with its origin', async () => {
    const store = memoryStore();
    const here = createCrm({ store });
    const sync = createCrm({ store, origin: 'sync:hubspot' });
    const created = vi.fn();
    const logged = vi.fn();
    here.on('customer.created', created);
    here.on('touchpoint.logged', logged);
    const c = await sync.customers.create({ name: 'Pulled from HubSpot' });
    await sync.touchpoints.logMany([
      { customerId: c.id, channel: 'call', direction: 'inbound' },
      { customerId: c.id, channel: 'email', direction: 'outbound' },
    ]);
    expect(created).toHaveBeenCalledTimes(1);
    expect(created.mock.calls[0]![0]).toEqual({ customer: c, origin: 'sync:hubspot' });
    expect(logged).toHaveBeenCalledTimes(2);
    expect(logged.mock.calls.map(([p]) => p.origin)).toEqual(['sync:hubspot', 'sync:hubspot']);
  });

  it('announces its own writes once, with the services’ payloads (previous included), not again from the feed', async () => {
    const { crm } = setup();
    const updated = vi.fn();
    crm.on('customer.updated', updated);
    const c = await crm.customers.create({ name: 'Sam' });
    await crm.customers.update(c.id, { company: 'ACME' });
    expect(updated).toHaveBeenCalledTimes(1);
    expect(updated.mock.calls[0]![0]).toMatchObject({ previous: c, origin: 'app', customer: { company: 'ACME' } });
  });

  it('derives complaint events from records written straight to the store (crm.store.write)', async () => {
    const { crm } = setup();
    const seen: string[] = [];
    for (const name of ['complaint.opened', 'complaint.updated', 'complaint.assigned', 'complaint.status_changed', 'complaint.resolved'] as const) {
      crm.on(name, (payload) => void seen.push(`${name}:${payload.origin}`));
    }
    const customer = makeCustomer();
    const complaint = makeComplaint(customer.id);
    const t = makeTouchpoint(customer.id, { complaintId: complaint.id });
    await crm.store.write([createOp('customers', customer), createOp('complaints', complaint), createOp('touchpoints', t)], { origin: 'import' });
    const opened = vi.fn();
    crm.on('complaint.opened', opened);
    const next = nextVersion(complaint, {
      status: 'resolved',
      ownerId: 'linda',
      activity: [
        ...complaint.activity,
        makeActivity({ type: 'assigned', from: null, to: 'linda', reason: 'import' }),
        makeActivity({ type: 'status_changed', from: 'new', to: 'resolved' }),
      ],
    });
    await crm.store.write([updateOp('complaints', next)], { origin: 'import' });
    expect(seen).toEqual([
      'complaint.opened:import',
      'complaint.updated:import',
      'complaint.assigned:import',
      'complaint.updated:import',
      'complaint.status_changed:import',
      'complaint.resolved:import',
    ]);
    expect(opened).not.toHaveBeenCalled();
  });

  it('polls the feed of a store that cannot push, and announces what others wrote', async () => {
    const inner = memoryStore();
    const crm = createCrm({ store: pollOnly(inner), pollIntervalMs: 10 });
    const other = createCrm({ store: inner, origin: 'worker' });
    await other.customers.create({ name: 'Before anyone listened' });
    const created = vi.fn();
    crm.on('customer.created', created);
    const heard: (readonly Change[])[] = [];
    const stop = crm.subscribe((changes) => heard.push(changes));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const c = await other.customers.create({ name: 'After' });
    await other.touchpoints.logMany(Array.from({ length: 3 }, () => ({ customerId: c.id, channel: 'call' as const, direction: 'inbound' as const })));
    await vi.waitFor(() => expect(heard).toHaveLength(2), { timeout: 2000, interval: 10 });
    expect(created).toHaveBeenCalledTimes(1);
    expect(created.mock.calls[0]![0].customer.name).toBe('After');
    expect(heard.map((w) => w.length)).toEqual([1, 3]);
    stop();
    await crm.close();
  });

  it('one store subscription serves every listener and handler, opened with the first and closed with the last', async () => {
    const inner = memoryStore();
    let open = 0;
    const counting: CrmStore = {
      ...pollOnly(inner),
      capabilities: inner.capabilities,
      subscribe(listener) {
        open++;
        const stop = inner.subscribe!(listener);
        return () => {
          open--;
          stop();
        };
      },
    };
    const crm = createCrm({ store: counting });
    const off = crm.on('customer.created', () => {});
    const stopA = crm.subscribe(() => {});
    const stopB = crm.subscribe(() => {});
    expect(open).toBe(1);
    stopA();
    off();
    expect(open).toBe(1);
    stopB();
    expect(open).toBe(0);
  });

  it('a bulk write of 500 touchpoints is one call of each crm.subscribe listener', async () => {
    const { crm } = setup();
    const c = await crm.customers.create({ name: 'Bulk' });
    const calls: number[] = [];
    crm.subscribe((changes) => calls.push(changes.length));
    await crm.touchpoints.logMany(Array.from({ length: 500 }, () => ({ customerId: c.id, channel: 'call' as const, direction: 'inbound' as const })));
    expect(calls).toEqual([500]);
  });

  it('a listener that throws is reported to error handlers and starves neither the others nor the write', async () => {
    const { crm } = setup();
    const errors = vi.fn();
    crm.on('error', errors);
    crm.subscribe(() => {
      throw new Error('listener failure');
    });
    const heard = vi.fn();
    crm.subscribe(heard);
    const c = await crm.customers.create({ name: 'Still written' });
    expect(await crm.customers.get(c.id)).toEqual(c);
    expect(heard).toHaveBeenCalledOnce();
    expect(errors).toHaveBeenCalledOnce();
    expect(errors.mock.calls[0]![0]).toMatchObject({ event: 'feed' });
  });
});
