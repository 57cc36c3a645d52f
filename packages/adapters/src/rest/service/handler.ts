import { CrmValidationError, fieldRegistry, formatPath, isCrmValidationError, type Crm, type FieldsDeclaration, type ValidationIssue } from '@crm/core';
import { readJsonBody } from '../body.js';
import type { RestHandlerOptions } from '../handler.js';
import { safeJson, textResponse } from '../json.js';
import { COMMON_HEADERS, PROBLEM_TYPES, ProblemError, problem, problemOf, problemResponse } from '../problem.js';
import { parseQuery } from '../query.js';
import { checkAuthorization, forbidden, type CrmAuthorization } from './access.js';
import { eventStream, resumePosition } from './events.js';
import { serviceOpenApiDocument } from './openapi.js';
import { matchServiceRoute, type ServiceOperation } from './routes.js';

/** The `Crm` of one tenant (the multi-tenant form of {@link CrmHandlerOptions.crm}). */
export type CrmForTenant = (tenant: string) => Crm | Promise<Crm>;

/**
 * Options of {@link createCrmHandler}. `basePath`, `onError` and `heartbeatMs` are those of the
 * store handler (`createRestHandler`).
 */
export interface CrmHandlerOptions extends Pick<RestHandlerOptions, 'basePath' | 'onError' | 'heartbeatMs'> {
  /**
   * The CRM the API serves: one `Crm` (from `createCrm`) that every authorized request shares,
   * or a function giving the `Crm` of a tenant (the multi-tenant form: each request reaches only
   * its own tenant's CRM, whatever ids it sends). The function runs on every request: return
   * the same `Crm` for the same tenant (keep them in a `Map`), so its SLA scheduler runs once and
   * live streams share its one subscription.
   *
   * @example
   * ```ts
   * const crms = new Map<string, Crm>()
   * const crm = (tenant: string) => crms.get(tenant) ?? crms.set(tenant, createCrm({ store: storeOf(tenant) })).get(tenant)!
   * ```
   */
  crm: Crm | CrmForTenant;
  /**
   * Authenticates a request: returns its tenant and principal — a staff member (whose id becomes
   * the `actorId` of every write they make) or a customer (who may open complaints for
   * themselves and follow them, nothing else) — or `null` (or throws) to answer
   * `401 Unauthorized`. Called for every request except `GET /openapi.json`.
   *
   * @example
   * ```ts
   * authorize: async (request) => {
   *   const session = await sessions.verify(request.headers.get('authorization'))
   *   if (!session) return null
   *   return session.staffId
   *     ? { tenant: session.orgId, principal: { kind: 'staff', staffId: session.staffId } }
   *     : { tenant: session.orgId, principal: { kind: 'customer', customerId: session.customerId } }
   * }
   * ```
   */
  authorize: (request: Request) => CrmAuthorization | null | undefined | Promise<CrmAuthorization | null | undefined>;
  /**
   * The largest request body accepted, in bytes; larger ones get `413 Content Too Large`. A batch
   * of 1,000 touchpoints with summaries takes a few megabytes.
   * @default 4_194_304 (4 MiB)
   */
  maxBodyBytes?: number;
  /**
   * The `info` of the OpenAPI document at `GET /openapi.json`.
   * @default { title: 'CRM service API', version: '1' }
   */
  info?: { title?: string; version?: string };
  /**
   * The custom fields declaration the CRMs were made with (`createCrm({ fields })`), for the
   * OpenAPI document to describe each field. The CRMs validate the fields of every write
   * themselves; without it the document shows `fields` as an open object.
   */
  fields?: FieldsDeclaration;
}

interface Normalized {
  crmFor: CrmForTenant;
  authorize: CrmHandlerOptions['authorize'];
  basePath: string;
  maxBodyBytes: number;
  heartbeatMs: number;
  onError: (error: unknown, request: Request) => void;
  info: { title: string; version: string };
  fields: FieldsDeclaration | undefined;
}

function normalize(options: CrmHandlerOptions): Normalized {
  const fail = (message: string): never => {
    throw new TypeError(`createCrmHandler: ${message}`);
  };
  if (!options || typeof options !== 'object') fail('pass an options object: { crm, authorize }');
  const { crm, authorize, basePath = '', maxBodyBytes = 4_194_304, heartbeatMs = 15_000 } = options;
  if (typeof crm !== 'function' && (typeof crm !== 'object' || crm === null || typeof crm.subscribe !== 'function')) {
    fail('`crm` must be a Crm (from createCrm) or a function (tenant) => Crm');
  }
  if (typeof authorize !== 'function') fail('`authorize` must be a function (request) => { tenant, principal } | null');
  if (typeof basePath !== 'string' || (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/')))) {
    fail('`basePath` must be "" or a path that starts with "/" and does not end with one, such as "/api/crm"');
  }
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) fail('`maxBodyBytes` must be a whole number of bytes, 1 or more');
  if (!(Number.isFinite(heartbeatMs) && heartbeatMs > 0)) fail('`heartbeatMs` must be a number of milliseconds above 0');
  const single = typeof crm === 'function' ? null : crm;
  return {
    crmFor: single ? () => single : (crm as CrmForTenant),
    authorize,
    basePath,
    maxBodyBytes,
    heartbeatMs,
    onError: options.onError ?? ((error) => (globalThis as { console?: Console }).console?.error('@crm/adapters/rest: request failed', error)),
    info: { title: options.info?.title ?? 'CRM service API', version: options.info?.version ?? '1' },
    // Checked now, as createCrm checks it: a bad declaration fails at start-up, not at the first GET /openapi.json.
    fields: options.fields === undefined ? undefined : (fieldRegistry(options.fields, 'createCrmHandler options'), options.fields),
  };
}

const JSON_HEADERS = { ...COMMON_HEADERS, 'content-type': 'application/json; charset=utf-8' };
const STREAM_HEADERS = { ...COMMON_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-store', 'x-accel-buffering': 'no' };

/** The path's segments after `basePath`, decoded, or `null` when the path is outside it or malformed. */
function segmentsOf(pathname: string, basePath: string): string[] | null {
  if (!pathname.startsWith(`${basePath}/`)) return null;
  try {
    // Split before decoding, so an id with an encoded "/" stays one segment.
    return pathname.slice(basePath.length + 1).split('/').map(decodeURIComponent);
  } catch {
    return null;
  }
}

const ROLE_REFUSAL = 'This operation is for staff; a customer may open complaints for themselves, read their own complaints and their SLA status, and follow them (GET /events)';

/**
 * A Web-standard request handler serving a `Crm`'s operations over HTTP — the service API, for
 * browsers and other untrusted clients (where `createRestHandler` serves raw store records to
 * trusted backends). Every write goes through the CRM's services (validation, routing, SLA
 * policies, the contact policy all run here, on the server), with the staff member making the
 * request as its actor; a customer principal may open complaints for themselves and follow
 * them, nothing else. Live changes stream as Server-Sent Events (`GET /events`), each
 * principal seeing only what it may; errors are RFC 9457 `application/problem+json`; the
 * OpenAPI 3.1 document is at `GET /openapi.json`. {@link remoteCrm} is the client.
 *
 * Mount it in any server that speaks `Request`/`Response` (Node with `toNodeListener`, Deno,
 * Bun, edge runtimes, Hono, Next.js route handlers). See docs/service-api.md for the routes.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { createCrm } from '@crm/core'
 * import { createCrmHandler, toNodeListener } from '@crm/adapters/rest'
 *
 * const crm = createCrm({ store, staff, slaPolicies })
 * await crm.sla.start() // the scheduler runs here, once
 * const handler = createCrmHandler({
 *   crm,
 *   basePath: '/api/crm',
 *   authorize: async (request) => {
 *     const user = await verify(request.headers.get('authorization'))
 *     return user && { tenant: 'acme', principal: user.staffId ? { kind: 'staff', staffId: user.staffId } : { kind: 'customer', customerId: user.customerId } }
 *   },
 * })
 * createServer(toNodeListener(handler)).listen(3000)
 * ```
 */
export function createCrmHandler(options: CrmHandlerOptions): (request: Request) => Promise<Response> {
  const config = normalize(options);
  let openapi: string | undefined;

  const authenticate = async (request: Request): Promise<CrmAuthorization> => {
    let value: unknown;
    try {
      value = await config.authorize(request);
    } catch {
      value = null;
    }
    const authorization = checkAuthorization(value);
    if (!authorization) throw new ProblemError(problem(PROBLEM_TYPES.unauthorized, 401, { detail: 'Authenticate to use this API' }));
    return authorization;
  };

  const serve = async (request: Request, url: URL, operation: ServiceOperation, params: Record<string, string>): Promise<Response> => {
    const { tenant, principal } = await authenticate(request);
    if (!operation.roles.includes(principal.kind)) throw forbidden(ROLE_REFUSAL);
    const query = parseQuery(url.searchParams, operation.query ?? {});
    const crm = await config.crmFor(tenant);
    if (operation.response === 'events') {
      const since = resumePosition(request, query.since);
      // A position the feed no longer holds (410) or never had (400) is answered now, before the stream starts.
      if (since !== undefined) await crm.store.changes({ since, limit: 1 });
      const body = eventStream(crm, principal, {
        since,
        signal: request.signal,
        heartbeatMs: config.heartbeatMs,
        pollIntervalMs: 1000,
        onError: (error) => config.onError(error, request),
      });
      return new Response(body, { headers: STREAM_HEADERS });
    }
    let body: Record<string, unknown> = {};
    if (operation.body) {
      const raw = await readJsonBody(request, config.maxBodyBytes);
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw CrmValidationError.field('request body', [], 'expected a JSON object');
      }
      body = raw as Record<string, unknown>;
    }
    const result = await operation.run!({ crm, principal, params, query, body });
    return textResponse(safeJson(result), { status: operation.creates ? 201 : 200, headers: JSON_HEADERS });
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
      if (segments?.length === 1 && segments[0] === 'openapi.json' && request.method === 'GET') {
        openapi ??= JSON.stringify(serviceOpenApiDocument({ basePath: config.basePath, ...config.info, fields: config.fields }));
        return textResponse(openapi, { headers: JSON_HEADERS });
      }
      const match = segments && matchServiceRoute(segments, request.method);
      if (!match) throw new ProblemError(problem(PROBLEM_TYPES.unknownRoute, 404, { detail: 'No route matches this path; see GET /openapi.json' }));
      if ('allow' in match) {
        const allow = match.allow.join(', ');
        throw new ProblemError(problem(PROBLEM_TYPES.methodNotAllowed, 405, { detail: `This route answers ${allow} only` }), { allow });
      }
      return await serve(request, url, match.operation, match.params);
    } catch (error) {
      const body = problemOf(withoutClientKeys(error), instance);
      if (body) return problemResponse(body, error instanceof ProblemError ? error.headers : {});
      config.onError(error, request);
      return problemResponse(problem(PROBLEM_TYPES.internal, 500, { detail: 'The server could not answer this request', instance }));
    }
  };
}

/**
 * A validation error without key names the client chose, which can be personal data (an unknown
 * field named after an email address, a system name of `externalIds`): an unknown key is "an
 * unknown key" of the object it is in, and a system of `externalIds` is `externalIds[*]`. Field
 * names of our schemas, and a suggestion of one (`did you mean "emails"?`), stay.
 */
export function withoutClientKeys(error: unknown): unknown {
  if (!isCrmValidationError(error)) return error;
  let changed = false;
  const issues = error.issues.map((issue): ValidationIssue => {
    let path = [...issue.path];
    let message = issue.message;
    if (issue.code === 'unknown_field' && typeof path[path.length - 1] === 'string') {
      path = path.slice(0, -1);
      message = `has an unknown key${/; did you mean "[A-Za-z]+"\?$/.exec(issue.message)?.[0] ?? ''}`;
    }
    path = path.map((key, i) => (i > 0 && path[i - 1] === 'externalIds' && typeof key === 'string' ? '*' : key));
    if (message === issue.message && path.length === issue.path.length && path.every((key, i) => key === issue.path[i])) return issue;
    changed = true;
    return { path, field: formatPath(path), code: issue.code, message };
  });
  if (!changed) return error;
  const subject = /^Invalid (.+?): /.exec(error.message)?.[1] ?? 'request';
  return new CrmValidationError(subject, issues);
}
