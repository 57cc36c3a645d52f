/**
 * Test helpers for the REST adapter: the handler on a real loopback `node:http` server (port 0),
 * with one store per tenant. Reusable by any store: pass how to make a tenant's store.
 *
 * @example
 * ```ts
 * const server = await startRestServer(perTenant(() => memoryStore()))
 * const store = restStore({ baseUrl: server.url, headers: server.headersOf('tenant-a') })
 * ```
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CrmStore } from '@crm/core';
import { createRestHandler, toNodeListener, type RestHandlerOptions, type RestPrincipal } from '../rest/index.js';

/** A running server. */
export interface RestServer {
  /** The API's base URL, such as `http://127.0.0.1:40123/api`. */
  url: string;
  /** The handler it serves, to call directly with `Request`s. */
  handler: (request: Request) => Promise<Response>;
  server: Server;
  /** Headers that authenticate as `tenant` (the test `authorize` trusts a bearer token naming the tenant). */
  headersOf(tenant: string): Record<string, string>;
  /** Stops the server and drops its open connections (streams included). */
  close(): Promise<void>;
}

/** A `store` option that gives each tenant its own store, made by `make` on the tenant's first request. */
export function perTenant(make: (tenant: string) => CrmStore | Promise<CrmStore>) {
  const stores = new Map<string, Promise<CrmStore>>();
  const storeFor = (principal: RestPrincipal) => {
    let store = stores.get(principal.tenant);
    if (!store) stores.set(principal.tenant, (store = Promise.resolve(make(principal.tenant))));
    return store;
  };
  return Object.assign(storeFor, { stores });
}

/** The test `authorize`: `Authorization: Bearer tenant:<name>` is tenant `<name>`; anything else is refused. */
export function bearerTenant(request: Request): RestPrincipal | null {
  const match = /^Bearer tenant:([A-Za-z0-9_-]{1,64})$/.exec(request.headers.get('authorization') ?? '');
  return match ? { tenant: match[1]!, staffId: 'staff-test' } : null;
}

/** Starts the REST handler for `store` on a loopback port chosen by the system. */
export async function startRestServer(
  store: RestHandlerOptions['store'],
  options: Partial<RestHandlerOptions> = {},
): Promise<RestServer> {
  const basePath = options.basePath ?? '/api';
  const handler = createRestHandler({ store, authorize: bearerTenant, basePath, ...options });
  const server = createServer(toNodeListener(handler));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    handler,
    server,
    headersOf: (tenant) => ({ authorization: `Bearer tenant:${tenant}` }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
