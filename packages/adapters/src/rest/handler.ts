import { CrmValidationError, fieldRegistry, formatPath, type CrmStore, type FieldRegistry, type FieldsDeclaration, type ValidationIssue, type WriteOp } from '@crm/core';
import { readJsonBody } from './body.js';
import { openApiDocument } from './openapi.js';
import { COMMON_HEADERS, PROBLEM_TYPES, ProblemError, problem, problemOf, problemResponse } from './problem.js';
import { safeJson, textResponse } from './json.js';
import { parseQuery } from './query.js';
import { RecordNotFound, matchRoute, type Operation } from './routes.js';
import { changeStream } from './sse.js';
import { parseWriteBody } from './writeBody.js';

/** Who a request acts for, as `authorize` tells the handler. */
export interface RestPrincipal {
  /** The tenant whose records the request may read and change. Required, non-empty. */
  tenant: string;
  /** The staff member making the request, when known. */
  staffId?: string;
}

/** The store of one principal's tenant (the multi-tenant form of {@link RestHandlerOptions.store}). */
export type StoreForPrincipal = (principal: RestPrincipal) => CrmStore | Promise<CrmStore>;

/** Options of {@link createRestHandler}. */
export interface RestHandlerOptions {
  /**
   * Where records live. Either a function giving the store of a principal's tenant (the
   * multi-tenant form: every request reaches only its own tenant's store, whatever ids it sends),
   * or one `CrmStore` that every authorized request shares (single-tenant deployments only: with
   * several tenants, pass the function form).
   *
   * The function runs on every request: return the same store for the same tenant (keep them in a
   * `Map`), so that live streams hear the writes made through other requests.
   *
   * @example
   * ```ts
   * const stores = new Map<string, CrmStore>()
   * const store = ({ tenant }: RestPrincipal) => stores.get(tenant) ?? stores.set(tenant, memoryStore()).get(tenant)!
   * ```
   */
  store: CrmStore | StoreForPrincipal;
  /**
   * Authenticates a request: returns its principal, or `null` (or throws) to answer
   * `401 Unauthorized`. Called for every request except `GET /openapi.json`. Anything else it
   * returns (no non-empty `tenant`) is answered `401` too, and reported once to `onError`: look
   * tokens up in a `Map` (or with `Object.hasOwn`), never in a plain object, where
   * `Bearer constructor` would find something.
   *
   * @example
   * ```ts
   * authorize: async (request) => {
   *   const session = await sessions.verify(request.headers.get('authorization'))
   *   return session && { tenant: session.orgId, staffId: session.userId }
   * }
   * ```
   */
  authorize: (request: Request) => RestPrincipal | null | undefined | Promise<RestPrincipal | null | undefined>;
  /**
   * The largest request body accepted, in bytes; larger ones get `413 Content Too Large`. Enforced
   * while the body is read, whatever its `Content-Length` says.
   * @default 1_048_576 (1 MiB)
   */
  maxBodyBytes?: number;
  /**
   * The path the API is mounted under, such as `/api/crm`: routes are matched after it, and
   * anything outside it is a 404.
   * @default ''
   */
  basePath?: string;
  /**
   * Told about every unexpected error (answered `500` without details) and about store failures
   * during a live stream, for logging.
   * @default logs with `console.error`
   */
  onError?: (error: unknown, request: Request) => void;
  /**
   * Milliseconds between two heartbeat comments on a live change stream.
   * @default 15_000
   */
  heartbeatMs?: number;
  /**
   * Milliseconds between two reads of the change feed by a live stream, for stores without `subscribe`.
   * @default 1_000
   */
  pollIntervalMs?: number;
  /**
   * The `info` of the OpenAPI document at `GET /openapi.json`.
   * @default { title: 'CRM API', version: '1' }
   */
  info?: { title?: string; version?: string };
  /**
   * The custom fields declaration of the CRMs over these stores (`createCrm({ fields })`). When
   * given, `POST /writes` refuses records whose `fields` don't satisfy it (checked, not
   * transformed: raw records are written as they are), naming `ops[0].record.fields.tier`, and
   * the OpenAPI document describes each field. Without it, fields are any JSON the record
   * schemas allow.
   */
  fields?: FieldsDeclaration;
}

/** The options, checked and filled in once (ky's "normalise at the edge"). */
interface Normalized {
  storeFor: StoreForPrincipal;
  authorize: RestHandlerOptions['authorize'];
  maxBodyBytes: number;
  basePath: string;
  onError: (error: unknown, request: Request) => void;
  heartbeatMs: number;
  pollIntervalMs: number;
  info: { title: string; version: string };
  fields: FieldRegistry | null;
  declaration: FieldsDeclaration | undefined;
}

function normalize(options: RestHandlerOptions): Normalized {
  const fail = (message: string): never => {
    throw new TypeError(`createRestHandler: ${message}`);
  };
  if (!options || typeof options !== 'object') fail('pass an options object: { store, authorize }');
  const { store, authorize, maxBodyBytes = 1_048_576, basePath = '', heartbeatMs = 15_000, pollIntervalMs = 1_000 } = options;
  if (typeof store !== 'function' && (typeof store !== 'object' || store === null || typeof store.get !== 'function')) {
    fail('`store` must be a CrmStore or a function (principal) => CrmStore');
  }
  if (typeof authorize !== 'function') fail('`authorize` must be a function (request) => { tenant } | null');
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) fail('`maxBodyBytes` must be a whole number of bytes, 1 or more');
  if (typeof basePath !== 'string' || (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/')))) {
    fail('`basePath` must be "" or a path that starts with "/" and does not end with one, such as "/api/crm"');
  }
  for (const [name, value] of [['heartbeatMs', heartbeatMs], ['pollIntervalMs', pollIntervalMs]] as const) {
    if (!(Number.isFinite(value) && value > 0)) fail(`\`${name}\` must be a number of milliseconds above 0`);
  }
  const single = typeof store === 'function' ? null : store;
  return {
    storeFor: single ? () => single : (store as StoreForPrincipal),
    authorize,
    maxBodyBytes,
    basePath,
    onError: options.onError ?? ((error) => (globalThis as { console?: Console }).console?.error('@crm/adapters/rest: request failed', error)),
    heartbeatMs,
    pollIntervalMs,
    info: { title: options.info?.title ?? 'CRM API', version: options.info?.version ?? '1' },
    fields: options.fields === undefined ? null : fieldRegistry(options.fields, 'createRestHandler options'),
    declaration: options.fields,
  };
}

/** Checks the custom fields of a write's records against the declaration: one error naming every bad field. */
async function checkFields(registry: FieldRegistry, ops: readonly WriteOp[]): Promise<void> {
  const issues: ValidationIssue[] = [];
  for (const [i, op] of ops.entries()) {
    if (op.type === 'delete') continue;
    for (const issue of await registry.problems(op.entity, op.record.fields)) {
      const path = ['ops', i, 'record', ...issue.path];
      issues.push({ ...issue, path, field: formatPath(path) });
    }
  }
  if (issues.length > 0) throw new CrmValidationError('store write', issues.slice(0, 100));
}

const JSON_HEADERS = { ...COMMON_HEADERS, 'content-type': 'application/json; charset=utf-8' };

const json = (body: unknown, status = 200) => textResponse(safeJson(body), { status, headers: JSON_HEADERS });

/** The sequence a reconnecting event stream asks to resume after (`Last-Event-ID`), if it sent one. */
function resumeFrom(request: Request): number | undefined {
  const header = request.headers.get('last-event-id')?.trim();
  if (header === undefined || header === '') return undefined;
  if (!/^\d{1,15}$/.test(header)) {
    throw CrmValidationError.field('Last-Event-ID header', ['Last-Event-ID'], 'must be the id of an event of this stream (a whole number)');
  }
  return Number(header);
}

/** The path's segments after `basePath`, decoded, or `null` when the path is outside it or malformed. */
function segmentsOf(pathname: string, basePath: string): string[] | null {
  if (!pathname.startsWith(basePath)) return null;
  const rest = pathname.slice(basePath.length);
  if (!rest.startsWith('/')) return null;
  try {
    // Split before decoding, so an id with an encoded "/" stays one segment.
    return rest.slice(1).split('/').map(decodeURIComponent);
  } catch {
    return null;
  }
}

/**
 * A Web-standard request handler serving a `CrmStore` as JSON over HTTP: records, lists with
 * every filter, histories, atomic writes, the change feed, live changes as Server-Sent Events and
 * an OpenAPI 3.1 document. Runs wherever `Request` and `Response` do (Node 20 with
 * {@link toNodeListener}, Deno, Bun, edge runtimes, Hono, Next.js route handlers).
 *
 * Every request is authenticated by `authorize` and reaches only its tenant's store. All input is
 * checked at this boundary (records with the core's stored-record schemas, query parameters
 * strictly); every error is an RFC 9457 `application/problem+json` body that never repeats the
 * rejected values.
 *
 * Routes (under `basePath`): `GET /customers`, `/touchpoints`, `/complaints` (lists),
 * `GET /{entity}/{id}`, `GET /customers/{id}/history`, `POST /writes`, `GET /changes`,
 * `GET /changes/stream` (SSE), `GET /openapi.json`.
 *
 * @example
 * ```ts
 * const handler = createRestHandler({
 *   store: memoryStore(),
 *   authorize: (request) => (request.headers.get('authorization') === `Bearer ${token}` ? { tenant: 'acme' } : null),
 * })
 * const response = await handler(new Request('http://localhost/customers?kind=prospect'))
 * ```
 */
export function createRestHandler(options: RestHandlerOptions): (request: Request) => Promise<Response> {
  const config = normalize(options);
  let openapi: string | undefined;

  let warnedOfPrincipal = false;
  const authenticate = async (request: Request) => {
    let principal: RestPrincipal | null | undefined;
    try {
      principal = await config.authorize(request);
    } catch {
      principal = null;
    }
    const unauthorized = () => new ProblemError(problem(PROBLEM_TYPES.unauthorized, 401, { detail: 'Authenticate to use this API' }));
    if (principal === null || principal === undefined) throw unauthorized();
    if (typeof principal !== 'object' || typeof principal.tenant !== 'string' || principal.tenant === '') {
      // Not a principal (a plain-object token table finds `constructor` for `Bearer constructor`):
      // nobody is authenticated. The bug is the server's, so it is told once, not on every request.
      if (!warnedOfPrincipal) {
        warnedOfPrincipal = true;
        config.onError(new TypeError('createRestHandler: authorize() must return { tenant: string } (a non-empty tenant), null or undefined; answered 401'), request);
      }
      throw unauthorized();
    }
    return principal;
  };

  const serve = async (request: Request, url: URL, operation: Operation, params: Record<string, string>): Promise<Response> => {
    if (operation.special === 'openapi') {
      openapi ??= JSON.stringify(openApiDocument({ basePath: config.basePath, ...config.info, fields: config.declaration }));
      return textResponse(openapi, { headers: JSON_HEADERS });
    }
    const principal = await authenticate(request);
    const query = parseQuery(url.searchParams, operation.query ?? {});
    const store = await config.storeFor(principal);
    if (operation.special === 'write') {
      const { ops, origin } = parseWriteBody(await readJsonBody(request, config.maxBodyBytes));
      if (config.fields) await checkFields(config.fields, ops);
      return json(await store.write(ops, origin === undefined ? undefined : { origin }));
    }
    if (operation.special === 'stream') {
      const since = resumeFrom(request) ?? (query.since as number | undefined);
      // A position the feed no longer holds (410) or never had (400: another tenant's, say) is
      // answered now, before the stream starts, never by silently skipping changes.
      if (since !== undefined) await store.changes({ since, limit: 1 });
      const body = changeStream(store, {
        since,
        signal: request.signal,
        heartbeatMs: config.heartbeatMs,
        pollIntervalMs: config.pollIntervalMs,
        maxBufferedBytes: 8 * 1_048_576,
        onError: (error) => config.onError(error, request),
      });
      return new Response(body, {
        headers: { ...COMMON_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-store', 'x-accel-buffering': 'no' },
      });
    }
    const result = await operation.run!({ store, params, query, request });
    return 'response' in result ? result.response : json(result.json);
  };

  return async function handle(request: Request): Promise<Response> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return problemResponse(problem(PROBLEM_TYPES.unknownRoute, 404, { detail: 'No route matches this URL' }));
    }
    const instance = url.pathname;
    try {
      const segments = segmentsOf(url.pathname, config.basePath);
      const match = segments && matchRoute(segments);
      if (!match) throw new ProblemError(problem(PROBLEM_TYPES.unknownRoute, 404, { detail: 'No route matches this path; see GET /openapi.json' }));
      const operation = match.route.methods[request.method as 'GET' | 'POST'];
      if (!operation) {
        const allow = Object.keys(match.route.methods).join(', ');
        throw new ProblemError(problem(PROBLEM_TYPES.methodNotAllowed, 405, { detail: `This route answers ${allow} only` }), { allow });
      }
      return await serve(request, url, operation, match.params);
    } catch (error) {
      if (error instanceof RecordNotFound) {
        return problemResponse(problem(PROBLEM_TYPES.notFound, 404, { detail: error.message, instance, code: 'NOT_FOUND', entity: error.entity }));
      }
      const body = problemOf(error, instance);
      if (body) return problemResponse(body, error instanceof ProblemError ? error.headers : {});
      config.onError(error, request);
      return problemResponse(problem(PROBLEM_TYPES.internal, 500, { detail: 'The server could not answer this request', instance }));
    }
  };
}
