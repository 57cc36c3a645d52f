import { memoryStore } from '@crm/core';
import { describeStoreContract, type StoreSetup } from '@crm/core/testing';
import { afterAll } from 'vitest';
import { restStore } from '../rest/index.js';
import { perTenant, startRestServer } from './restServer.js';

// restStore → createRestHandler (on a loopback node:http server) → one memoryStore per tenant,
// and a fresh tenant per test: every test starts from an empty store.
// What each test asked of its store (the feed's retention), by tenant.
const setups = new Map<string, StoreSetup>();
const server = await startRestServer(perTenant((tenant) => memoryStore(setups.get(tenant) ?? {})));
afterAll(() => server.close());

let tenants = 0;
await describeStoreContract('restStore → REST handler → memoryStore', (setup = {}) => {
  const tenant = `contract-${++tenants}`;
  setups.set(tenant, setup);
  return restStore({ baseUrl: server.url, headers: server.headersOf(tenant), retry: { limit: 2, baseMs: 5, maxMs: 50 } });
});
