import { CrmValidationError, memoryStore } from '@crm/core';
import { createOp, makeCustomer, makeTouchpoint } from '@crm/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { restStore } from '../rest/index.js';
import { perTenant, startRestServer } from './restServer.js';

// The filter on custom fields over REST: `fields=<JSON object>` on the three list routes.
const server = await startRestServer(perTenant(() => memoryStore()));
afterAll(() => server.close());

const tenant = 'fields-test';
const get = async (path: string) => {
  const response = await server.handler(new Request(`http://localhost/api${path}`, { headers: server.headersOf(tenant) }));
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
};

describe('REST list routes: the fields parameter', () => {
  const store = restStore({ baseUrl: server.url, headers: server.headersOf(tenant), retry: false });
  const gold = makeCustomer({ name: 'Gold', fields: { tier: 'gold', seats: 10, vip: true } });
  const plain = makeCustomer({ name: 'Plain' });

  it('filters by the JSON object it carries, URL-encoded, as stores do', async () => {
    await store.write([createOp('customers', gold), createOp('customers', plain), createOp('touchpoints', makeTouchpoint(gold.id, { fields: { topic: 'tea' } }))]);
    const q = (fields: unknown) => encodeURIComponent(JSON.stringify(fields));
    const names = async (path: string) => ((await get(path)).body.items as { name: string }[]).map((c) => c.name);
    expect(await names(`/customers?fields=${q({ tier: 'gold', seats: 10.0, vip: true })}`)).toEqual(['Gold']);
    expect(await names(`/customers?fields=${q({ tier: null })}&order=asc`)).toEqual(['Plain']);
    expect(await names(`/customers?kind=customer&fields=${q({})}`)).toEqual(['Plain', 'Gold']);
    expect(((await get(`/touchpoints?customerId=${gold.id}&fields=${q({ topic: 'tea' })}`)).body.items as unknown[]).length).toBe(1);
    expect(((await get(`/complaints?fields=${q({ topic: 'tea' })}`)).body.items as unknown[]).length).toBe(0);
    // The client sends the same parameter.
    expect((await store.list('customers', { filter: { fields: { seats: 10 } } })).items.map((c) => c.name)).toEqual(['Gold']);
  });

  it('bad JSON or a bad shape is a 400 problem naming `fields`', async () => {
    const issues = async (raw: string) => {
      const result = await get(`/customers?fields=${encodeURIComponent(raw)}`);
      expect(result.status, raw).toBe(400);
      expect(result.type).toBe('application/problem+json');
      return (result.body.issues as { field: string; message: string }[]).map((i) => i.field);
    };
    expect(await issues('{tier: gold}')).toEqual(['fields']);
    expect(await issues('')).toEqual(['fields']);
    expect(await issues('"gold"')).toEqual(['fields']);
    expect(await issues('[{"tier":"gold"}]')).toEqual(['fields']);
    expect(await issues('null')).toEqual(['fields']);
    expect(await issues('{"tier":["gold"],"seats":{"n":1}}')).toEqual(['fields.tier', 'fields.seats']);
    expect(await issues(JSON.stringify({ tier: 'x'.repeat(1001) }))).toEqual(['fields.tier']);
    expect(await issues('{"1tier":"gold"}')).toEqual(['fields']);
    expect(await issues(JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, i]))))).toEqual(['fields']);
    expect(await issues('{"seats":1e999}')).toEqual(['fields.seats']);
    expect(await issues(`{"tier":"${'x'.repeat(100_001)}"}`)).toEqual(['fields']);
    const twice = await get(`/customers?fields=${encodeURIComponent('{}')}&fields=${encodeURIComponent('{}')}`);
    expect(twice.status).toBe(400);
    expect((twice.body.issues as { field: string }[])[0]!.field).toBe('fields');
  });

  it('the client refuses a bad filter before sending it, with the store’s error', async () => {
    const error = await store.list('customers', { filter: { fields: { tier: ['gold'] as never } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmValidationError);
    expect((error as CrmValidationError).issues.map((i) => i.field)).toEqual(['filter.fields.tier']);
  });
});
