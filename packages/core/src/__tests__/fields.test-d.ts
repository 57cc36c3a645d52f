import { describe, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import * as v from 'valibot';
import { createCrm, type Crm, type Customer, type CrmRecord, type FieldValues } from '../index.js';

const crm = createCrm({
  fields: {
    customers: {
      tier: { schema: z.enum(['gold', 'silver']), labels: { en: 'Tier' } },
      seats: z.number().int(),
      contractNo: v.pipe(v.string(), v.maxLength(20)),
    },
    touchpoints: { orderId: z.string() },
    complaints: { serial: v.string(), product: z.string() },
  },
});

describe('custom field types, inferred from the declaration', () => {
  it('types each declared field of a stored record, zod and valibot alike', async () => {
    const customer = await crm.customers.create({ name: 'Aiko', fields: { tier: 'gold', seats: 3 } });
    expectTypeOf(customer.fields).toEqualTypeOf<{ tier?: 'gold' | 'silver'; seats?: number; contractNo?: string } | undefined>();
    expectTypeOf(customer.name).toEqualTypeOf<string>();
    const touchpoint = await crm.touchpoints.log({ customerId: customer.id, channel: 'call', direction: 'inbound', fields: { orderId: 'SO-1' } });
    expectTypeOf(touchpoint.fields).toEqualTypeOf<{ orderId?: string } | undefined>();
    const complaint = await crm.complaints.open({ customerId: customer.id, subject: 's', channel: 'call', fields: { serial: 'SN-1' } });
    expectTypeOf(complaint.fields).toEqualTypeOf<{ serial?: string; product?: string } | undefined>();
    expectTypeOf((await crm.customers.get('x')).fields?.tier).toEqualTypeOf<'gold' | 'silver' | undefined>();
    expectTypeOf((await crm.customers.list()).items[0]!.fields?.seats).toEqualTypeOf<number | undefined>();
  });

  it('makes an undeclared field or a wrong type a type error', () => {
    // @ts-expect-error: not a declared field
    void crm.customers.create({ name: 'A', fields: { tierr: 'gold' } });
    // @ts-expect-error: not one of the enum's values
    void crm.customers.create({ name: 'A', fields: { tier: 'platinum' } });
    // @ts-expect-error: a number, not a string
    void crm.customers.create({ name: 'A', fields: { seats: '3' } });
    // @ts-expect-error: declared on customers, not on touchpoints
    void crm.touchpoints.log({ customerId: 'c', channel: 'call', direction: 'inbound', fields: { tier: 'gold' } });
    // @ts-expect-error: the touchpoint of a complaint takes touchpoint fields
    void crm.complaints.open({ customerId: 'c', subject: 's', channel: 'call', touchpoint: { channel: 'call', direction: 'inbound', fields: { serial: 'x' } } });
    // @ts-expect-error: a valibot string
    void crm.complaints.setFields('id', { serial: 42 });
  });

  it('types patches (null removes a field) and list filters', () => {
    void crm.customers.update('id', { fields: { tier: null, seats: 4 } });
    // @ts-expect-error: undeclared
    void crm.customers.update('id', { fields: { region: 'EU' } });
    void crm.customers.list({ fields: { tier: 'gold', seats: 3 } });
    void crm.customers.list({ fields: { tier: null } });
    // @ts-expect-error: not a value of the field
    void crm.customers.list({ fields: { tier: 'bronze' } });
    void crm.touchpoints.setFields('id', { orderId: null });
  });

  it('keeps a plain Crm (and a CRM without a declaration) on untyped JSON fields, and every typed CRM is a Crm', () => {
    const plain = createCrm();
    expectTypeOf(plain.customers.get).returns.resolves.toEqualTypeOf<Customer>();
    expectTypeOf<Customer['fields']>().toEqualTypeOf<FieldValues | undefined>();
    const anyCrm: Crm = crm;
    expectTypeOf(anyCrm.customers.get).returns.resolves.toEqualTypeOf<Customer>();
    expectTypeOf<CrmRecord<'customers', { customers: { vip: z.ZodBoolean } }>['fields']>().toEqualTypeOf<{ vip?: boolean } | undefined>();
  });
});
