import { memoryStore } from '@crm/core';
import { describeStoreContract } from '@crm/core/testing';
import { afterAll } from 'vitest';
import { restStore } from '../rest/index.js';
import { perTenant, startRestServer } from './restServer.js';

// restStore → createRestHandler (on a loopback node:http server) → one memoryStore per tenant,
// and a fresh tenant per test: every test starts from an empty store.
const server = await startRestServer(perTenant(() => memoryStore()));
afterAll(() => server.close());

let tenants = 0;
describeStoreContract('restStore → REST handler → memoryStore', () =>
  restStore({ baseUrl: server.url, headers: server.headersOf(`contract-${++tenants}`), retry: { limit: 2, baseMs: 5, maxMs: 50 } }),
);
