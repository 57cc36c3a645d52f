import { type Change } from '@crm/core';
import { createOp, makeCustomer, newId } from '@crm/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgDriver, sqlStore } from '../sql/index.js';
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
