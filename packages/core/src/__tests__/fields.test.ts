import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as v from 'valibot';
import { createCrm, memoryStore, type CrmValidationError, type StandardSchemaV1 } from '../index.js';

/** The error a promise rejects with (failing the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<CrmValidationError> {
  try {
    await promise;
  } catch (error) {
    return error as CrmValidationError;
  }
  throw new Error('expected the promise to reject');
}

const fields = {
  customers: {
    tier: { schema: z.enum(['gold', 'silver', 'bronze']), labels: { en: 'Tier', 'zh-TW': '會員等級', zh: '等级', it: 'Livello' }, remote: { hubspot: 'crm_tier', salesforce: 'Tier__c' } },
    contractNo: v.pipe(v.string(), v.regex(/^C-\d{4,8}$/, 'expected a contract number such as C-20931')),
    seats: z.number().int().min(1),
    vip: z.boolean(),
  },
  touchpoints: { orderId: z.string().max(20) },
  complaints: { product: z.string().min(1), serial: v.pipe(v.string(), v.regex(/^[A-Z0-9-]{4,32}$/, 'expected a serial number')) },
};

describe('custom fields on customers', () => {
  it('stores declared fields from zod and valibot schemas, and reads them back', async () => {
    const crm = createCrm({ fields });
    const created = await crm.customers.create({ name: 'Aiko', fields: { tier: 'gold', contractNo: 'C-20931', seats: 12, vip: false } });
    expect(created.fields).toEqual({ tier: 'gold', contractNo: 'C-20931', seats: 12, vip: false });
    expect((await crm.customers.get(created.id)).fields).toEqual(created.fields);
    const plain = await crm.customers.create({ name: 'Ben' });
    expect(plain).not.toHaveProperty('fields');
  });

  it('names the field and the problem: a bad value, an undeclared field (with a near name), a wrong type', async () => {
    const crm = createCrm({ fields });
    const error = await rejection(crm.customers.create({ name: 'Aiko', fields: { tier: 'platinum', contractNo: 'X', tierr: 'gold', seats: 1.5 } as never }));
    expect(error.name).toBe('CrmValidationError');
    const byField = error.fieldErrors();
    expect(Object.keys(byField).sort()).toEqual(['fields.contractNo', 'fields.seats', 'fields.tier', 'fields.tierr']);
    expect(byField['fields.tierr']).toEqual(['unknown field; did you mean "tier"?']);
    expect(byField['fields.contractNo']).toEqual(['expected a contract number such as C-20931']);
    expect(error.message).toMatch(/^Invalid customer input: /);
    expect(await crm.customers.list()).toMatchObject({ items: [] });
  });

  it('rejects every field when none are declared, and fields that are not JSON', async () => {
    const crm = createCrm();
    const error = await rejection(crm.customers.create({ name: 'Aiko', fields: { tier: 'gold' } as never }));
    expect(error.fieldErrors()).toEqual({ 'fields.tier': ['unknown field: no custom fields are declared for customers'] });
    const typed = createCrm({ fields: { customers: { at: z.unknown() } } });
    const notJson = await rejection(typed.customers.create({ name: 'A', fields: { at: new Date() } as never }));
    expect(notJson.fieldErrors()['fields.at']?.[0]).toMatch(/a Date/);
    const badName = await rejection(typed.customers.create({ name: 'A', fields: { 'bad-name': 1 } as never }));
    expect(badName.issues[0]?.field).toBe('fields.bad-name');
  });

  it('refuses a schema whose output is not JSON', async () => {
    const crm = createCrm({ fields: { customers: { since: z.string().transform((s) => new Date(s)) } } });
    const error = await rejection(crm.customers.create({ name: 'A', fields: { since: '2026-01-01' } as never }));
    expect(error.fieldErrors()['fields.since']?.[0]).toMatch(/^the schema's output is not JSON/);
  });

  it('stores what the schema outputs (transforms, defaults)', async () => {
    const crm = createCrm({ fields: { customers: { code: z.string().trim().toUpperCase() } } });
    const created = await crm.customers.create({ name: 'A', fields: { code: '  ab-12 ' } });
    expect(created.fields).toEqual({ code: 'AB-12' });
  });

  it('waits for asynchronous Standard Schema validators', async () => {
    const remoteCheck: StandardSchemaV1<string, string> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return value === 'known' ? { value } : { issues: [{ message: 'not in the registry' }] };
        },
      },
    };
    const crm = createCrm({ fields: { customers: { account: remoteCheck } } });
    expect((await crm.customers.create({ name: 'A', fields: { account: 'known' } })).fields).toEqual({ account: 'known' });
    const error = await rejection(crm.customers.create({ name: 'B', fields: { account: 'other' } }));
    expect(error.fieldErrors()).toEqual({ 'fields.account': ['not in the registry'] });
  });

  it('names the item of a batch: [1].fields.tier', async () => {
    const crm = createCrm({ fields });
    const error = await rejection(crm.customers.createMany([{ name: 'A', fields: { tier: 'gold' } }, { name: 'B', fields: { tier: 'tin' as never } }]));
    expect(Object.keys(error.fieldErrors())).toEqual(['[1].fields.tier']);
    expect((await crm.customers.list()).items).toHaveLength(0);
    const created = await crm.customers.createMany([{ name: 'A', fields: { tier: 'gold' } }, { name: 'B' }]);
    expect(created.map((c) => c.fields)).toEqual([{ tier: 'gold' }, undefined]);
  });

  it('merges a patch key by key; null removes a field; the patched values are validated', async () => {
    const crm = createCrm({ fields });
    const c = await crm.customers.create({ name: 'A', fields: { tier: 'gold', seats: 3 } });
    const u1 = await crm.customers.update(c.id, { fields: { seats: 4, vip: true } });
    expect(u1.fields).toEqual({ tier: 'gold', seats: 4, vip: true });
    const u2 = await crm.customers.update(c.id, { fields: { tier: null, seats: null, vip: null } });
    expect(u2).not.toHaveProperty('fields');
    const error = await rejection(crm.customers.update(c.id, { fields: { seats: 0 } }));
    expect(Object.keys(error.fieldErrors())).toEqual(['fields.seats']);
    expect((await crm.customers.get(c.id)).version).toBe(u2.version);
    // Other updates leave the fields alone.
    const u3 = await crm.customers.update((await crm.customers.create({ name: 'B', fields: { vip: true } })).id, { name: 'Bea' });
    expect(u3.fields).toEqual({ vip: true });
  });

  it('keeps hostile text as text and refuses huge payloads without writing anything', async () => {
    const crm = createCrm({ fields: { customers: { note: z.string(), blob: z.unknown() } } });
    const html = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    expect((await crm.customers.create({ name: 'A', fields: { note: html } })).fields).toEqual({ note: html });
    const error = await rejection(crm.customers.create({ name: 'B', fields: { blob: 'x'.repeat(300_000) } }));
    expect(error.fieldErrors().fields?.[0]).toMatch(/at most 262144 characters as JSON/);
    const deep = await rejection(crm.customers.create({ name: 'C', fields: { blob: JSON.parse('['.repeat(40) + ']'.repeat(40)) } }));
    expect(deep.fieldErrors()['fields.blob']?.[0]).toMatch(/nests deeper than 16 levels/);
    expect((await crm.customers.list()).items).toHaveLength(1);
  });
});

describe('custom fields on touchpoints and complaints', () => {
  it('logs touchpoints with fields and changes them later, with an event', async () => {
    const crm = createCrm({ fields });
    const customer = await crm.customers.create({ name: 'A' });
    const tp = await crm.touchpoints.log({ customerId: customer.id, channel: 'call', direction: 'inbound', fields: { orderId: 'SO-1' } });
    expect(tp.fields).toEqual({ orderId: 'SO-1' });
    const many = await rejection(
      crm.touchpoints.logMany([
        { customerId: customer.id, channel: 'call', direction: 'inbound' },
        { customerId: customer.id, channel: 'call', direction: 'inbound', fields: { orderId: 'x'.repeat(21) } },
      ]),
    );
    expect(Object.keys(many.fieldErrors())).toEqual(['[1].fields.orderId']);
    const seen: unknown[] = [];
    crm.on('touchpoint.updated', ({ touchpoint, previous }) => seen.push([touchpoint.fields, previous?.fields]));
    const changed = await crm.touchpoints.setFields(tp.id, { orderId: 'SO-2' });
    expect(changed).toMatchObject({ version: 2, fields: { orderId: 'SO-2' } });
    expect(seen).toEqual([[{ orderId: 'SO-2' }, { orderId: 'SO-1' }]]);
    const bad = await rejection(crm.touchpoints.setFields(tp.id, { orderid: 'SO-3' } as never));
    expect(bad.fieldErrors()).toEqual({ 'fields.orderid': ['unknown field; did you mean "orderId"?'] });
  });

  it('opens complaints with fields (and the touchpoint with its own), and records field changes in the activity log', async () => {
    const crm = createCrm({ fields });
    const customer = await crm.customers.create({ name: 'A' });
    const error = await rejection(
      crm.complaints.open({ customerId: customer.id, subject: 'Broken', channel: 'call', fields: { product: 'Kettle' }, touchpoint: { channel: 'call', direction: 'inbound', fields: { orderId: 7 as never } } }),
    );
    expect(Object.keys(error.fieldErrors())).toEqual(['touchpoint.fields.orderId']);
    const complaint = await crm.complaints.open({
      customerId: customer.id,
      subject: 'Broken',
      channel: 'call',
      fields: { product: 'Kettle' },
      touchpoint: { channel: 'call', direction: 'inbound', fields: { orderId: 'SO-9' } },
    });
    expect(complaint.fields).toEqual({ product: 'Kettle' });
    expect((await crm.touchpoints.get(complaint.touchpointId!)).fields).toEqual({ orderId: 'SO-9' });
    const updates: string[] = [];
    crm.on('complaint.updated', ({ activity }) => updates.push(activity.type));
    const changed = await crm.complaints.setFields(complaint.id, { serial: 'SN-4471-B' }, { actorId: 'linda' });
    expect(changed.fields).toEqual({ product: 'Kettle', serial: 'SN-4471-B' });
    expect(changed.activity.at(-1)).toMatchObject({ type: 'fields_changed', names: ['serial'], actorId: 'linda' });
    expect(updates).toEqual(['fields_changed']);
    const bad = await rejection(crm.complaints.setFields(complaint.id, { serial: 'sn 1' }));
    expect(bad.fieldErrors()).toEqual({ 'fields.serial': ['expected a serial number'] });
    const cleared = await crm.complaints.setFields(complaint.id, { serial: null, product: null });
    expect(cleared).not.toHaveProperty('fields');
  });
});

describe('declaring fields', () => {
  it('checks the declaration when the CRM is created, naming the option', () => {
    const cases: [unknown, string][] = [
      [{ customer: {} }, 'fields.customer: unknown field; did you mean "customers"?'],
      [{ customers: { 'tier-1': z.string() } }, 'fields.customers.tier-1: invalid field name'],
      [{ customers: { tier: 'string' } }, 'fields.customers.tier: expected a Standard Schema validator'],
      [{ customers: { tier: { schema: z.string(), label: {} } } }, 'fields.customers.tier.label: unknown field; did you mean "labels"?'],
      [{ customers: { tier: { schema: z.string(), labels: { 'not a tag': 'x' } } } }, 'fields.customers.tier.labels.not a tag: unknown language tag'],
      [{ customers: { tier: { schema: z.string(), remote: { hubspot: 'Crm-Tier' } } } }, 'fields.customers.tier.remote.hubspot: expected a HubSpot internal property name'],
      [{ customers: { tier: { schema: z.string(), remote: { zendesk: 'x' } } } }, 'fields.customers.tier.remote.zendesk: unknown remote'],
      [{ customers: { tier: { schema: z.string(), type: 'enumeration' } } }, 'fields.customers.tier.options: an enumeration needs its options'],
    ];
    for (const [declaration, message] of cases) {
      expect(() => createCrm({ fields: declaration as never }), message).toThrow(message);
    }
  });

  it('says each field with its labels, remote names and the type sync converts it to', () => {
    const crm = createCrm({ fields });
    const tier = crm.fields.list('customers').find((f) => f.name === 'tier')!;
    expect(tier).toMatchObject({ type: 'enumeration', options: ['gold', 'silver', 'bronze'], remote: { hubspot: 'crm_tier', salesforce: 'Tier__c' } });
    expect(tier.jsonSchema).toMatchObject({ enum: ['gold', 'silver', 'bronze'] });
    expect(crm.fields.list('customers').map((f) => [f.name, f.type])).toEqual([
      ['tier', 'enumeration'],
      ['contractNo', 'json'], // valibot says no JSON Schema through Standard Schema
      ['seats', 'number'],
      ['vip', 'boolean'],
    ]);
    expect(crm.fields.label('customers', 'tier', 'zh-TW')).toBe('會員等級');
    expect(crm.fields.label('customers', 'tier', 'zh-CN')).toBe('等级');
    expect(crm.fields.label('customers', 'tier', 'it-CH')).toBe('Livello');
    expect(crm.fields.label('customers', 'tier', 'ms')).toBe('Tier');
    expect(crm.fields.label('customers', 'seats', 'it')).toBe('seats');
    expect(() => crm.fields.label('customers', 'nope')).toThrow('no custom field "nope" is declared for customers');
  });
});

describe('evolving a declaration', () => {
  it('old records still read; writes of a field must satisfy the new declaration; audit lists what no longer fits', async () => {
    const store = memoryStore();
    const before = createCrm({ store, fields: { customers: { tier: z.enum(['gold', 'silver', 'bronze']), legacyCode: z.string() } } });
    const gold = await before.customers.create({ name: 'Gold', fields: { tier: 'gold' } });
    const bronze = await before.customers.create({ name: 'Bronze', fields: { tier: 'bronze', legacyCode: 'L1' } });
    // Narrowed (bronze is gone), one field removed, one added.
    const after = createCrm({ store, fields: { customers: { tier: z.enum(['gold', 'silver']), region: z.string() } } });
    expect((await after.customers.get(bronze.id)).fields).toEqual({ tier: 'bronze', legacyCode: 'L1' });
    const audit = [];
    for await (const item of after.fields.audit('customers', { pageSize: 1 })) audit.push(item);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity: 'customers', id: bronze.id, version: 1 });
    expect(audit[0]!.issues.map((i) => i.field).sort()).toEqual(['fields.legacyCode', 'fields.tier']);
    // A write that gives the narrowed field must satisfy it; other writes leave the old values alone.
    const refused = await rejection(after.customers.update(bronze.id, { fields: { tier: 'bronze' as never } }));
    expect(refused.fieldErrors()['fields.tier']).toHaveLength(1);
    expect((await after.customers.update(bronze.id, { name: 'Still bronze' })).fields).toEqual({ tier: 'bronze', legacyCode: 'L1' });
    // Mending it: a new value, and null for the field no longer declared.
    await after.customers.update(bronze.id, { fields: { tier: 'silver', legacyCode: null, region: 'EU' } as never });
    const left = [];
    for await (const item of after.fields.audit('customers')) left.push(item);
    expect(left).toEqual([]);
    expect((await after.customers.get(gold.id)).fields).toEqual({ tier: 'gold' });
  });
});

describe('listing by custom fields', () => {
  it('filters by equality on declared fields, with keyset paging', async () => {
    const crm = createCrm({ fields });
    const tiers = ['gold', 'silver', 'gold', undefined, 'gold', 'bronze', 'gold'] as const;
    const made = [];
    for (const [i, tier] of tiers.entries()) made.push(await crm.customers.create({ name: `C${i}`, ...(tier ? { fields: { tier } } : {}) }));
    const golds = made.filter((c) => c.fields?.tier === 'gold').map((c) => c.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await crm.customers.list({ fields: { tier: 'gold' }, limit: 2, order: 'asc', cursor });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(golds);
    const none = await crm.customers.list({ fields: { tier: null } });
    expect(none.items.map((c) => c.name)).toEqual(['C3']);
  });

  it('names an undeclared field or a value that cannot be compared', async () => {
    const crm = createCrm({ fields });
    const unknown = await rejection(crm.customers.list({ fields: { tiers: 'gold' } as never }));
    expect(unknown.fieldErrors()).toEqual({ 'fields.tiers': ['unknown field; did you mean "tier"?'] });
    const list = await rejection(crm.customers.list({ fields: { tier: ['gold'] } as never }));
    expect(list.fieldErrors()['fields.tier']?.[0]).toMatch(/lists and objects are not filterable/);
  });
});
