import { describe, expectTypeOf, it } from 'vitest';
import { createCrm, type Complaint, type Customer, type CustomerInput, type HistoryItem, type Page, type Touchpoint } from '../index.js';

describe('public types', () => {
  const crm = createCrm();

  it('types event payloads by event name', () => {
    crm.on('complaint.opened', (payload) => {
      expectTypeOf(payload.complaint).toEqualTypeOf<Complaint>();
      expectTypeOf(payload.touchpoint).toEqualTypeOf<Touchpoint | null>();
    });
    crm.on('complaint.assigned', ({ from, to, reason }) => {
      expectTypeOf(from).toEqualTypeOf<string | null>();
      expectTypeOf(to).toEqualTypeOf<string>();
      expectTypeOf(reason).toEqualTypeOf<string>();
    });
    // @ts-expect-error: not an event
    crm.on('customer.deleted', () => {});
  });

  it('separates what callers pass from what is stored', () => {
    expectTypeOf<CustomerInput>().toHaveProperty('name');
    expectTypeOf<CustomerInput['emails']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<Customer['emails']>().toEqualTypeOf<string[]>();
    expectTypeOf<Customer['version']>().toEqualTypeOf<number>();
    // @ts-expect-error: version is assigned by the SDK
    void crm.customers.create({ name: 'x', version: 3 });
    expectTypeOf(crm.customers.create).returns.resolves.toEqualTypeOf<Customer>();
    expectTypeOf(crm.history).returns.resolves.toEqualTypeOf<Page<HistoryItem>>();
  });

  it('narrows history items by type', () => {
    const item = {} as HistoryItem;
    if (item.type === 'touchpoint') expectTypeOf(item.touchpoint).toEqualTypeOf<Touchpoint>();
    else expectTypeOf(item.activity.type).toEqualTypeOf<Complaint['activity'][number]['type']>();
  });
});
