/** `createHubSpotMock`: msw handlers that behave like HubSpot's CRM API (see the reference docs). */
import { http, HttpResponse, delay, type RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { createAuth, type Caller } from './auth.js';
import { type ObjectType, findAssociationTypeFrom, resolveType } from './catalogue.js';
import { type Json, MockHttpError, validationError } from './errors.js';
import { createLimiter } from './limits.js';
import { createPrng } from './prng.js';
import { type Route, type RouteResult, TOKEN_ROUTES, createRoutes, missing } from './routes.js';
import { createStore } from './store.js';
import type {
  HubSpotFaults,
  HubSpotMockLogEntry,
  HubSpotMockOptions,
  HubSpotMockStats,
  HubSpotObject,
  HubSpotSeedAssociation,
} from './types.js';

/** A running mock portal. */
export interface HubSpotMock {
  /** Handlers for `setupServer(...mock.handlers)`. */
  handlers: RequestHandler[];
  /** Starts an msw server with these handlers (`onUnhandledRequest: 'error'`). */
  listen(): { close(): void };
  /** Every handled request, fault and 429, in order. */
  log: HubSpotMockLogEntry[];
  /** Stored records of a type (direct: no HTTP, no lag). Live ones unless `archived: true`. */
  objects(type: string, opts?: { archived?: boolean }): HubSpotObject[];
  /** A stored record (live or archived). */
  get(type: string, id: string): HubSpotObject | undefined;
  /** Ids of the live `toType` records associated with a record. */
  associations(fromType: string, id: string, toType: string): string[];
  /** Seeds a record (validated like an API create; throws on invalid input). */
  create(type: string, properties: Record<string, string>, opts?: { associations?: HubSpotSeedAssociation[] }): HubSpotObject;
  /** Edits a record as a HubSpot user would (bumps the last-modified date). */
  update(type: string, id: string, properties: Record<string, string>): HubSpotObject;
  /** Archives a record. */
  archive(type: string, id: string): void;
  /** Replaces the fault settings (`null`: none). */
  setFaults(faults: HubSpotFaults | null): void;
  /** Expires every issued OAuth access token now. */
  expireAccessTokens(): void;
  /** Counters over the log. */
  stats(): HubSpotMockStats;
  /** Back to the initial state: no records, no custom properties, no tokens, empty log, same seed. */
  reset(): void;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

function directType(type: string): ObjectType {
  const t = resolveType(type);
  if (!t) throw new Error(`HubSpot mock: unknown object type "${type}"`);
  return t;
}

function fail(err: unknown): never {
  if (err instanceof MockHttpError) throw new Error(`HubSpot mock: ${err.status} ${err.message}`);
  throw err;
}

/**
 * Creates an in-memory HubSpot portal served through msw.
 * @example
 * const mock = createHubSpotMock({ seed: 7, now: () => clock });
 * const server = mock.listen();
 * // … fetch('https://api.hubapi.com/crm/v3/objects/contacts', { headers: { authorization: 'Bearer pat-na1-mock-token' } })
 * server.close();
 */
export function createHubSpotMock(options: HubSpotMockOptions = {}): HubSpotMock {
  const baseUrl = (options.baseUrl ?? 'https://api.hubapi.com').replace(/\/+$/, '');
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const seed = options.seed ?? 1;
  const logBodies = options.logBodies ?? true;
  const lagOption = options.searchLagMs ?? { min: 500, max: 2000 };

  const build = () => {
    const lagPrng = createPrng(seed, 2);
    const store = createStore({
      now,
      ids: createPrng(seed, 1),
      lag: () => (typeof lagOption === 'number' ? lagOption : lagPrng.int(lagOption.min, lagOption.max)),
      uniqueCapable: new Set((options.uniqueCapable ?? ['contacts', 'companies', 'tickets']).map((t) => resolveType(t) ?? t)),
    });
    const order = createPrng(seed, 3);
    const faultPrng = createPrng(seed, 4);
    const misc = createPrng(seed, 5);
    const auth = createAuth(options, now, createPrng(seed, 6));
    const limiter = createLimiter(options.rateLimit, now);
    const routes = createRoutes({
      store,
      order,
      now,
      baseUrl,
      maxBatch: options.maxBatch ?? 100,
      searchCap: options.searchCap ?? 10_000,
    });
    return { store, faultPrng, misc, auth, limiter, routes };
  };

  let state = build();
  let faults: HubSpotFaults | null = options.faults ?? null;
  const log: HubSpotMockLogEntry[] = [];

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
    status === 204 || body === undefined
      ? new HttpResponse(null, { status, headers })
      : HttpResponse.json(body as Json, { status, headers });

  const errorResponse = (err: MockHttpError, headers: Record<string, string>): Response =>
    json(err.status, { ...err.body, correlationId: state.misc.uuid() }, { ...headers, ...err.headers });

  const serverError = (): { status: number; body: Json } => {
    const status = [500, 502, 503, 504][state.faultPrng.int(0, 3)] ?? 500;
    const messages: Record<number, [string, string]> = {
      500: ['internal error', 'INTERNAL_ERROR'],
      502: ['Bad Gateway: the upstream service did not answer', 'BAD_GATEWAY'],
      503: ['Service Unavailable: please retry later', 'SERVICE_UNAVAILABLE'],
      504: ['Gateway Timeout: the request took too long', 'GATEWAY_TIMEOUT'],
    };
    const [message, category] = messages[status] ?? ['internal error', 'INTERNAL_ERROR'];
    return { status, body: { status: 'error', message, correlationId: state.misc.uuid(), category } };
  };

  const rateLimitBody = (message: string, policyName: string): Json => ({
    status: 'error',
    message,
    errorType: 'RATE_LIMIT',
    correlationId: state.misc.uuid(),
    policyName,
    requestId: state.misc.uuid(),
  });

  async function dispatch(request: Request): Promise<Response | undefined> {
    const url = new URL(request.url);
    if (basePath && !url.pathname.startsWith(basePath)) return undefined;
    const path = url.pathname.slice(basePath.length) || '/';
    const method = request.method.toUpperCase();
    const at = now();
    const entry: HubSpotMockLogEntry = { method, path, status: 0, at, url: request.url };

    const tokenRoute = TOKEN_ROUTES.find((r) => r.method === method && r.pattern.test(path));
    let route: Route | undefined;
    let params: string[] = [];
    if (!tokenRoute) {
      for (const r of state.routes) {
        const m = r.method === method ? r.pattern.exec(path) : null;
        if (m) {
          route = r;
          params = m.slice(1);
          break;
        }
      }
      if (!route) {
        // HubSpot answers unknown paths with 404; say which request the mock does not model.
        Object.assign(entry, { route: 'unmatched', status: 404 });
        log.push(entry);
        return json(404, {
          status: 'error',
          message: `HubSpot mock: no route for ${method} ${path}`,
          correlationId: state.misc.uuid(),
          category: 'OBJECT_NOT_FOUND',
        });
      }
    }
    entry.route = tokenRoute?.name ?? route?.name ?? path;
    if (route?.typeParam !== undefined) {
      const t = resolveType(decodeURIComponent(params[route.typeParam] ?? ''));
      if (t) entry.objectType = t;
    }
    const finish = async (response: Response, extra: Partial<HubSpotMockLogEntry> = {}): Promise<Response> => {
      Object.assign(entry, extra, { status: response.status });
      if (logBodies && !tokenRoute && response.status !== 204) entry.responseBody = await response.clone().json().catch(() => null);
      log.push(entry);
      return response;
    };

    // Faults first decide whether they apply at all (the token endpoints are excluded by default).
    const f = faults;
    const faultsApply = f !== null && (f.match ? f.match({ method, path }) : !tokenRoute);

    let caller: Caller | undefined;
    let rateHeaders: Record<string, string> = {};
    if (!tokenRoute && route) {
      try {
        caller = state.auth.authenticate(request.headers.get('authorization'));
      } catch (err) {
        if (err instanceof MockHttpError) return finish(errorResponse(err, {}));
        throw err;
      }
      const decision = route.search ? state.limiter.search() : state.limiter.request(caller.kind === 'static');
      rateHeaders = decision.headers;
      if (!decision.ok) {
        return finish(json(429, rateLimitBody(decision.message, decision.policy), decision.headers), { policy: decision.policy });
      }
    }

    // Injected faults.
    let strikeAfter: { kind: 'serverError' | 'timeout' } | undefined;
    if (faultsApply && f) {
      const roll = (p: number | undefined): boolean => p !== undefined && p > 0 && state.faultPrng.next() < p;
      const isWrite = WRITE_METHODS.has(method) && !route?.search && !path.endsWith('/batch/read') && route?.write === true;
      const afterCommit = (): boolean => isWrite && state.faultPrng.next() < (f.afterCommit ?? 0.5);
      if (roll(f.timeout)) {
        if (afterCommit()) strikeAfter = { kind: 'timeout' };
        else {
          Object.assign(entry, { status: 0, fault: 'timeout' });
          log.push(entry);
          await delay(f.timeoutMs ?? 30_000);
          return HttpResponse.error();
        }
      } else if (roll(f.serverError)) {
        if (afterCommit()) strikeAfter = { kind: 'serverError' };
        else {
          const e = serverError();
          return finish(json(e.status, e.body, route?.search ? {} : rateHeaders), { fault: 'serverError' });
        }
      } else if (roll(f.rateLimited)) {
        const kind = caller?.kind === 'static';
        return finish(
          json(
            429,
            rateLimitBody('You have reached your ten_secondly_rolling limit.', 'TEN_SECONDLY_ROLLING'),
            state.limiter.faultHeaders(kind),
          ),
          {
            fault: 'rateLimited',
            policy: 'TEN_SECONDLY_ROLLING',
          },
        );
      } else if (roll(f.locked)) {
        return finish(
          json(
            423,
            {
              status: 'error',
              message: 'The resource is locked by another request. Wait at least 2 seconds and retry.',
              correlationId: state.misc.uuid(),
              category: 'LOCKED',
            },
            route?.search ? {} : rateHeaders,
          ),
          { fault: 'locked' },
        );
      }
    }

    // Execute.
    let response: Response;
    let parsedInputs: number | undefined;
    try {
      let result: RouteResult;
      if (tokenRoute) {
        result = { status: 200, body: await state.auth.token(request, tokenRoute.token ?? 'v1') };
      } else if (route) {
        let parsed: { value: unknown } | undefined;
        const body = async (): Promise<unknown> => {
          if (parsed) return parsed.value;
          let value: unknown;
          try {
            const text = await request.text();
            value = text === '' ? {} : JSON.parse(text);
          } catch {
            throw validationError('Invalid input JSON on line 1: the body is not valid JSON');
          }
          const inputs = value && typeof value === 'object' ? (value as Json)['inputs'] : undefined;
          if (Array.isArray(inputs)) parsedInputs = inputs.length;
          parsed = { value };
          if (logBodies) entry.requestBody = value;
          return value;
        };
        result = await route.run({
          url,
          params,
          body,
          json: async () => {
            const value = await body();
            if (value && typeof value === 'object' && !Array.isArray(value)) return value as Json;
            throw validationError('Invalid input JSON: expected an object');
          },
        });
      } else {
        return undefined;
      }
      response = json(result.status, result.body, { ...(route?.search ? {} : rateHeaders), ...(result.headers ?? {}) });
    } catch (err) {
      if (!(err instanceof MockHttpError)) throw err;
      response = errorResponse(err, route?.search ? {} : rateHeaders);
    }
    if (parsedInputs !== undefined) entry.inputs = parsedInputs;

    if (strikeAfter) {
      if (strikeAfter.kind === 'timeout') {
        Object.assign(entry, { status: 0, fault: 'timeout:afterCommit' });
        log.push(entry);
        await delay(f?.timeoutMs ?? 30_000);
        return HttpResponse.error();
      }
      const e = serverError();
      return finish(json(e.status, e.body, rateHeaders), { fault: 'serverError:afterCommit' });
    }
    return finish(response);
  }

  const handlers: RequestHandler[] = [http.all(`${baseUrl}/*`, ({ request }) => dispatch(request))];

  return {
    handlers,
    listen() {
      const server = setupServer(...handlers);
      server.listen({ onUnhandledRequest: 'error' });
      return { close: () => server.close() };
    },
    log,
    objects(type, opts = {}) {
      const archived = opts.archived ?? false;
      return [...state.store.table(directType(type)).values()]
        .filter((r) => r.archived === archived)
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((r) => state.store.snapshot(r));
    },
    get(type, id) {
      const rec = state.store.table(directType(type)).get(id);
      return rec ? state.store.snapshot(rec) : undefined;
    },
    associations(fromType, id, toType) {
      return state.store.associationsOf(directType(fromType), id, directType(toType)).map((a) => a.toId);
    },
    create(type, properties, opts = {}) {
      const t = directType(type);
      const { store } = state;
      try {
        const props = store.validateProperties(t, properties, 'create');
        const planned = store.planAssociations(
          t,
          (opts.associations ?? []).map((a) => {
            const def = findAssociationTypeFrom(t, a.typeId);
            if (def && def.to !== directType(a.toType)) throw validationError(`association type ${a.typeId} does not lead to ${a.toType}`);
            return { to: { id: a.toId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: a.typeId }] };
          }),
        );
        store.checkUnique(t, props);
        const rec = store.insert(t, props, 'CRM_UI');
        for (const p of planned) store.associate(p.def, rec.id, p.toId);
        return store.snapshot(rec);
      } catch (err) {
        return fail(err);
      }
    },
    update(type, id, properties) {
      const t = directType(type);
      const { store } = state;
      const rec = store.table(t).get(id);
      if (!rec || rec.archived) return fail(missing(t, id));
      try {
        const props = store.validateProperties(t, properties, 'update');
        store.checkUnique(t, props, rec.id);
        return store.snapshot(store.applyUpdate(rec, props, 'CRM_UI'));
      } catch (err) {
        return fail(err);
      }
    },
    archive(type, id) {
      const t = directType(type);
      const rec = state.store.table(t).get(id);
      if (!rec) fail(missing(t, id));
      state.store.archiveRecord(rec);
    },
    setFaults(next) {
      faults = next;
    },
    expireAccessTokens() {
      state.auth.expireAll();
    },
    stats() {
      const byStatus: Record<string, number> = {};
      const byRoute: Record<string, number> = {};
      let rateLimited = 0;
      let searches = 0;
      for (const e of log) {
        byStatus[String(e.status)] = (byStatus[String(e.status)] ?? 0) + 1;
        const route = e.route ?? `${e.method} ${e.path}`;
        byRoute[route] = (byRoute[route] ?? 0) + 1;
        if (e.status === 429) rateLimited += 1;
        if (e.method === 'POST' && e.path.endsWith('/search')) searches += 1;
      }
      return { requests: log.length, byStatus, rateLimited, searches, byRoute };
    },
    reset() {
      state = build();
      faults = options.faults ?? null;
      log.length = 0;
    },
  };
}
