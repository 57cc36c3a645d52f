import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CrmConflictError, CrmNotFoundError, CrmRemoteError, CrmValidationError, memoryStore } from '@crm/core';
import { createOp, makeCustomer, nextVersion, updateOp } from '@crm/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { restStore } from '../rest/index.js';
import { startRestServer } from './restServer.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw HTTP server answering with `respond`, recording each request's method and path. */
async function rawServer(respond: (req: IncomingMessage, res: ServerResponse, attempt: number) => void) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    respond(req, res, seen.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const problem = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ status, title: 'x', ...body }));
};

const caught = (promise: Promise<unknown>) => promise.then(
  () => {
    throw new Error('expected a rejection');
  },
  (error: unknown) => error,
);

describe('retries', () => {
  it('retries a GET answered 503 with Retry-After, after the delay it asks for (capped), then succeeds', async () => {
    const record = makeCustomer();
    const times: number[] = [];
    const server = await rawServer((_req, res, attempt) => {
      times.push(Date.now());
      if (attempt === 1) return problem(res, 503, { type: 'about:blank' }, { 'retry-after': '1' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(record));
    });
    // Retry-After: 1 (second) is capped at maxMs: 40 ms.
    const store = restStore({ baseUrl: server.url, retry: { limit: 2, maxMs: 40 } });
    expect(await store.get('customers', record.id)).toEqual(record);
    expect(server.seen).toEqual([`GET /customers/${record.id}`, `GET /customers/${record.id}`]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(35);
    expect(times[1]! - times[0]!).toBeLessThan(900);
  });

  it('waits exactly what Retry-After says (fake timers), and gives up after `limit` retries', async () => {
    vi.useFakeTimers();
    const calls: string[] = [];
    const fetch = vi.fn(async (input: Request) => {
      calls.push(input.method);
      return new Response('{"status":429,"title":"Slow down","type":"about:blank"}', {
        status: 429,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '2' },
      });
    });
    const store = restStore({ baseUrl: 'http://crm.test', fetch: fetch as typeof globalThis.fetch, retry: 2 });
    const result = caught(store.list('customers'));
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toHaveLength(3);
    const error = (await result) as CrmRemoteError;
    expect(error).toBeInstanceOf(CrmRemoteError);
    expect({ status: error.status, retryable: error.retryable, message: error.message }).toMatchInlineSnapshot(`
      {
        "message": "restStore: GET /customers answered 429: Slow down",
        "retryable": true,
        "status": 429,
      }
    `);
    expect(calls).toHaveLength(3);
  });

  it('backs off exponentially with jitter when no Retry-After is given', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const fetch = vi.fn(async () => (++calls < 3 ? new Response('down', { status: 502 }) : Response.json({ changes: [], lastSeq: 0 })));
    const store = restStore({ baseUrl: 'http://crm.test', fetch: fetch as never, retry: { limit: 3, baseMs: 100, random: () => 0.5 } });
    const result = store.changes({ since: 0 });
    await vi.advanceTimersByTimeAsync(49);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1); // 0.5 × 100
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(1); // 0.5 × 200
    expect(await result).toEqual({ changes: [], lastSeq: 0 });
  });

  it('never retries the POST write, whatever the status or failure', async () => {
    const server = await rawServer((_req, res) => problem(res, 503, { type: 'about:blank' }, { 'retry-after': '0' }));
    const store = restStore({ baseUrl: server.url, retry: { limit: 5, baseMs: 1 } });
    const error = (await caught(store.write([createOp('customers', makeCustomer())]))) as CrmRemoteError;
    expect(error).toBeInstanceOf(CrmRemoteError);
    expect([error.status, error.retryable]).toEqual([503, true]);
    expect(server.seen).toEqual(['POST /writes']);

    let attempts = 0;
    const failing = restStore({
      baseUrl: 'http://crm.test',
      fetch: (async () => {
        attempts++;
        throw new TypeError('fetch failed');
      }) as never,
      retry: { limit: 5, baseMs: 1 },
    });
    const network = (await caught(failing.write([createOp('customers', makeCustomer())]))) as CrmRemoteError;
    expect([network.status, network.retryable, attempts]).toEqual([0, true, 1]);
  });

  it('network failures of reads are CrmRemoteError(status 0, retryable), retried `limit` times', async () => {
    let attempts = 0;
    const store = restStore({
      baseUrl: 'http://crm.test',
      fetch: (async () => {
        attempts++;
        throw new TypeError('fetch failed');
      }) as never,
      retry: { limit: 2, baseMs: 1 },
    });
    const error = (await caught(store.get('customers', 'x'))) as CrmRemoteError;
    expect(error).toBeInstanceOf(CrmRemoteError);
    expect({ status: error.status, retryable: error.retryable, message: error.message }).toMatchInlineSnapshot(`
      {
        "message": "restStore: GET /customers/x failed: no response from the server",
        "retryable": true,
        "status": 0,
      }
    `);
    expect(attempts).toBe(3);
    expect((error.cause as Error).message).toBe('fetch failed');
  });

  it('a request that takes longer than timeoutMs fails as a timeout (and, for a read, is retried)', async () => {
    let attempts = 0;
    const hanging = (async (input: Request) => {
      attempts++;
      return new Promise<Response>((_resolve, reject) => input.signal.addEventListener('abort', () => reject(input.signal.reason)));
    }) as never;
    const store = restStore({ baseUrl: 'http://crm.test', fetch: hanging, timeoutMs: 20, retry: { limit: 1, baseMs: 1 } });
    const error = (await caught(store.list('complaints'))) as CrmRemoteError;
    expect({ status: error.status, retryable: error.retryable, message: error.message }).toMatchInlineSnapshot(`
      {
        "message": "restStore: GET /complaints timed out after 20 ms",
        "retryable": true,
        "status": 0,
      }
    `);
    expect(attempts).toBe(2);
  });
});

describe('errors from the server', () => {
  it('map back to the CrmError the store threw', async () => {
    const server = await startRestServer(memoryStore());
    cleanups.push(() => server.close());
    const store = restStore({ baseUrl: server.url, headers: server.headersOf('t') });
    const c = makeCustomer();
    await store.write([createOp('customers', c)]);

    const invalid = (await caught(store.write([createOp('customers', { ...makeCustomer(), emails: ['nope'], version: 3 })]))) as CrmValidationError;
    expect(invalid).toBeInstanceOf(CrmValidationError);
    expect(invalid.message).toMatchInlineSnapshot(`"Invalid store write: ops[0].record.emails[0]: invalid email address"`);
    expect(invalid.fieldErrors()).toEqual({ 'ops[0].record.emails[0]': ['invalid email address'] });

    const conflict = (await caught(store.write([updateOp('customers', { ...nextVersion(c), version: 9 }, 8)]))) as CrmConflictError;
    expect(conflict).toBeInstanceOf(CrmConflictError);
    expect([conflict.entity, conflict.id, conflict.expectedVersion, conflict.currentVersion]).toEqual(['customer', c.id, 8, 1]);
    expect(conflict.message).toBe(`Cannot update customer "${c.id}": expected version 8 but it is at version 1; read it again and retry`);

    expect(await store.get('customers', 'unknown-id')).toBeNull();
    expect(await store.get('customers', '')).toBeNull();
    expect(await store.get('customers', 'a/b?c#d')).toBeNull();
    await expect(store.get('bogus' as never, c.id)).rejects.toBeInstanceOf(CrmValidationError);
    await expect(store.list('customers', { filter: { nickname: 'x' } as never })).rejects.toThrow('filter.nickname: unknown filter');

    const denied = restStore({ baseUrl: server.url, retry: false });
    const unauthorized = (await caught(denied.list('customers'))) as CrmRemoteError;
    expect(unauthorized).toBeInstanceOf(CrmRemoteError);
    expect([unauthorized.status, unauthorized.remoteCode, unauthorized.retryable]).toEqual([401, 'urn:crm:problem:unauthorized', false]);
    // A baseUrl that misses the API: unknown routes are not "no such record".
    const lost = restStore({ baseUrl: `${server.url}/v9`, headers: server.headersOf('t'), retry: false });
    const wrong = (await caught(lost.get('customers', c.id))) as CrmRemoteError;
    expect(wrong).toBeInstanceOf(CrmRemoteError);
    expect(wrong.status).toBe(404);
  });

  it('a 404 problem for a record becomes CrmNotFoundError elsewhere; a non-JSON 5xx is a CrmRemoteError', async () => {
    const server = await rawServer((req, res) => {
      if (req.url!.startsWith('/changes')) return problem(res, 404, { type: 'urn:crm:problem:not-found', entity: 'customer' });
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html>Stack trace: at db.query (/srv/app.js:12)</html>');
    });
    const store = restStore({ baseUrl: server.url, retry: false });
    await expect(store.changes({ since: 0 })).rejects.toBeInstanceOf(CrmNotFoundError);
    const error = (await caught(store.history('c1'))) as CrmRemoteError;
    expect(error).toBeInstanceOf(CrmRemoteError);
    expect({ status: error.status, retryable: error.retryable, message: error.message }).toMatchInlineSnapshot(`
      {
        "message": "restStore: GET /customers/c1/history answered 500",
        "retryable": true,
        "status": 500,
      }
    `);
  });
});

describe('close', () => {
  it('aborts requests in flight, and every later call rejects', async () => {
    let started = 0;
    const hanging = (async (input: Request) => {
      started++;
      return new Promise<Response>((_resolve, reject) => input.signal.addEventListener('abort', () => reject(input.signal.reason)));
    }) as never;
    const store = restStore({ baseUrl: 'http://crm.test', fetch: hanging, timeoutMs: 60_000 });
    const pending = caught(store.list('customers'));
    await vi.waitFor(() => expect(started).toBe(1));
    await store.close();
    expect(((await pending) as Error).message).toBe('restStore: the store is closed');
    await expect(store.get('customers', 'x')).rejects.toThrow('closed');
    await expect(store.write([createOp('customers', makeCustomer())])).rejects.toThrow('closed');
    expect(started).toBe(1);
  });
});

describe('options', () => {
  it('are checked at once, with messages naming the option', () => {
    expect(() => restStore({ baseUrl: 'not a url' })).toThrowErrorMatchingInlineSnapshot(`[TypeError: restStore: \`baseUrl\` must be an absolute URL, such as "https://crm.example.com/api/crm"]`);
    expect(() => restStore({ baseUrl: 'http://x', timeoutMs: 0 })).toThrowErrorMatchingInlineSnapshot(`[TypeError: restStore: \`timeoutMs\` must be a number of milliseconds above 0]`);
    expect(() => restStore({ baseUrl: 'http://x', retry: { limit: -1 } })).toThrowErrorMatchingInlineSnapshot(`[TypeError: restStore: \`retry.limit\` must be a whole number, 0 or more]`);
    expect(() => restStore({ baseUrl: 'http://x', headers: 'token' as never })).toThrowErrorMatchingInlineSnapshot(`[TypeError: restStore: \`headers\` must be an object or a function]`);
    expect(restStore({ baseUrl: new URL('http://x/api/') }).kind).toBe('rest');
  });

  it('headers may be a function, called for every request', async () => {
    const server = await startRestServer(memoryStore());
    cleanups.push(() => server.close());
    let calls = 0;
    const store = restStore({ baseUrl: server.url, headers: async () => (calls++, server.headersOf('t')) });
    await store.list('customers');
    await store.changes({ since: 0 });
    expect(calls).toBe(2);
  });
});
