/**
 * `@crm/adapters/rest`: a `CrmStore` served over HTTP and used over HTTP.
 *
 * - {@link createRestHandler} serves a store (one per tenant) as a JSON API with a Web-standard
 *   `(request: Request) => Promise<Response>` handler: records, lists, histories, atomic writes,
 *   the change feed, live changes as Server-Sent Events, and an OpenAPI 3.1 document.
 * - {@link restStore} is the `CrmStore` that talks to that API (with ky: timeouts, retries of reads).
 * - {@link toNodeListener} mounts the handler in Node's `http` server.
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
