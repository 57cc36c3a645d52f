/**
 * `@crm/adapters/rest`: a `CrmStore` served over HTTP and used over HTTP.
 *
 * - {@link createRestHandler} serves a store (one per tenant) as a JSON API with a Web-standard
 *   `(request: Request) => Promise<Response>` handler: records, lists, histories, atomic writes,
 *   the change feed, live changes as Server-Sent Events, and an OpenAPI 3.1 document.
 * - {@link restStore} is the `CrmStore` that talks to that API (with ky: timeouts, retries of reads).
 * - {@link toNodeListener} mounts the handler in Node's `http` server.
 * - {@link createCrmHandler} serves a `Crm`'s operations (not raw records) with roles — staff,
 *   and customers who may open and follow their own complaints — for browsers; {@link remoteCrm}
 *   is the `Crm` that talks to it. See docs/service-api.md.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { memoryStore } from '@crm/core'
 * import { createRestHandler, restStore, toNodeListener } from '@crm/adapters/rest'
 *
 * const handler = createRestHandler({ store: memoryStore(), authorize: () => ({ tenant: 'demo' }) })
 * createServer(toNodeListener(handler)).listen(3000)
 * const store = restStore({ baseUrl: 'http://localhost:3000' })
 * ```
 *
 * @packageDocumentation
 */
export { createRestHandler, type RestHandlerOptions, type RestPrincipal, type StoreForPrincipal } from './handler.js';
export { restStore, type RestStoreOptions, type RestRetryOptions, type RestHeaders } from './restStore.js';
export { toNodeListener, type NodeListenerOptions, type NodeIncomingMessage, type NodeServerResponse } from './node.js';
export { PROBLEM_TYPES, type Problem, type ProblemType } from './problem.js';
export { openApiDocument, type OpenApiOptions } from './openapi.js';
export { readServerSentEvents, type ServerSentEvent } from './sseParser.js';
// The service API: a Crm's operations with roles (for browsers), and the Crm that talks to it.
export { createCrmHandler, type CrmHandlerOptions, type CrmForTenant } from './service/handler.js';
export type { CrmAuthorization, CrmPrincipal } from './service/access.js';
export { serviceOpenApiDocument } from './service/openapi.js';
export { remoteCrm, type RemoteCrmOptions } from './service/remoteCrm.js';
