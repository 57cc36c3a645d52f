import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCrm } from '../crm.js';
import type { CrmEvents } from '../events/events.js';
import { setup } from './helpers.js';

describe('crm events', () => {
  afterEach(() => vi.restoreAllMocks());

  it('emits one typed event per change, after the write is stored', async () => {
    const { crm, store } = setup();
    const seen: string[] = [];
    const names: (keyof CrmEvents)[] = [
      'customer.created',
      'customer.updated',
      'touchpoint.logged',
      'complaint.opened',
      'complaint.responded',
      'complaint.assigned',
      'complaint.status_changed',
      'complaint.resolved',
    ];
    for (const name of names) crm.on(name, () => void seen.push(name));
    crm.on('complaint.opened', async ({ complaint }) => {
      // The handler can read what it is told about.
      expect(await store.get('complaints', complaint.id)).toEqual(complaint);
    });
    const c = await crm.customers.create({ name: 'Sam' });
    await crm.customers.update(c.id, { company: 'ACME' });
    const complaint = await crm.complaints.open({ customerId: c.id, subject: 'x', channel: 'call', touchpoint: { channel: 'call', direction: 'inbound' } });
    await crm.complaints.respond(complaint.id);
    await crm.complaints.assign(complaint.id, 'linda', { reason: 'Speaks Mandarin' });
    await crm.complaints.resolve(complaint.id);
    expect(seen).toEqual([
      'customer.created',
      'customer.updated',
      'touchpoint.logged',
      'complaint.opened',
      'complaint.responded',
      'complaint.status_changed',
      'complaint.assigned',
      'complaint.status_changed',
      'complaint.resolved',
    ]);
  });

  it('passes one object with the facts a handler needs', async () => {
    const { crm } = setup();
    const assigned = vi.fn();
    const changed = vi.fn();
    crm.on('complaint.assigned', assigned);
    crm.on('complaint.status_changed', changed);
    const c = await crm.customers.create({ name: 'Sam' });
    const complaint = await crm.complaints.open({ customerId: c.id, subject: 'x', channel: 'call', ownerId: 'sam' });
    await crm.complaints.assign(complaint.id, 'linda', { reason: 'Holiday cover' });
    await crm.complaints.setStatus(complaint.id, 'pending_customer');
    expect(assigned).toHaveBeenCalledOnce();
    expect(assigned.mock.calls[0]![0]).toMatchObject({ from: 'sam', to: 'linda', reason: 'Holiday cover', complaint: { ownerId: 'linda' } });
    expect(changed.mock.calls[0]![0]).toMatchObject({ from: 'new', to: 'pending_customer', complaint: { status: 'pending_customer' } });
  });

  it('stops calling a handler after off(), the returned unsubscribe, or once', async () => {
    const { crm } = setup();
    const a = vi.fn();
    const b = vi.fn();
    const c = vi.fn();
    const off = crm.on('customer.created', a);
    crm.on('customer.created', b);
    crm.once('customer.created', c);
    await crm.customers.create({ name: '1' });
    off();
    crm.off('customer.created', b);
    await crm.customers.create({ name: '2' });
    expect([a.mock.calls.length, b.mock.calls.length, c.mock.calls.length]).toEqual([1, 1, 1]);
  });

  it('keeps the write when a handler throws, and reports the error', async () => {
    const { crm } = setup();
    const errors = vi.fn();
    crm.on('customer.created', () => {
      throw new Error('handler bug');
    });
    const after = vi.fn();
    crm.on('customer.created', after);
    crm.on('error', errors);
    const c = await crm.customers.create({ name: 'Sam' });
    expect(await crm.customers.get(c.id)).toEqual(c);
    expect(after).toHaveBeenCalledOnce();
    expect(errors).toHaveBeenCalledWith({ error: new Error('handler bug'), event: 'customer.created' });
  });

  it('logs a handler error to console.error when nobody listens for errors', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const crm = createCrm();
    crm.on('customer.created', () => {
      throw new Error('boom');
    });
    await crm.customers.create({ name: 'Sam' });
    expect(spy).toHaveBeenCalledWith('@crm/core: a "customer.created" handler threw', new Error('boom'));
  });
});

describe('createCrm options', () => {
  it('rejects unknown options and broken seams, naming them', () => {
    expect(() => createCrm({ stor: {} } as never)).toThrow('Invalid createCrm options: stor: unknown option');
    expect(() => createCrm({ store: { kind: 'x' } } as never)).toThrow('store.get: a CrmStore must implement this method');
    expect(() => createCrm({ clock: {} } as never)).toThrow('clock.now: expected a function returning a Date');
    expect(() => createCrm({ staff: [{ id: 'a', name: 'A' }, { id: 'a', name: 'B' }] })).toThrow('staff[1].id: duplicate staff id "a"');
    expect(() => createCrm({ staff: [{ id: 'a', name: 'A', languages: ['klingon-??'] }] })).toThrow(
      'Invalid createCrm options.staff: [0].languages[0]: unknown language tag: expected a BCP 47 tag such as "en" or "zh-TW"',
    );
  });

  it('uses injected ids and clock', async () => {
    let n = 0;
    const crm = createCrm({ ids: () => `id-${++n}`, clock: { now: () => new Date('2030-01-01T00:00:00Z') } });
    const c = await crm.customers.create({ name: 'x' });
    expect(c).toMatchObject({ id: 'id-1', createdAt: '2030-01-01T00:00:00.000Z' });
    expect(crm.staff).toEqual([]);
  });
});
