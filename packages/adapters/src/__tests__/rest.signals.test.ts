import { CONTRACT_EPOCH, createOp, makeCustomer, makeTouchpoint } from '@crm/core/testing';
import { memoryStore } from '@crm/core';
import { describe, expect, it } from 'vitest';
import { createRestHandler } from '../rest/index.js';

type Json = Record<string, any>;

describe('REST: the touchpoint signal filter', () => {
  const store = memoryStore();
  const handler = createRestHandler({ store, authorize: () => ({ tenant: 'acme' }) });

  it('lists touchpoints by signal state, rejects an unknown state naming the parameter, and documents it', async () => {
    const customer = makeCustomer();
    const signal = { state: 'suggested' as const, reasons: ['negative wording (en)'], matches: ['terrible'], detectedAt: CONTRACT_EPOCH };
    const flagged = makeTouchpoint(customer.id, { signal });
    await store.write([createOp('customers', customer), createOp('touchpoints', flagged), createOp('touchpoints', makeTouchpoint(customer.id))]);

    const ok = await handler(new Request('http://crm.test/touchpoints?signal=suggested'));
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Json).items).toEqual([flagged]);
    expect(((await (await handler(new Request('http://crm.test/touchpoints?signal=dismissed'))).json()) as Json).items).toEqual([]);

    const bad = await handler(new Request('http://crm.test/touchpoints?signal=maybe'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).issues).toEqual([
      { path: ['signal'], field: 'signal', code: 'invalid_value', message: 'expected one of "suggested", "accepted", "dismissed"' },
    ]);

    const doc = (await (await handler(new Request('http://crm.test/openapi.json'))).json()) as Json;
    const param = doc.paths['/touchpoints'].get.parameters.find((p: Json) => p.name === 'signal');
    expect(param).toMatchObject({ in: 'query', schema: { enum: ['suggested', 'accepted', 'dismissed'] } });
  });
});
