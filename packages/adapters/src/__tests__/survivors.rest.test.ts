/**
 * Tests for mutants that survived the suite (issue 17): each one fails when its mutant is put
 * back in `rest/handler.ts` or `rest/routes.ts`.
 */
import { memoryStore, type CrmStore } from '@crm/core';
import { createOp, makeCustomer } from '@crm/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { createRestHandler, type Problem } from '../rest/index.js';
import { bearerTenant } from './restServer.js';

const MiB = 1_048_576;
const AUTH = { authorization: 'Bearer tenant:a' };

async function problemOf(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as Problem;
}

describe('authorize returning undefined (`|| principal === undefined`)', () => {
  it('is a 401, like null, and is not reported to onError as a broken authorize', async () => {
    const onError = vi.fn();
    for (const principal of [undefined, null]) {
      const handler = createRestHandler({ store: memoryStore(), authorize: () => principal, onError });
      const asyncHandler = createRestHandler({ store: memoryStore(), authorize: async () => principal, onError });
      for (const handle of [handler, asyncHandler]) {
        for (let i = 0; i < 2; i++) {
          const body = await problemOf(await handle(new Request('http://crm.test/customers')), 401);
          expect(body).toMatchObject({ type: 'urn:crm:problem:unauthorized', status: 401, detail: 'Authenticate to use this API' });
        }
      }
    }
    // undefined and null are the documented ways to refuse: nothing to tell the server about.
    expect(onError).not.toHaveBeenCalled();
  });
});

describe('basePath is a path prefix, not a text prefix (`if (!rest.startsWith(\'/\')) return null`)', () => {
  it('paths that only share the base path as text are 404s, and nothing is served from them', async () => {
    const store = memoryStore();
    const c = makeCustomer();
    await store.write([createOp('customers', c)]);
    const handler = createRestHandler({ store, authorize: bearerTenant, basePath: '/api' });
    // The real route works.
    expect((await handler(new Request('http://crm.test/api/customers', { headers: AUTH }))).status).toBe(200);
    expect((await handler(new Request(`http://crm.test/api/customers/${c.id}`, { headers: AUTH }))).status).toBe(200);
    for (const path of ['/apiXcustomers', '/api-customers', `/apiXcustomers/${c.id}`, '/apis/customers', '/api']) {
      const body = await problemOf(await handler(new Request(`http://crm.test${path}`, { headers: AUTH })), 404);
      expect(body, path).toMatchObject({ type: 'urn:crm:problem:unknown-route', instance: path });
    }
    const write = await handler(
      new Request('http://crm.test/apiXwrites', {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ ops: [createOp('customers', makeCustomer())] }),
      }),
    );
    expect(write.status).toBe(404);
    expect((await store.changes({ since: 0, limit: 10 })).changes).toHaveLength(1);
  });
});

describe('the default maxBodyBytes is 1 MiB', () => {
  async function post(handler: (r: Request) => Promise<Response>, body: string, announce: boolean) {
    const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' } };
    // Without Content-Length (a stream), the limit is enforced on the bytes read.
    if (announce) init.body = body;
    else {
      init.body = new Blob([body]).stream();
      init.duplex = 'half';
    }
    return handler(new Request('http://crm.test/writes', init));
  }

  it('accepts a body of exactly 1 MiB and refuses one of 1 MiB + 1 byte with a 413', async () => {
    const stores = new Map<string, CrmStore>();
    const handler = createRestHandler({
      store: ({ tenant }) => stores.get(tenant) ?? stores.set(tenant, memoryStore()).get(tenant)!,
      authorize: bearerTenant,
    });
    // A new customer each time (the same one twice is a 409).
    const json = () => JSON.stringify({ ops: [createOp('customers', makeCustomer())] });
    for (const announce of [true, false]) {
      // JSON may end in whitespace: padded to the size wanted, the body stays a valid write.
      const ok = await post(handler, json().padEnd(MiB, ' '), announce);
      expect(ok.status).toBe(200);
      const under = await post(handler, json().padEnd(MiB - 1, ' '), announce);
      expect(under.status).toBe(200);
      const over = await problemOf(await post(handler, json().padEnd(MiB + 1, ' '), announce), 413);
      expect(over).toMatchObject({ type: 'urn:crm:problem:body-too-large', detail: 'The request body must be at most 1048576 bytes' });
    }
    expect((await stores.get('a')!.changes({ since: 0, limit: 10 })).changes).toHaveLength(4); // two sizes accepted, twice
  });
});

describe('GET /changes without since reads from the start (`since = 0`)', () => {
  it('returns the very first change', async () => {
    const store = memoryStore();
    const [a, b] = [makeCustomer(), makeCustomer()];
    await store.write([createOp('customers', a)]);
    await store.write([createOp('customers', b)]);
    const handler = createRestHandler({ store, authorize: bearerTenant });
    const response = await handler(new Request('http://crm.test/changes', { headers: AUTH }));
    expect(response.status).toBe(200);
    const page = (await response.json()) as { lastSeq: number; changes: { seq: number; id: string }[] };
    expect(page.lastSeq).toBe(2);
    expect(page.changes.map((c) => [c.seq, c.id])).toEqual([
      [1, a.id],
      [2, b.id],
    ]);
    // The same as asking for since=0.
    const explicit = await handler(new Request('http://crm.test/changes?since=0', { headers: AUTH }));
    expect(await explicit.json()).toEqual(page);
  });
});
