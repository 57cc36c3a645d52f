import { describeStoreContract, newId, type StoreSetup } from '@crm/core/testing';
import { afterAll } from 'vitest';
import { restStore } from '../rest/index.js';
import { pgliteDriver, sqlStore } from '../sql/index.js';
import { perTenant, startRestServer } from './restServer.js';

// restStore → createRestHandler (on a loopback node:http server) → sqlStore on one PGlite, one
// tenant of the database per REST tenant, and a fresh tenant per test: every test starts empty.
const driver = pgliteDriver();
const setups = new Map<string, StoreSetup>();
const server = await startRestServer(perTenant((tenant) => sqlStore({ driver, tenant, ...setups.get(tenant) })));
afterAll(async () => {
  await server.close();
  await driver.close();
});

await describeStoreContract('restStore → REST handler → sqlStore on PGlite', (setup = {}) => {
  const tenant = `sql-${newId()}`;
  setups.set(tenant, setup);
  return restStore({ baseUrl: server.url, headers: server.headersOf(tenant), retry: { limit: 2, baseMs: 5, maxMs: 50 } });
});
