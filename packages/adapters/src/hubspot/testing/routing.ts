/** Shared routing types and helpers of the mock's REST routes. */
import { type ObjectType, resolveType } from './catalogue.js';
import { type Json, MockHttpError, validationError } from './errors.js';
import type { Prng } from './prng.js';
import type { Store, StoredRecord } from './store.js';

/** What a route returns. */
export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The request as routes see it. */
export interface RouteRequest {
  url: URL;
  params: string[];
  /** The JSON body as an object (400 otherwise). */
  json(): Promise<Json>;
  /** The JSON body as sent (object or array). */
  body(): Promise<unknown>;
}

/** One route. */
export interface Route {
  method: string;
  pattern: RegExp;
  /** `METHOD /path/:template`, used as the key of `stats().byRoute`. */
  name: string;
  /** The index of the param holding the object type, for the log. */
  typeParam?: number;
  /** Search requests (own rate limit, no rate headers). */
  search?: boolean;
  /** Requests that change data (a fault can strike after they commit). */
  write?: boolean;
  /** Token endpoints (no auth, no rate limit). */
  token?: 'v1' | 'v3';
  run(req: RouteRequest): Promise<RouteResult>;
}

/** What the routes need from the mock. */
export interface RouteDeps {
  store: Store;
  order: Prng;
  now: () => number;
  baseUrl: string;
  maxBatch: number;
  searchCap: number;
}

/** ISO string of a ms timestamp. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** Resolves a path segment to an object type or throws HubSpot's 400. */
export function typeOf(segment: string): ObjectType {
  const type = resolveType(decodeURIComponent(segment));
  if (!type) throw validationError(`Unable to infer object type from: ${segment}`);
  return type;
}

/** A comma-separated (or repeated) query parameter as a list. */
export function listParam(url: URL, name: string): string[] {
  return url.searchParams
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** An opaque paging cursor for a record id (HubSpot-like: base64, URL-encoded). */
export function encodeCursor(id: string): string {
  return encodeURIComponent(btoa(`${id}\n`));
}

/** The record id inside a cursor (400 when it is not one of ours). */
export function decodeCursor(after: string): string {
  let raw = after;
  for (let i = 0; i < 3 && raw.includes('%'); i++) raw = decodeURIComponent(raw);
  try {
    const id = atob(raw).trim();
    if (/^\d+$/.test(id)) return id;
  } catch {
    // fall through
  }
  throw validationError(`Invalid "after" cursor: ${after}`);
}

/** The `limit` query parameter, checked against `max` (400 outside 1..max). */
export function parseLimit(url: URL, fallback: number, max: number): number {
  const raw = url.searchParams.get('limit');
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw validationError(`limit must be an integer between 1 and ${max}, got ${raw}`);
  return n;
}

/** The `inputs` of a batch body, at most `max` (400 otherwise). */
export function inputsOf(body: Json, max: number, what = 'a batch request'): Array<Record<string, unknown>> {
  const inputs = body['inputs'];
  if (!Array.isArray(inputs)) throw validationError('Invalid input JSON: "inputs" must be an array');
  if (inputs.length > max) {
    throw validationError(`The maximum number of inputs supported in ${what} is ${max}. Please reduce the number of items and try again`, {
      context: { inputs: [String(inputs.length)] },
    });
  }
  return inputs.map((i) => (i && typeof i === 'object' ? (i as Record<string, unknown>) : {}));
}

/** A value as a string (`''` for null/undefined). */
export const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** An error entry of a 207 body, from a thrown HubSpot error plus extra context. */
export function errorEntry(err: unknown, context: Record<string, string[]>): Json {
  if (err instanceof MockHttpError) {
    const { status: _s, ...rest } = err.body;
    const existing = (rest['context'] as Record<string, string[]> | undefined) ?? {};
    return { status: 'error', ...rest, context: { ...existing, ...context } };
  }
  throw err;
}

/** What a route module gets: the deps, a way to add routes and shared helpers. */
export interface RouteKit {
  deps: RouteDeps;
  add(method: string, path: string, run: Route['run'], flags?: Partial<Route>): void;
  /** The batch response envelope. */
  envelope(results: unknown[], errors: Json[], startedAt: number): Json;
  /** A live (not archived) record. */
  live(type: ObjectType, id: string): StoredRecord | undefined;
}

/** Creates a route table and the kit that fills it. */
export function createKit(deps: RouteDeps): { routes: Route[]; kit: RouteKit } {
  const routes: Route[] = [];
  const kit: RouteKit = {
    deps,
    add(method, path, run, flags = {}) {
      const pattern = new RegExp(`^${path.replace(/:[a-zA-Z]+/g, '([^/]+)')}/?$`);
      const typeIndex = path
        .split('/')
        .filter((s) => s.startsWith(':'))
        .findIndex((s) => s === ':type' || s === ':from');
      routes.push({ method, pattern, name: `${method} ${path}`, run, ...(typeIndex >= 0 ? { typeParam: typeIndex } : {}), ...flags });
    },
    envelope: (results, errors, startedAt) => ({
      status: 'COMPLETE',
      results,
      ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
      requestedAt: iso(startedAt),
      startedAt: iso(startedAt),
      completedAt: iso(deps.now()),
      links: {},
    }),
    live(type, id) {
      const rec = deps.store.table(type).get(id);
      return rec && !rec.archived ? rec : undefined;
    },
  };
  return { routes, kit };
}

/** Resolves `associations=` query values to object types (unknown names are ignored). */
export function associationTypesParam(url: URL): ObjectType[] {
  return listParam(url, 'associations').flatMap((s) => resolveType(s) ?? []);
}
