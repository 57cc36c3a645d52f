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

// Mutants Stryker found surviving in rest/handler.ts (`npm run mutate -- rest`).
describe('createRestHandler options, checked at once', () => {
  const authorize = () => ({ tenant: 't' });
  const store = memoryStore();
  const message = (options: unknown) => {
    try {
      createRestHandler(options as never);
    } catch (error) {
      return String(error);
    }
    return 'accepted';
  };

  it('names each bad option', () => {
    for (const options of [undefined, null, 'store', 42]) {
      expect(message(options)).toBe('TypeError: createRestHandler: pass an options object: { store, authorize }');
    }
    for (const bad of [{}, { get: 'no' }, 'store']) {
      expect(message({ store: bad, authorize })).toBe('TypeError: createRestHandler: `store` must be a CrmStore or a function (principal) => CrmStore');
    }
    for (const basePath of ['api', '/api/', '/', 7]) {
      expect(message({ store, authorize, basePath })).toBe(
        'TypeError: createRestHandler: `basePath` must be "" or a path that starts with "/" and does not end with one, such as "/api/crm"',
      );
    }
    for (const name of ['heartbeatMs', 'pollIntervalMs']) {
      for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5']) {
        expect(message({ store, authorize, [name]: value }), `${name}: ${String(value)}`).toBe(
          `TypeError: createRestHandler: \`${name}\` must be a number of milliseconds above 0`,
        );
      }
    }
    for (const maxBodyBytes of [0, -1, 1.5]) {
      expect(message({ store, authorize, maxBodyBytes })).toBe('TypeError: createRestHandler: `maxBodyBytes` must be a whole number of bytes, 1 or more');
    }
  });

  it('accepts the smallest good values', async () => {
    for (const options of [{ maxBodyBytes: 1 }, { heartbeatMs: 0.5, pollIntervalMs: 1 }, { basePath: '' }, { basePath: '/a' }]) {
      expect(message({ store, authorize, ...options })).toBe('accepted');
    }
    const tiny = createRestHandler({ store: memoryStore(), authorize: bearerTenant, maxBodyBytes: 1 });
    const one = await tiny(new Request('http://crm.test/writes', { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: '1' }));
    expect(one.status).toBe(400); // read (a JSON number, not a write), not refused as too large
    const two = await tiny(new Request('http://crm.test/writes', { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' }, body: '12' }));
    expect(two.status).toBe(413);
  });

  it('without onError, an unexpected error is logged with console.error', async () => {
    const failing = { ...memoryStore(), get: () => Promise.reject(new Error('disk on fire')) } as CrmStore;
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const handler = createRestHandler({ store: failing, authorize: bearerTenant });
      const response = await handler(new Request('http://crm.test/customers/x', { headers: AUTH }));
      expect(response.status).toBe(500);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]![0]).toBe('@crm/adapters/rest: request failed');
      expect(String(spy.mock.calls[0]![1])).toBe('Error: disk on fire');
    } finally {
      spy.mockRestore();
    }
  });

  it('the OpenAPI document: JSON, with the base path and the info given (or the defaults)', async () => {
    const read = async (options: Partial<Parameters<typeof createRestHandler>[0]>, path = '/openapi.json') => {
      const handler = createRestHandler({ store: memoryStore(), authorize: bearerTenant, ...options });
      const response = await handler(new Request(`http://crm.test${path}`));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      return (await response.json()) as { info: { title: string; version: string }; servers: { url: string }[] };
    };
    expect(await read({})).toMatchObject({ info: { title: 'CRM API', version: '1' }, servers: [{ url: '/' }] });
    expect(await read({ basePath: '/api/crm', info: { title: 'Acme CRM' } }, '/api/crm/openapi.json')).toMatchObject({
      info: { title: 'Acme CRM', version: '1' },
      servers: [{ url: '/api/crm' }],
    });
    expect((await read({ info: { version: '2.1' } })).info).toEqual(expect.objectContaining({ title: 'CRM API', version: '2.1' }));
  });
});

describe('requests at the edges', () => {
  it('a path outside basePath is a 404 even when its first segment has the base path’s length', async () => {
    const store = memoryStore();
    const handler = createRestHandler({ store, authorize: bearerTenant, basePath: '/api' });
    for (const path of ['/abc/customers', '/customers', '/API/customers']) {
      expect((await handler(new Request(`http://crm.test${path}`, { headers: AUTH }))).status, path).toBe(404);
    }
  });

  it('a principal must be an object: a function with a tenant authenticates nobody', async () => {
    const onError = vi.fn();
    const handler = createRestHandler({ store: memoryStore(), authorize: () => Object.assign(() => {}, { tenant: 'acme' }) as never, onError });
    expect((await handler(new Request('http://crm.test/customers'))).status).toBe(401);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('a request whose URL does not parse is a 404 problem', async () => {
    const handler = createRestHandler({ store: memoryStore(), authorize: bearerTenant });
    const response = await handler({ url: 'not a url', method: 'GET', headers: new Headers(AUTH) } as unknown as Request);
    expect(await problemOf(response, 404)).toEqual({
      type: 'urn:crm:problem:unknown-route',
      title: 'No such route',
      status: 404,
      detail: 'No route matches this URL',
    });
  });

  it('the change stream: its headers, an empty Last-Event-ID is none, and one that is not a whole number is a 400', async () => {
    const store = memoryStore();
    for (let i = 0; i < 12; i++) await store.write([createOp('customers', makeCustomer())]);
    const handler = createRestHandler({ store, authorize: bearerTenant });
    const open = async (lastEventId?: string) => {
      const controller = new AbortController();
      const headers: Record<string, string> = { ...AUTH };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      const response = await handler(new Request('http://crm.test/changes/stream', { headers, signal: controller.signal }));
      return { response, close: () => controller.abort() };
    };
    for (const header of [undefined, '', '  ', '1', '12', '012']) {
      const { response, close } = await open(header);
      expect(response.status, JSON.stringify(header)).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache, no-store');
      expect(response.headers.get('x-accel-buffering')).toBe('no');
      await response.body?.cancel();
      close();
    }
    for (const header of ['x1', '1x', '1.5', '-1', '1234567890123456']) {
      const { response } = await open(header);
      const body = await problemOf(response, 400);
      expect(body, header).toMatchObject({
        detail: expect.stringContaining('Last-Event-ID header'),
        issues: [{ path: ['Last-Event-ID'], message: 'must be the id of an event of this stream (a whole number)' }],
      });
    }
  });
});
