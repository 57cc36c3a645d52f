import { describe, expect, it, vi } from 'vitest';
import { CrmValidationError } from '../errors/validationError.js';
import { isCrmError } from '../errors/crmError.js';
import { MAX_BATCH_ITEMS } from '../services/context.js';
import { setup, snapshot } from './helpers.js';

async function validationOf(run: () => Promise<unknown>): Promise<CrmValidationError> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CrmValidationError);
  return error as CrmValidationError;
}

describe('bulk writes', () => {
  it('createMany validates every item first and names each bad one by index; nothing is written', async () => {
    const { crm, store } = setup({ staff: [{ id: 'sam', name: 'Sam' }] });
    const before = await snapshot(store);
    const error = await validationOf(() =>
      crm.customers.createMany([
        { name: 'Fine' },
        { name: 'Bad email', emails: ['not-an-email'] },
        { name: 'Fine too' },
        { name: '', locale: 'zz-@@' } as never,
      ]),
    );
    expect(error.issues.map((i) => i.field)).toEqual(['[1].emails[0]', '[3].name', '[3].locale']);
    expect(error.message).toMatch(/^Invalid customer inputs: \[1\]\.emails\[0\]: /);
    expect(await snapshot(store)).toBe(before);
    const unknownOwner = await validationOf(() => crm.customers.createMany([{ name: 'A' }, { name: 'B', ownerId: 'nobody' }]));
    expect(unknownOwner.issues.map((i) => i.field)).toEqual(['[1].ownerId']);
    expect(await snapshot(store)).toBe(before);
  });

  it('createMany writes all in one atomic write: one feed write, one subscribe call, an event per customer', async () => {
    const { crm, store } = setup();
    const heard = vi.fn();
    crm.subscribe(heard);
    const created = vi.fn();
    crm.on('customer.created', created);
    const customers = await crm.customers.createMany(Array.from({ length: 300 }, (_, i) => ({ name: `Imported ${i}`, emails: [`i${i}@example.com`] })), {
      origin: 'import:csv',
    });
    expect(customers).toHaveLength(300);
    expect(heard).toHaveBeenCalledOnce();
    const { changes } = await store.changes({ since: 0, limit: 1000 });
    expect(new Set(changes.map((c) => c.writeId)).size).toBe(1);
    expect(new Set(changes.map((c) => c.origin))).toEqual(new Set(['import:csv']));
    expect(created).toHaveBeenCalledTimes(300);
    expect(created.mock.calls[0]![0].origin).toBe('import:csv');
    expect(await crm.customers.findByEmail('i299@example.com')).toEqual([customers[299]]);
  });

  it(`more than ${MAX_BATCH_ITEMS} items, or something other than an array, is a clear error`, async () => {
    const { crm } = setup();
    const tooMany = await validationOf(() => crm.customers.createMany(Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => ({ name: 'x' }))));
    expect(tooMany.message).toContain(`at most ${MAX_BATCH_ITEMS} items in one call (got ${MAX_BATCH_ITEMS + 1})`);
    await validationOf(() => crm.touchpoints.logMany({ customerId: 'x' } as never));
    expect(await crm.touchpoints.logMany([])).toEqual([]);
  });

  it('logMany checks references per item ([i].customerId, [i].complaintId, [i].addressId) and writes nothing when one fails', async () => {
    const { crm, store } = setup();
    const a = await crm.customers.create({ name: 'A', addresses: [{ lines: ['Via Roma 1'], city: 'Roma', country: 'IT' }] });
    const b = await crm.customers.create({ name: 'B' });
    const complaint = await crm.complaints.open({ customerId: b.id, subject: 'x', channel: 'call' });
    const before = await snapshot(store);
    const error = await validationOf(() =>
      crm.touchpoints.logMany([
        { customerId: a.id, channel: 'call', direction: 'inbound' },
        { customerId: 'missing', channel: 'call', direction: 'inbound' },
        { customerId: a.id, channel: 'fax' as never, direction: 'inbound' },
      ]),
    );
    expect(error.issues.map((i) => i.field)).toEqual(['[2].channel']);
    const refs = await validationOf(() =>
      crm.touchpoints.logMany([
        { customerId: a.id, channel: 'call', direction: 'inbound' },
        { customerId: 'missing', channel: 'call', direction: 'inbound' },
      ]),
    );
    expect(refs.issues.map((i) => i.field)).toEqual(['[1].customerId']);
    const wrongComplaint = await validationOf(() => crm.touchpoints.logMany([{ customerId: a.id, channel: 'call', direction: 'inbound', complaintId: complaint.id }]));
    expect(wrongComplaint.issues.map((i) => i.field)).toEqual(['[0].complaintId']);
    expect(await snapshot(store)).toBe(before);
  });

  it('logMany marks returned mail in the same write, and keeps the order of its items', async () => {
    const { crm } = setup();
    const a = await crm.customers.create({ name: 'A', addresses: [{ lines: ['Via Roma 1'], city: 'Roma', country: 'IT', status: 'valid' }] });
    const addressId = a.addresses[0]!.id;
    const logged = await crm.touchpoints.logMany([
      { customerId: a.id, channel: 'letter', direction: 'outbound', outcome: 'returned_mail', addressId, summary: 'first' },
      { customerId: a.id, channel: 'call', direction: 'outbound', summary: 'second' },
    ]);
    expect(logged.map((t) => t.summary)).toEqual(['first', 'second']);
    expect((await crm.customers.get(a.id)).addresses[0]!.status).toBe('returned');
  });
});

describe('customers.erase', () => {
  it('deletes the customer, their touchpoints and complaints, and leaves no copy of their data in the feed', async () => {
    const { crm, store } = setup();
    const mei = await crm.customers.create({ name: '林美 Erasable', emails: ['mei.erase@example.tw'] });
    await crm.customers.update(mei.id, { phones: ['+886 2 5555 0000'] });
    const other = await crm.customers.create({ name: 'Other' });
    const complaint = await crm.complaints.open({
      customerId: mei.id,
      subject: '林美 Erasable wants a refund',
      channel: 'call',
      touchpoint: { channel: 'call', direction: 'inbound', summary: 'Spoke with 林美 Erasable' },
    });
    await crm.complaints.respond(complaint.id, { message: 'Dear 林美 Erasable' });
    await crm.touchpoints.log({ customerId: other.id, channel: 'call', direction: 'inbound' });
    const erased = vi.fn();
    crm.on('customer.erased', erased);
    const summary = await crm.customers.erase(mei.id, { reason: 'GDPR request 4411' });
    expect(summary).toEqual({ customerId: mei.id, touchpoints: 1, complaints: 1, reason: 'GDPR request 4411' });
    expect(erased).toHaveBeenCalledWith({ customerId: mei.id, reason: 'GDPR request 4411', origin: 'app' });
    await expect(crm.customers.get(mei.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await crm.history(other.id)).items).toHaveLength(1);
    const feed = await store.changes({ since: 0, limit: 1000 });
    expect(JSON.stringify(feed)).not.toMatch(/Erasable|mei\.erase/);
    const tombstones = feed.changes.filter((c) => c.op === 'delete');
    expect(tombstones.map((c) => c.entity).sort()).toEqual(['complaints', 'customers', 'touchpoints']);
    expect(new Set(tombstones.map((c) => c.writeId)).size).toBe(1);
  });

  it('needs a reason, and refuses a store that cannot delete', async () => {
    const { crm } = setup();
    const c = await crm.customers.create({ name: 'X' });
    await validationOf(() => crm.customers.erase(c.id, {} as never));
    await validationOf(() => crm.customers.erase(c.id, { reason: '   ' }));
    await expect(crm.customers.erase('missing', { reason: 'r' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const store = crm.store;
    const { createCrm } = await import('../crm.js');
    const readOnly = createCrm({ store: { ...store, capabilities: { ...store.capabilities, delete: false }, subscribe: store.subscribe } });
    const error = await readOnly.customers.erase(c.id, { reason: 'r' }).catch((e: unknown) => e);
    expect(isCrmError(error)).toBe(true);
    expect(String(error)).toMatch(/cannot delete/);
    expect(await crm.customers.get(c.id)).toEqual(c);
  });
});
