/**
 * Test helpers for the service API: `createCrmHandler` on a real loopback `node:http` server
 * (port 0), with the test `authorize` reading the principal from a bearer token.
 *
 * @example
 * ```ts
 * const server = await startCrmServer((tenant) => crms.get(tenant)!)
 * const crm = remoteCrm({ baseUrl: server.url, headers: server.staff('acme', 'linda') })
 * ```
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCrmHandler, toNodeListener, type CrmAuthorization, type CrmHandlerOptions } from '../rest/index.js';

/** A running service API. */
export interface CrmServer {
  /** The API's base URL, such as `http://127.0.0.1:40123/api`. */
  url: string;
  handler: (request: Request) => Promise<Response>;
  server: Server;
  /** Headers that authenticate as staff member `staffId` of `tenant`. */
  staff(tenant: string, staffId: string): Record<string, string>;
  /** Headers that authenticate as customer `customerId` of `tenant`. */
  customer(tenant: string, customerId: string): Record<string, string>;
  /** Stops the server and drops its open connections (streams included). */
  close(): Promise<void>;
}

/** The test `authorize`: `Bearer staff:<tenant>:<id>` or `Bearer customer:<tenant>:<id>`; anything else is refused. */
export function bearerPrincipal(request: Request): CrmAuthorization | null {
  const match = /^Bearer (staff|customer):([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_-]{1,64})$/.exec(request.headers.get('authorization') ?? '');
  if (!match) return null;
  const [, kind, tenant, id] = match as unknown as [string, 'staff' | 'customer', string, string];
  return { tenant, principal: kind === 'staff' ? { kind, staffId: id } : { kind, customerId: id } };
}

/** Starts `createCrmHandler` for `crm` on a loopback port chosen by the system. */
export async function startCrmServer(crm: CrmHandlerOptions['crm'], options: Partial<CrmHandlerOptions> = {}): Promise<CrmServer> {
  const basePath = options.basePath ?? '/api';
  const handler = createCrmHandler({ crm, authorize: bearerPrincipal, basePath, ...options });
  const server = createServer(toNodeListener(handler));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    handler,
    server,
    staff: (tenant, staffId) => ({ authorization: `Bearer staff:${tenant}:${staffId}` }),
    customer: (tenant, customerId) => ({ authorization: `Bearer customer:${tenant}:${customerId}` }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
