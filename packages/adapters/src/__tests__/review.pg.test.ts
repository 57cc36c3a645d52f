import { type Change } from '@crm/core';
import { createOp, makeCustomer, newId } from '@crm/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pgDriver, sqlStore } from '../sql/index.js';
import { createRestHandler, readServerSentEvents, type ServerSentEvent } from '../rest/index.js';
import { freshPgSchema } from './sqlHelpers.js';

let db: Awaited<ReturnType<typeof freshPgSchema>>;

beforeAll(async () => {
  db = await freshPgSchema('review');
});
afterAll(() => db?.drop());

describe('review: pgDriver', () => {
  it('a LISTEN connection the server terminates does not crash the process (no unhandled client error)', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    const driver = db.driver(3);
    const store = sqlStore({ driver, tenant: newId() });
    try {
      const heard: (readonly Change[])[] = [];
      const stop = store.subscribe!((changes) => heard.push(changes));
      await store.write([createOp('customers', makeCustomer())]);
      await expect.poll(() => heard.length).toBe(1);
      const { rows } = await db.admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::integer AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid() AND datname = current_database()`,
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(uncaught).toEqual([]);
      // The store still works, and so does stopping the subscription.
      await store.write([createOp('customers', makeCustomer())]);
      stop();
      await store.close();
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const l of listeners) process.on('uncaughtException', l);
    }
  });
});

describe('review: pgDriver.listen on a fake pool', () => {
  const fakePool = (failListen: boolean) => {
    const handlers = new Map<string, Set<unknown>>();
    const released: unknown[] = [];
    const client = {
      query: async (text: string) => {
        if (failListen && text.startsWith('LISTEN')) throw new Error('connection lost');
        return { rows: [] };
      },
      release: (error?: unknown) => void released.push(error ?? 'ok'),
      on: (event: string, listener: unknown) => void (handlers.get(event) ?? handlers.set(event, new Set()).get(event)!).add(listener),
      removeListener: (event: string, listener: unknown) => void handlers.get(event)?.delete(listener),
    };
    const pool = { query: client.query, connect: async () => client, end: async () => {} };
    return { pool, handlers, released };
  };

  it('gives the connection back when LISTEN fails', async () => {
    const { pool, released } = fakePool(true);
    await expect(pgDriver(pool as never).listen!('crm_changes', () => {})).rejects.toThrow('connection lost');
    expect(released).toHaveLength(1);
  });

  it('leaves no notification listener on a pooled connection after UNLISTEN', async () => {
    const { pool, handlers, released } = fakePool(false);
    const driver = pgDriver(pool as never);
    for (let i = 0; i < 3; i++) await (await driver.listen!('crm_changes', () => {}))();
    expect(handlers.get('notification')?.size ?? 0).toBe(0);
    expect(released).toEqual(['ok', 'ok', 'ok']);
  });
});

describe('review: the change stream of a sqlStore, written by another process', () => {
  it('carries every change, without a gap, when a write lands while the stream is starting', async () => {
    const tenant = newId();
    // The reading process: its follower's first look at the feed position is held back until released.
    const inner = db.driver(3);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gated = {
      ...inner,
      query: async (text: string, params?: readonly unknown[]) => {
        if (text.startsWith('SELECT seq FROM crm_tenants')) await gate;
        return inner.query(text, params);
      },
    } as typeof inner;
    const reader = sqlStore({ driver: gated, tenant });
    const writer = sqlStore({ driver: db.driver(2), tenant }); // another process
    const handler = createRestHandler({ store: reader, authorize: () => ({ tenant }) });
    const abort = new AbortController();
    const response = await handler(new Request('http://x/changes/stream', { signal: abort.signal }));
    const received: ServerSentEvent[] = [];
    const reading = (async () => {
      for await (const message of readServerSentEvents(response.body!)) received.push(message);
    })().catch(() => {});
    try {
      await expect.poll(() => received.some((m) => m.event === 'ready')).toBe(true);
      await writer.write([createOp('customers', makeCustomer())]); // seq 1, while the stream starts
      release();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await writer.write([createOp('customers', makeCustomer())]); // seq 2
      await expect.poll(() => received.filter((m) => m.event === 'changes').length).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const seqs = received.filter((m) => m.event === 'changes').flatMap((m) => (JSON.parse(m.data) as Change[]).map((c) => c.seq));
      expect(seqs).toEqual([1, 2]);
    } finally {
      abort.abort();
      await reading;
      await Promise.all([reader.close(), writer.close()]);
    }
  });
});

describe('review: sqlStore.subscribe when it cannot start', () => {
  it('a subscription whose start failed never replays the feed from its beginning', async () => {
    const tenant = newId();
    const inner = db.driver(3);
    let failPosition = false;
    const flaky = {
      ...inner,
      query: async (text: string, params?: readonly unknown[]) => {
        if (failPosition && text.startsWith('SELECT seq FROM crm_tenants')) {
          failPosition = false;
          throw new Error('connection lost');
        }
        return inner.query(text, params);
      },
    } as typeof inner;
    const store = sqlStore({ driver: flaky, tenant });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (let i = 0; i < 3; i++) await store.write([createOp('customers', makeCustomer())]);
      failPosition = true;
      const heard: number[][] = [];
      const stop = store.subscribe!((changes) => heard.push(changes.map((c) => c.seq)));
      await expect.poll(() => errors.mock.calls.length).toBeGreaterThan(0);
      await store.write([createOp('customers', makeCustomer())]); // seq 4
      await store.write([createOp('customers', makeCustomer())]); // seq 5
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Writes 1–3 were made before the subscription: never told. The later ones once each, in order
      // (the next write starts the subscription again).
      expect(heard).toEqual([[4], [5]]);
      stop();
    } finally {
      errors.mockRestore();
      await store.close();
    }
  });
});

describe('review: sqlStore.subscribe when the driver cannot stop listening', () => {
  it('the last unsubscribe does not leave an unhandled rejection', async () => {
    const inner = db.driver(3);
    const driver = {
      ...inner,
      listen: async (channel: string, onNotify: (payload: string) => void) => {
        const stop = await inner.listen!(channel, onNotify);
        return async () => {
          await stop();
          throw new Error('UNLISTEN failed');
        };
      },
    } as typeof inner;
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    const handlers = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', onRejection);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const store = sqlStore({ driver, tenant: newId() });
    try {
      const stop = store.subscribe!(() => {});
      await store.write([createOp('customers', makeCustomer())]);
      stop();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      for (const handler of handlers) process.on('unhandledRejection', handler);
      errors.mockRestore();
      await store.close();
    }
  });
});

describe('review: pgDriver.transaction on a connection the server ends', () => {
  it('rejects, without an unhandled client error, and the pool goes on', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    const driver = db.driver(1);
    try {
      await expect(driver.transaction((tx) => tx.query('SELECT pg_terminate_backend(pg_backend_pid())'))).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(uncaught).toEqual([]);
      expect((await driver.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const l of listeners) process.on('uncaughtException', l);
    }
  });
});

describe('review: ids and filter values with a NUL character', () => {
  it('match nothing (404, empty pages) instead of failing in Postgres with a 500', async () => {
    const tenant = newId();
    const store = sqlStore({ driver: db.driver(2), tenant });
    const errors: unknown[] = [];
    const handler = createRestHandler({ store, authorize: () => ({ tenant }), onError: (error) => errors.push(error) });
    const get = (path: string) => handler(new Request(`http://x${path}`));
    try {
      expect((await get('/customers/a%00b')).status).toBe(404);
      for (const path of ['/customers?tag=%00', '/customers?email=a%00%40b.c', '/customers?externalId=hubspot:1%00', '/touchpoints?customerId=%00', '/customers/a%00/history']) {
        const response = await get(path);
        expect([path, response.status, await response.json()]).toEqual([path, 200, { items: [], nextCursor: null }]);
      }
      expect(errors).toEqual([]);
      expect(await store.get('customers', '\u0000')).toBeNull();
    } finally {
      await store.close();
    }
  });
});

describe('review: a store whose first migration failed', () => {
  it('migrates on a later call once the database is back, instead of failing for good', async () => {
    const fresh = await freshPgSchema('remigrate');
    try {
      const inner = fresh.driver(2);
      let down = true;
      const flaky = {
        ...inner,
        transaction: <T>(run: (tx: Parameters<Parameters<typeof inner.transaction>[0]>[0]) => Promise<T>) =>
          down ? Promise.reject(new Error('connection refused')) : inner.transaction(run),
      } as typeof inner;
      const store = sqlStore({ driver: flaky, tenant: newId() });
      await expect(store.get('customers', 'x')).rejects.toThrow('connection refused');
      down = false;
      expect(await store.get('customers', 'x')).toBeNull();
      await store.write([createOp('customers', makeCustomer())]);
      await store.close();
    } finally {
      await fresh.drop();
    }
  });
});
