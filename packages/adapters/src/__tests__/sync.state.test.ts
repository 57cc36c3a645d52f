import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOp, makeCustomer, newId } from '@crm/core/testing';
import { pgliteDriver, sqlStore, type SqlDriver } from '../sql/index.js';
import { SYNC_STATE, type SyncState, type SyncStateHost } from '../sync/contract.js';
import { memorySyncState } from '../sync/state/memoryState.js';
import { sqlSyncState } from '../sync/state/sqlState.js';
import { syncStateSuite, type SyncStateScope } from '../sync/state/suite.js';
import { PG_URL, freshPgSchema } from './sqlHelpers.js';

// The contract suite, on memory, on PGlite (in a temp folder, reopened for the durability test)
// and on the PostgreSQL server at CRM_TEST_DATABASE_URL (a schema of its own per run).

await syncStateSuite(
  'memorySyncState',
  () => {
    const states = new Map<string, SyncState>();
    return {
      state({ tenant = '', remote = 'test' }: SyncStateScope = {}) {
        const id = `${tenant}\u0000${remote}`;
        let state = states.get(id);
        if (!state) states.set(id, (state = memorySyncState()));
        return state;
      },
    };
  },
  { skip: { durability: 'kept in memory' } },
);

/** Scopes map to a tenant of their own per fixture, so tests sharing one database never meet. */
const sqlFixture = (driver: () => SqlDriver) => {
  const base = newId();
  return ({ tenant = 'main', remote = 'test' }: SyncStateScope = {}) => sqlSyncState({ driver: driver(), tenant: `${base}:${tenant}`, remote });
};

const dir = mkdtempSync(join(tmpdir(), 'crm-sync-state-'));
let lite = pgliteDriver({ dataDir: dir });
afterAll(async () => {
  await lite.close();
  rmSync(dir, { recursive: true, force: true });
});
await syncStateSuite('sqlSyncState on PGlite', () => ({
  state: sqlFixture(() => lite),
  async reopen() {
    await lite.close();
    lite = pgliteDriver({ dataDir: dir });
  },
}));

let db: Awaited<ReturnType<typeof freshPgSchema>>;
let pgDriver: SqlDriver;
beforeAll(async () => {
  try {
    db = await freshPgSchema('syncstate');
  } catch (error) {
    throw new Error(`These tests need the PostgreSQL server at ${PG_URL} (set CRM_TEST_DATABASE_URL): ${String(error)}`);
  }
  pgDriver = db.driver(6);
});
afterAll(() => db?.drop());
await syncStateSuite(
  'sqlSyncState on a PostgreSQL server',
  () => ({ state: sqlFixture(() => pgDriver) }),
  { skip: { durability: 'the server outlives the test; durability is tested on PGlite' } },
);

describe('sqlStore[SYNC_STATE]', () => {
  it('gives the state of a remote in the store’s database and tenant', async () => {
    const tenant = newId();
    const store = sqlStore({ driver: lite, tenant }) as ReturnType<typeof sqlStore> & SyncStateHost;
    await store.write([createOp('customers', makeCustomer())]);
    const state = store[SYNC_STATE]('hubspot');
    await state.setCursor('push', '1');
    expect(await sqlSyncState({ driver: lite, tenant, remote: 'hubspot' }).getCursor('push')).toBe('1');
    expect(await sqlSyncState({ driver: lite, tenant, remote: 'salesforce' }).getCursor('push')).toBeNull();
    expect(await store[SYNC_STATE]('salesforce').getCursor('push')).toBeNull();
    await store.close();
  });

  it('checks its options, naming the one at fault', () => {
    expect(() => sqlSyncState({ driver: lite, remote: '' })).toThrow(/remote must be a non-empty string/);
    expect(() => sqlSyncState({ driver: lite, remote: 'x', tenant: 'a\nb' })).toThrow(/tenant must be/);
    expect(() => sqlSyncState({ driver: {} as SqlDriver, remote: 'x' })).toThrow(/driver must be a SqlDriver/);
    expect(() => sqlSyncState({ driver: lite, remote: 'x', ...({ tenants: 'a' } as object) })).toThrow(/tenants is not an option/);
  });
});
