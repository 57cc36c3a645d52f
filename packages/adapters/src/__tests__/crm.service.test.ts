import { createCrm, type Crm } from '@crm/core';
import { afterAll } from 'vitest';
import { remoteCrm } from '../rest/index.js';
import { startCrmServer } from './crmServer.js';
import { describeServiceSuite } from './serviceSuite.js';

// The same service-level suite, in process and over HTTP.
describeServiceSuite('createCrm', (options) => createCrm(options));

// remoteCrm → createCrmHandler (on a loopback node:http server) → createCrm, a fresh tenant per
// test; the remote acts as staff member `linda`.
const crms = new Map<string, Crm>();
const server = await startCrmServer((tenant) => crms.get(tenant)!);
afterAll(() => server.close());

let tenants = 0;
describeServiceSuite('remoteCrm → createCrmHandler → createCrm', (options) => {
  const tenant = `suite-${++tenants}`;
  const local = createCrm(options);
  crms.set(tenant, local);
  const remote = remoteCrm({ baseUrl: server.url, headers: server.staff(tenant, 'linda'), retry: { limit: 2, baseMs: 5, maxMs: 50 } });
  return {
    ...remote,
    async close() {
      await remote.close();
      await local.close();
    },
  } as Crm;
});
