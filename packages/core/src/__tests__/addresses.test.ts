import { describe, expect, it } from 'vitest';
import { CrmValidationError } from '../errors/index.js';
import { setup } from './helpers.js';

describe('address freshness', () => {
  it('a touchpoint with outcome returned_mail marks the address it was sent to as returned, in the same write', async () => {
    const { crm, store } = setup();
    const c = await crm.customers.create({
      name: 'Lucia Bianchi',
      addresses: [
        { label: 'Casa', lines: ['Via Roma 1'], city: 'Milano', country: 'IT', status: 'valid', confirmedAt: '2026-01-10T00:00:00Z' },
        { label: 'Ufficio', lines: ['Corso Como 5'], city: 'Milano', country: 'IT', status: 'valid', confirmedAt: '2026-01-10T00:00:00Z' },
      ],
    });
    const updates: string[] = [];
    crm.on('customer.updated', ({ customer, previous }) => updates.push(`${previous?.version}→${customer.version}`));
    const [home, office] = c.addresses;
    const before = (await store.changes({ since: 0 })).lastSeq;
    const t = await crm.touchpoints.log({
      customerId: c.id,
      channel: 'letter',
      direction: 'inbound',
      outcome: 'returned_mail',
      addressId: home!.id,
    });
    const feed = await store.changes({ since: before });
    expect(feed.changes.map((ch) => [ch.entity, ch.op])).toEqual([
      ['touchpoints', 'create'],
      ['customers', 'update'],
    ]);
    expect(feed.changes[1]!.seq).toBe(feed.changes[0]!.seq + 1);
    const after = await crm.customers.get(c.id);
    expect(after.addresses.map((a) => a.status)).toEqual(['returned', 'valid']);
    expect(after.addresses[1]).toEqual(office);
    expect(updates).toEqual(['1→2']);
    expect(t.addressId).toBe(home!.id);
    // Returned again: nothing more to mark.
    await crm.touchpoints.log({ customerId: c.id, channel: 'letter', direction: 'inbound', outcome: 'returned_mail', addressId: home!.id });
    expect((await crm.customers.get(c.id)).version).toBe(2);
  });

  it('lists customers to remind: returned, never confirmed, or confirmed before the date — a page at a time', async () => {
    const { crm } = setup();
    const fresh = { lines: ['Jalan Ampang 1'], city: 'Kuala Lumpur', status: 'valid' as const, confirmedAt: '2026-02-01T00:00:00Z' };
    const old = { ...fresh, confirmedAt: '2024-05-01T00:00:00Z' };
    const a = await crm.customers.create({ name: 'A (old)', addresses: [fresh, old] });
    await crm.customers.create({ name: 'B (fresh)', addresses: [fresh] });
    await crm.customers.create({ name: 'C (no address)' });
    const d = await crm.customers.create({ name: 'D (never confirmed)', addresses: [{ lines: ['Via Po 3'], city: 'Torino' }] });
    const e = await crm.customers.create({ name: 'E (returned)', addresses: [{ ...fresh, status: 'returned' }] });
    const all = await crm.customers.stale({ confirmedBefore: '2025-12-01T00:00:00Z' });
    expect(all.items.map((i) => i.customer.name)).toEqual(['A (old)', 'D (never confirmed)', 'E (returned)']);
    expect(all.items[0]!.addresses).toEqual([a.addresses[1]]);
    expect(all.nextCursor).toBeNull();
    const first = await crm.customers.stale({ confirmedBefore: new Date('2025-12-01T00:00:00Z'), limit: 2 });
    expect(first.items.map((i) => i.customer.id)).toEqual([a.id, d.id]);
    const second = await crm.customers.stale({ confirmedBefore: '2025-12-01T00:00:00Z', limit: 2, cursor: first.nextCursor });
    expect(second.items.map((i) => i.customer.id)).toEqual([e.id]);
    expect(second.nextCursor).toBeNull();
    await expect(crm.customers.stale({ confirmedBefore: 'last year' })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[CrmValidationError: Invalid stale query: confirmedBefore: expected a Date or an ISO 8601 timestamp]`,
    );
    await expect(crm.customers.stale({ confirmedBefore: '2025-12-01T00:00:00Z', limit: 0 })).rejects.toBeInstanceOf(CrmValidationError);
  });
});
