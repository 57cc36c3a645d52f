import { CrmError, CrmRemoteError, createCrm, isCrmError, manualClock, memoryStore, type Crm, type CrmEvents } from '@crm/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { remoteCrm, serviceOpenApiDocument, type RemoteCrmOptions } from '../rest/index.js';
import { SERVICE_ROUTES } from '../rest/service/routes.js';
import { startCrmServer } from './crmServer.js';
import { failure, STAFF, STANDARD, until } from './serviceSuite.js';

// What is particular to remoteCrm and the service handler beyond the shared service suite: what
// only a server has, closing, retries, reconnection, SLA events from the server's scheduler,
// the HTTP edges of the handler and its OpenAPI document.
const crms = new Map<string, Crm>();
const server = await startCrmServer((tenant) => crms.get(tenant)!);
afterAll(() => server.close());

let tenants = 0;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** A fresh tenant with its server-side CRM, and a remote CRM on it as staff member `linda`. */
function setup(options: Parameters<typeof createCrm>[0] = {}, remote: Partial<RemoteCrmOptions> = {}) {
  const tenant = `remote-${++tenants}`;
  const clock = manualClock('2026-03-02T09:00:00Z');
  const local = createCrm({ clock, staff: STAFF, ...options });
  crms.set(tenant, local);
  const crm = remoteCrm({ baseUrl: server.url, headers: server.staff(tenant, 'linda'), retry: { limit: 2, baseMs: 1, maxMs: 5 }, ...remote });
  cleanup.push(() => local.close(), () => crm.close());
  return { tenant, local, crm, clock };
}

/** A fetch that answers the first `count` requests matching `match` with `status`, and counts every request. */
function flakyFetch(match: (url: string, init: RequestInit | undefined, request: Request) => boolean, status: number, count = 1) {
  const seen: string[] = [];
  let left = count;
  const flaky = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
    if (left > 0 && match(request.url, init, request)) {
      left--;
      return new Response(JSON.stringify({ type: 'urn:crm:problem:upstream', title: 'Unavailable', status }), {
        status,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '0' },
      });
    }
    return fetch(request);
  };
  return { fetch: flaky as typeof fetch, seen };
}

describe('what only the server has', () => {
  it('is explicit: the SLA scheduler, statusOf and the store are refused with a CrmError saying why', async () => {
    const { crm } = setup();
    const start = await failure(crm.sla.start());
    expect(start).toBeInstanceOf(CrmError);
    expect(start.message).toMatch(/^remoteCrm: The SLA scheduler \(sla\.start\) runs on the server, behind createCrmHandler/);
    expect(() => crm.sla.statusOf({} as never)).toThrow(/ask the server with sla\.status/);
    expect(() => crm.store).toThrow(CrmError);
    expect(() => crm.store).toThrow(/remoteCrm has no store: .* restStore/);
    expect(Object.keys(crm)).not.toContain('store');
    expect({ running: crm.sla.running, tracked: crm.sla.tracked, policies: crm.sla.policies, staff: crm.staff, policy: crm.contactPolicy.policy }).toEqual({
      running: false,
      tracked: 0,
      policies: [],
      staff: [],
      policy: null,
    });
    crm.sla.stop();
    await crm.sla.idle();
    expect(crm.clock.now()).toBeInstanceOf(Date);
  });

  it('announces the server scheduler’s SLA crossings as sla.* events', async () => {
    const { crm, local, clock } = setup({ slaPolicies: [STANDARD] });
    const events: string[] = [];
    const payloads: CrmEvents['sla.breached'][] = [];
    crm.on('sla.warning', ({ target }) => events.push(`warning:${target}`));
    crm.on('sla.breached', (payload) => {
      events.push(`breached:${payload.target}`);
      payloads.push(payload);
    });
    await local.sla.start();
    const ada = await crm.customers.create({ name: 'Ada' });
    const complaint = await crm.complaints.open({ customerId: ada.id, subject: 'Broken', channel: 'call', priority: 'high' });
    clock.advance(61 * 60_000);
    await local.sla.idle();
    await until(() => events.includes('breached:firstResponse'));
    expect(events).toEqual(['warning:firstResponse', 'breached:firstResponse']);
    expect(payloads[0]).toMatchObject({ target: 'firstResponse', dueAt: '2026-03-02T10:00:00.000Z', complaint: { id: complaint.id } });
  });
});

describe('closing', () => {
  it('ends the event stream and refuses every call afterwards with code CLOSED', async () => {
    const { crm } = setup();
    crm.subscribe(() => {});
    await crm.customers.create({ name: 'Ada' });
    await crm.close();
    const error = await failure(crm.customers.list());
    expect(isCrmError(error, 'CLOSED')).toBe(true);
    expect(error.message).toBe('remoteCrm: closed');
    expect(() => crm.subscribe(() => {})).toThrow(/closed/);
  });
});

describe('retries', () => {
  it('retries a read that failed with a retryable status, after the shared policy', async () => {
    const flaky = flakyFetch((url) => url.includes('/customers'), 503, 2);
    const { crm } = setup({}, { fetch: flaky.fetch });
    expect((await crm.customers.list()).items).toEqual([]);
    expect(flaky.seen).toEqual(['GET /api/customers', 'GET /api/customers', 'GET /api/customers']);
  });

  it('never retries a write blindly', async () => {
    const flaky = flakyFetch((_url, _init, request) => request.method === 'POST', 503);
    const { crm, local } = setup({}, { fetch: flaky.fetch });
    const error = await failure(crm.customers.create({ name: 'Ada' }));
    expect(error).toBeInstanceOf(CrmRemoteError);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(flaky.seen).toEqual(['POST /api/customers']);
    expect((await local.customers.list()).items).toEqual([]);
  });

  it('says when no answer came at all', async () => {
    const { crm } = setup({}, { baseUrl: 'http://127.0.0.1:9/api', retry: false, timeoutMs: 2000 });
    const error = await failure(crm.customers.get('01HZZZZZZZZZZZZZZZZZZZZZZZ'));
    expect(error).toBeInstanceOf(CrmRemoteError);
    expect(error).toMatchObject({ status: 0, retryable: true });
    expect(error.message).toMatch(/^remoteCrm: GET \/customers\/01HZZZZZZZZZZZZZZZZZZZZZZZ failed: no response/);
  });
});

describe('the event stream', () => {
  it('reconnects with Last-Event-ID after a dropped connection, and misses no write', async () => {
    let connections = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const resumedFrom: (string | null)[] = [];
    const gated = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname.endsWith('/events') && ++connections > 1) {
        resumedFrom.push(request.headers.get('last-event-id'));
        await gate;
      }
      return fetch(request);
    }) as typeof fetch;
    const { crm, local } = setup({}, { fetch: gated });
    const names: string[] = [];
    crm.on('customer.created', ({ customer }) => names.push(customer.name));
    await crm.customers.create({ name: 'Before' });
    await until(() => names.length === 1);
    server.server.closeAllConnections(); // Drops the stream.
    await until(() => connections === 2);
    await local.customers.create({ name: 'While away 1' });
    await local.customers.create({ name: 'While away 2' });
    release();
    await until(() => names.length === 3);
    expect(names).toEqual(['Before', 'While away 1', 'While away 2']);
    expect(resumedFrom).toEqual([expect.stringMatching(/^\d+$/)]);
  });

  it('restarts at the live end, telling error handlers, when the server’s feed no longer holds its position', async () => {
    const store = memoryStore({ feedRetention: 2 });
    let connections = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gated = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname.endsWith('/events') && ++connections === 2) await gate;
      return fetch(request);
    }) as typeof fetch;
    const { crm, local } = setup({ store }, { fetch: gated });
    const errors: unknown[] = [];
    const names: string[] = [];
    crm.on('error', ({ error, event }) => event === 'feed' && errors.push(error));
    crm.on('customer.created', ({ customer }) => names.push(customer.name));
    await crm.customers.create({ name: 'First' });
    await until(() => names.length === 1);
    server.server.closeAllConnections();
    await until(() => connections === 2);
    for (let i = 0; i < 4; i++) await local.customers.create({ name: `Lost ${i}` });
    release();
    await until(() => errors.length === 1);
    expect(isCrmError(errors[0], 'FEED_EXPIRED')).toBe(true);
    await until(() => connections >= 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await local.customers.create({ name: 'After' });
    await until(() => names.includes('After'));
    expect(names.filter((name) => name.startsWith('Lost'))).toEqual([]);
  });

  it('keeps one stream for all listeners, open while any listens', async () => {
    let streams = 0;
    const counting = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (new URL(request.url).pathname.endsWith('/events')) streams++;
      return fetch(request);
    }) as typeof fetch;
    const { crm } = setup({}, { fetch: counting });
    const heard: number[] = [];
    const stopA = crm.subscribe((changes) => heard.push(changes.length));
    const stopB = crm.on('customer.created', () => heard.push(0));
    await crm.customers.create({ name: 'Ada' });
    await until(() => heard.length === 2);
    expect(streams).toBe(1);
    stopA();
    stopB();
    const before = streams;
    await crm.customers.create({ name: 'Bob' });
    expect(streams).toBe(before);
  });
});

describe('the handler at the HTTP edges', () => {
  const raw = async (tenant: string, method: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, { method, ...init, headers: { ...server.staff(tenant, 'linda'), ...(init.headers as object) } });
    return { status: response.status, allow: response.headers.get('allow'), type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  };

  it('answers problems for unknown routes, wrong methods, bodies that are not JSON objects and unknown parameters', async () => {
    const { tenant } = setup();
    expect(await raw(tenant, 'GET', '/nowhere')).toMatchObject({ status: 404, type: 'application/problem+json', body: { type: 'urn:crm:problem:unknown-route' } });
    expect(await raw(tenant, 'DELETE', '/customers')).toMatchObject({ status: 405, allow: 'POST, GET' });
    expect(await raw(tenant, 'GET', '/complaints/x/resolve')).toMatchObject({ status: 405, allow: 'POST' });
    expect(await raw(tenant, 'POST', '/customers', { body: 'name=Ada', headers: { 'content-type': 'text/plain' } })).toMatchObject({ status: 415 });
    expect(await raw(tenant, 'POST', '/customers', { body: '{"name":', headers: { 'content-type': 'application/json' } })).toMatchObject({ status: 400, body: { code: 'VALIDATION' } });
    expect(await raw(tenant, 'POST', '/customers', { body: '[1]', headers: { 'content-type': 'application/json' } })).toMatchObject({ status: 400, body: { detail: 'Invalid request body: expected a JSON object' } });
    expect(await raw(tenant, 'GET', '/customers?colour=red')).toMatchObject({ status: 400, body: { issues: [expect.objectContaining({ code: 'unknown_field' })] } });
    expect(await raw(tenant, 'PATCH', '/customers/x', { body: '{"name":"Ada"}', headers: { 'content-type': 'application/json' } })).toMatchObject({
      status: 400,
      body: { issues: [expect.objectContaining({ field: 'patch' })] },
    });
    expect(await raw(tenant, 'GET', '/events', { headers: { 'last-event-id': 'yesterday' } })).toMatchObject({ status: 400 });
    const big = await startCrmServer(() => crms.get(tenant)!, { maxBodyBytes: 100 });
    cleanup.push(() => big.close());
    const tooLarge = await fetch(`${big.url}/customers`, { method: 'POST', headers: { ...big.staff(tenant, 'linda'), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(200) }) });
    expect(tooLarge.status).toBe(413);
  });

  it('checks its options with messages that name them', async () => {
    await expect(startCrmServer({} as never)).rejects.toThrow(/^createCrmHandler: `crm` must be a Crm/);
    await expect(startCrmServer(() => crms.get('x')!, { basePath: 'api/' })).rejects.toThrow(/`basePath` must be ""/);
    expect(() => remoteCrm({ baseUrl: 'not a url' })).toThrow(/^remoteCrm: `baseUrl` must be an absolute URL/);
    expect(() => remoteCrm({ baseUrl: 'http://x', retry: -1 })).toThrow(/retry\.limit/);
  });
});

describe('the OpenAPI document', () => {
  const doc = serviceOpenApiDocument({ basePath: '/api', title: 'CRM service API', version: '1' }) as {
    paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; description: string }>>;
    components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
  };

  it('describes every operation once, with who may call it and its problems', () => {
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const route of SERVICE_ROUTES) {
      for (const [method, operation] of Object.entries(route.methods)) {
        const described = doc.paths[route.path]![method.toLowerCase()]!;
        expect(described.operationId).toBe(operation.operationId);
        expect(described.responses).toHaveProperty(operation.creates ? '201' : '200');
        expect(described.responses).toHaveProperty('403');
        expect(described.description).toMatch(operation.roles.length === 2 ? /For staff and customers\./ : /For staff only\./);
      }
    }
    expect(doc.paths['/touchpoints']!.post!.responses).toHaveProperty('422');
    expect(doc.paths['/events']!.get!.responses).toHaveProperty('410');
  });

  it('resolves every reference', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(schemas|responses)\/([A-Za-z]+)"/g)];
    expect(refs.length).toBeGreaterThan(50);
    for (const [, kind, name] of refs) expect(doc.components[kind as 'schemas' | 'responses'], `${kind}/${name}`).toHaveProperty(name!);
    expect(doc.components.schemas.CustomerInput).toMatchObject({ type: 'object', properties: { name: expect.any(Object) } });
  });

  it('is served at GET /openapi.json', async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
