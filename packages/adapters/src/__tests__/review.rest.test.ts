import { memoryStore } from '@crm/core';
import { createOp, makeCustomer } from '@crm/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restStore } from '../rest/index.js';
import { perTenant, startRestServer, type RestServer } from './restServer.js';

let server: RestServer;
beforeAll(async () => {
  server = await startRestServer(perTenant(() => memoryStore()));
});
afterAll(() => server?.close());

describe('review: restStore with ids that URLs normalize away', () => {
  it('get of "." or ".." is null and their history is empty, as for any unknown id', async () => {
    const store = restStore({ baseUrl: server.url, headers: server.headersOf('dots'), retry: false });
    try {
      // A customer whose id is a route segment: `customers/./history` would read as `customers/history`.
      const history = { ...makeCustomer(), id: 'history' };
      await store.write([createOp('customers', history)]);
      expect(await store.history('')).toEqual({ items: [], nextCursor: null });
      for (const id of ['.', '..']) {
        expect(await store.get('customers', id)).toBeNull();
        expect(await store.get('touchpoints', id)).toBeNull();
        expect(await store.history(id)).toEqual({ items: [], nextCursor: null });
      }
    } finally {
      await store.close();
    }
  });
});

describe('review: restStore.write while subscribed', () => {
  it('leaves no timer behind once the stream is ready (an app that unsubscribes can exit)', async () => {
    const store = restStore({ baseUrl: server.url, headers: server.headersOf('timers'), timeoutMs: 60_000 });
    const heard: number[] = [];
    const stop = store.subscribe!((changes) => heard.push(...changes.map((c) => c.seq)));
    const timeouts = () => (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    try {
      await store.write([createOp('customers', makeCustomer())]);
      await expect.poll(() => heard).toEqual([1]);
      const before = timeouts();
      for (let i = 0; i < 5; i++) await store.write([createOp('customers', makeCustomer())]);
      await expect.poll(() => heard.length).toBe(6);
      // Each write waited for the stream (ready at once): a 60 s timer per write would still be pending.
      expect(timeouts()).toBeLessThan(before + 5);
      stop();
    } finally {
      await store.close();
    }
  });
});

describe('review: restStore.list with a filter named like a page parameter', () => {
  it('is an unknown filter, as in every store, not a page size, cursor or order', async () => {
    const store = restStore({ baseUrl: server.url, headers: server.headersOf('filters'), retry: false });
    const memory = memoryStore();
    try {
      for (const filter of [{ limit: 1 }, { order: 'asc' }, { cursor: 'x' }] as never[]) {
        await expect(memory.list('customers', { filter })).rejects.toMatchObject({ code: 'VALIDATION' });
        await expect(store.list('customers', { filter })).rejects.toMatchObject({ code: 'VALIDATION' });
      }
    } finally {
      await store.close();
    }
  });
});
