import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as v from 'valibot';
import { createCrm, isCrmValidationError, memoryStore, type CrmValidationError } from '@crm/core';
import { createRestHandler, remoteCrm, restStore } from '../rest/index.js';
import { startCrmServer, type CrmServer } from './crmServer.js';
import { perTenant, startRestServer, type RestServer } from './restServer.js';

const fields = {
  customers: {
    tier: { schema: z.enum(['gold', 'silver']), labels: { en: 'Tier', it: 'Livello' }, description: 'The account tier.' },
    contractNo: v.pipe(v.string(), v.regex(/^C-\d{4,8}$/, 'expected a contract number such as C-20931')),
  },
  touchpoints: { orderId: z.string().max(20) },
  complaints: { serial: z.string().regex(/^[A-Z0-9-]{4,32}$/) },
};

async function rejection(promise: Promise<unknown>): Promise<CrmValidationError> {
  try {
    await promise;
  } catch (error) {
    if (isCrmValidationError(error)) return error;
    throw error;
  }
  throw new Error('expected a CrmValidationError');
}

describe('custom fields over the service API (createCrmHandler + remoteCrm)', () => {
  let server: CrmServer;
  beforeAll(async () => {
    server = await startCrmServer(createCrm({ fields }), { fields });
  });
  afterAll(() => server.close());

  const client = () => remoteCrm({ baseUrl: server.url, headers: server.staff('acme', 'linda'), fields });

  it('writes, validates and filters fields through the server, typed from the same declaration', async () => {
    const crm = client();
    const aiko = await crm.customers.create({ name: 'Aiko', fields: { tier: 'gold', contractNo: 'C-20931' } });
    const tier: 'gold' | 'silver' | undefined = aiko.fields?.tier;
    expect(tier).toBe('gold');
    await crm.customers.create({ name: 'Ben', fields: { tier: 'silver' } });
    const error = await rejection(crm.customers.create({ name: 'Cleo', fields: { contractNo: '20931' } }));
    expect(error.fieldErrors()).toEqual({ 'fields.contractNo': ['expected a contract number such as C-20931'] });
    const golds = await crm.customers.list({ fields: { tier: 'gold' } });
    expect(golds.items.map((c) => c.name)).toEqual(['Aiko']);
    const unknown = await rejection(crm.customers.list({ fields: { tiers: 'gold' } as never }));
    // The server never echoes a key the client chose (it could be personal data), only a near field name.
    expect(unknown.fieldErrors()).toEqual({ fields: ['has an unknown key; did you mean "tier"?'] });
    const updated = await crm.customers.update(aiko.id, { fields: { tier: null } });
    expect(updated.fields).toEqual({ contractNo: 'C-20931' });
    await crm.close();
  });

  it('sets fields of touchpoints and complaints, with the staff member as the actor', async () => {
    const crm = client();
    const customer = await crm.customers.create({ name: 'Dana' });
    const complaint = await crm.complaints.open({
      customerId: customer.id,
      subject: 'Broken kettle',
      channel: 'call',
      touchpoint: { channel: 'call', direction: 'inbound', fields: { orderId: 'SO-1' } },
    });
    const touchpoint = await crm.touchpoints.setFields(complaint.touchpointId!, { orderId: 'SO-2' });
    expect(touchpoint.fields).toEqual({ orderId: 'SO-2' });
    const changed = await crm.complaints.setFields(complaint.id, { serial: 'SN-4471-B' });
    expect(changed.fields).toEqual({ serial: 'SN-4471-B' });
    expect(changed.activity.at(-1)).toMatchObject({ type: 'fields_changed', names: ['serial'], actorId: 'linda' });
    const bad = await rejection(crm.complaints.setFields(complaint.id, { serial: 'no good' }));
    expect(Object.keys(bad.fieldErrors())).toEqual(['fields.serial']);
    await crm.close();
  });

  it('gives the client the labels, and leaves the audit to the server', async () => {
    const crm = client();
    expect(crm.fields.label('customers', 'tier', 'it')).toBe('Livello');
    expect(crm.fields.list('customers').map((f) => f.name)).toEqual(['tier', 'contractNo']);
    expect(() => crm.fields.audit('customers')).toThrow(/run it on the server/);
    await crm.close();
  });

  it('describes each declared field in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { components: { schemas: Record<string, any> } };
    const { schemas } = doc.components;
    expect(schemas.Customer.properties.fields).toMatchObject({
      additionalProperties: false,
      properties: { tier: { type: 'string', enum: ['gold', 'silver'], title: 'Tier', description: 'The account tier.' } },
    });
    // valibot says no JSON Schema through Standard Schema: an open value, validated by the server.
    expect(schemas.Customer.properties.fields.properties.contractNo.description).toMatch(/Validated by the server/);
    expect(schemas.CustomerUpdate.properties.patch.properties.fields.properties.tier.anyOf).toContainEqual({ type: 'null' });
    expect(schemas.ComplaintOpenInput.properties.touchpoint.properties.fields.properties).toHaveProperty('orderId');
    expect(Object.keys(schemas.ComplaintFieldsChange.properties.fields.properties)).toEqual(['serial']);
    const listParams = (doc as any).paths['/customers'].get.parameters.map((p: { name: string }) => p.name);
    expect(listParams).toContain('fields');
  });
});

describe('custom fields over the raw-store API (createRestHandler + restStore)', () => {
  let server: RestServer;
  let open: RestServer;
  beforeAll(async () => {
    server = await startRestServer(perTenant(() => memoryStore()), { fields });
    open = await startRestServer(perTenant(() => memoryStore()));
  });
  afterAll(async () => {
    await server.close();
    await open.close();
  });

  it('refuses records whose fields break the declaration, naming the op and the field, and writes nothing', async () => {
    const store = restStore({ baseUrl: server.url, headers: server.headersOf('acme') });
    const crm = createCrm({ store, fields });
    const good = await crm.customers.create({ name: 'Aiko', fields: { tier: 'gold' } });
    expect((await store.get('customers', good.id))?.fields).toEqual({ tier: 'gold' });
    const now = new Date().toISOString();
    const record = (id: string, extra: object) => ({ id, version: 1, createdAt: now, updatedAt: now, name: 'X', kind: 'customer', emails: [], phones: [], addresses: [], tags: [], externalIds: {}, ...extra });
    const error = await rejection(
      store.write([
        { type: 'create', entity: 'customers', record: record('okay1', { fields: { tier: 'silver' } }) as never },
        { type: 'create', entity: 'customers', record: record('bad1', { fields: { tier: 'bronze', extra: 1 } }) as never },
      ]),
    );
    expect(Object.keys(error.fieldErrors()).sort()).toEqual(['ops[1].record.fields.extra', 'ops[1].record.fields.tier']);
    expect(await store.get('customers', 'okay1')).toBeNull();
    await crm.close();
  });

  it('keeps any JSON fields without a declaration, and documents them as an open object', async () => {
    const store = restStore({ baseUrl: open.url, headers: open.headersOf('acme') });
    const now = new Date().toISOString();
    await store.write([
      {
        type: 'create',
        entity: 'customers',
        record: { id: 'c1', version: 1, createdAt: now, updatedAt: now, name: 'X', kind: 'customer', emails: [], phones: [], addresses: [], tags: [], externalIds: {}, fields: { anything: [1, { two: '二' }] } },
      },
    ]);
    expect((await store.get('customers', 'c1'))?.fields).toEqual({ anything: [1, { two: '二' }] });
    const doc = (await (await fetch(`${open.url}/openapi.json`)).json()) as { components: { schemas: Record<string, any> } };
    expect(doc.components.schemas.Customer.properties.fields).toMatchObject({ type: 'object', maxProperties: 100 });
    expect(doc.components.schemas.Customer.properties.fields.description).toMatch(/made without the declaration/);
    await store.close();
  });

  it('checks the declaration when the handler is made', () => {
    expect(() => createRestHandler({ store: memoryStore(), authorize: () => null, fields: { customers: { 'bad-name': z.string() } } })).toThrow(
      /Invalid createRestHandler options: fields\.customers\.bad-name: invalid field name/,
    );
  });
});
