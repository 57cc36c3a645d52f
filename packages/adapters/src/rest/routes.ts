import { CHANNELS, type CrmStore, type EntityName, type HistoryItem } from '@crm/core';
import { LIST_FILTERS, type ListFilter } from '@crm/core/store';
import type { ParamSpec, QuerySpec } from './query.js';

/** What an operation gets to answer one request. */
export interface OperationContext {
  /** The tenant's store. */
  store: CrmStore;
  /** Path parameters, decoded: `{ id }`. */
  params: Readonly<Record<string, string>>;
  /** Query parameters, parsed by the operation's spec. */
  query: Record<string, unknown>;
  request: Request;
}

/** What an operation answers: a JSON body (status 200), or a ready `Response` (the event stream). */
export type OperationResult = { json: unknown } | { response: Response };

/** One method of one route, with what the OpenAPI document says about it. */
export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  /** Query parameters; anything else is a 400. */
  query?: QuerySpec;
  /** The request body's component schema, for operations that take one. */
  body?: string;
  /** The 200 response: a component schema name, or a media type of its own (the event stream). */
  response: { schema: string } | { mediaType: string; description: string };
  /** Whether it answers without `authorize` (the OpenAPI document). */
  public?: boolean;
  /** Marks an operation the handler serves itself (writes, streams, the document). */
  special?: 'write' | 'stream' | 'openapi';
  run?(ctx: OperationContext): Promise<OperationResult>;
}

/** A path template (`/customers/{id}/history`) and what each method does there. */
export interface Route {
  path: string;
  segments: readonly string[];
  methods: Readonly<Partial<Record<'GET' | 'POST', Operation>>>;
}

const SINGULAR: Record<EntityName, string> = { customers: 'customer', touchpoints: 'touchpoint', complaints: 'complaint' };
const ENTITY_TITLE: Record<EntityName, string> = { customers: 'Customer', touchpoints: 'Touchpoint', complaints: 'Complaint' };

/** A list filter of core's `LIST_FILTERS` as a query parameter: an id is text of at most 64 characters. */
function filterParam({ value, description }: ListFilter): ParamSpec {
  switch (value.kind) {
    case 'id':
      return { kind: 'text', max: 64, description };
    case 'enum':
      return { kind: 'enum', values: value.values, description };
    case 'enumList':
      return { kind: 'enumList', values: value.values, description };
    case 'text':
      return { kind: 'text', max: value.max, description };
    case 'externalId':
      return { kind: 'externalId', description };
  }
}

const paramsOf = (filters: Readonly<Record<string, ListFilter>>): QuerySpec =>
  Object.fromEntries(Object.entries(filters).map(([name, filter]) => [name, filterParam(filter)]));

/** The filters of each entity's list, as query parameters (from core's `LIST_FILTERS`). */
export const FILTER_PARAMS: Record<EntityName, QuerySpec> = {
  customers: paramsOf(LIST_FILTERS.customers),
  touchpoints: paramsOf(LIST_FILTERS.touchpoints),
  complaints: paramsOf(LIST_FILTERS.complaints),
};

/**
 * The filter on custom fields of each list, as a query parameter: `fields`, a JSON object (see
 * `FieldFilter` in `@crm/core`). The longest valid one (10 strings of 1000 characters, each
 * escaped) is well under its limit.
 */
export const FIELDS_PARAM: QuerySpec = {
  fields: {
    kind: 'fieldFilter',
    max: 100_000,
    description:
      'Only records whose custom fields have these values: a JSON object of at most 10 field names, each to a string (at most 1000 characters), a number, a boolean or `null` (which also matches a missing field), e.g. `{"tier":"gold","seats":10}`. Every field must match. URL-encode it.',
  },
};

const PAGE_PARAMS = (max: number): QuerySpec => ({
  limit: { kind: 'int', min: 1, max, description: `Items per page, 1–${max}. Default 50.` },
  cursor: { kind: 'text', max: 500, description: 'The `nextCursor` of the previous page.' },
});

const listOperation = (entity: EntityName): Operation => ({
  operationId: `list${ENTITY_TITLE[entity]}s`,
  summary: `List ${entity}`,
  description: `${ENTITY_TITLE[entity]}s matching every filter given, newest id first (\`order=asc\` for oldest first), a page at a time.`,
  query: {
    ...FILTER_PARAMS[entity],
    ...FIELDS_PARAM,
    ...PAGE_PARAMS(500),
    order: { kind: 'enum', values: ['asc', 'desc'], description: 'Creation order: `desc` (default) or `asc`.' },
  },
  response: { schema: `${ENTITY_TITLE[entity]}Page` },
  async run({ store, query }) {
    const { limit, cursor, order, ...filter } = query as Record<string, never>;
    return { json: await store.list(entity, { filter, limit, cursor, order }) };
  },
});

const getOperation = (entity: EntityName): Operation => ({
  operationId: `get${ENTITY_TITLE[entity]}`,
  summary: `Get one ${SINGULAR[entity]}`,
  response: { schema: ENTITY_TITLE[entity] },
  async run({ store, params }) {
    const record = await store.get(entity, params.id!);
    if (record === null) throw new RecordNotFound(SINGULAR[entity]);
    return { json: record };
  },
});

/** Thrown by an operation for a record id that does not exist (answered 404, without the id). */
export class RecordNotFound extends Error {
  readonly entity: string;
  constructor(entity: string) {
    super(`No ${entity} with this id exists`);
    this.name = 'RecordNotFound';
    this.entity = entity;
  }
}

const entityRoutes = (entity: EntityName): Route[] => [
  route(`/${entity}`, { GET: listOperation(entity) }),
  route(`/${entity}/{id}`, { GET: getOperation(entity) }),
];

function route(path: string, methods: Route['methods']): Route {
  return { path, segments: path.split('/').slice(1), methods };
}

/** Every route of the API, relative to the handler's `basePath`. */
export const ROUTES: readonly Route[] = [
  ...entityRoutes('customers'),
  route('/customers/{id}/history', {
    GET: {
      operationId: 'getCustomerHistory',
      summary: "A customer's history",
      description:
        "The customer's touchpoints and complaint activity merged, newest first (by `at`, then `id`). An unknown customer has an empty history.",
      query: {
        ...PAGE_PARAMS(500),
        channels: { kind: 'enumList', values: CHANNELS, description: 'Only touchpoints on these channels and activity of complaints raised on them.' },
        types: {
          kind: 'enumList',
          values: ['touchpoint', 'complaint_activity'] satisfies HistoryItem['type'][],
          description: 'Only these kinds of item. Default: both.',
        },
      },
      response: { schema: 'HistoryPage' },
      async run({ store, params, query }) {
        return { json: await store.history(params.id!, query) };
      },
    },
  }),
  ...entityRoutes('touchpoints'),
  ...entityRoutes('complaints'),
  route('/writes', {
    POST: {
      operationId: 'write',
      summary: 'Write records atomically',
      description:
        'Creates and updates records, all or none. Each record must be a valid stored record of its entity; an update applies only if the record is still at `expectedVersion` (else 409).',
      body: 'WriteRequest',
      response: { schema: 'WriteResult' },
      special: 'write',
    },
  }),
  route('/changes', {
    GET: {
      operationId: 'listChanges',
      summary: 'Read the change feed',
      description: 'Changes with `seq > since`, in order, at most `limit`.',
      query: {
        since: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, description: 'Read the changes after this sequence. Default 0.' },
        limit: { kind: 'int', min: 1, max: 1000, description: 'At most this many changes, 1–1000. Default 100.' },
      },
      response: { schema: 'ChangePage' },
      async run({ store, query }) {
        const { since = 0, limit } = query as { since?: number; limit?: number };
        return { json: await store.changes({ since, limit }) };
      },
    },
  }),
  route('/changes/stream', {
    GET: {
      operationId: 'streamChanges',
      summary: 'Live changes (Server-Sent Events)',
      description:
        'An `event: ready` message (its `id` the sequence the stream starts after), then one `event: changes` message per atomic write with the changes as JSON and `id` its last `seq`. Resume with `Last-Event-ID` or `since`: the missed changes are replayed from the feed (in messages of up to 100). Comments (`: heartbeat`) keep the connection open.',
      query: {
        since: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, description: 'Replay the changes after this sequence first (as `Last-Event-ID` does).' },
      },
      response: { mediaType: 'text/event-stream', description: 'A stream of `ready` and `changes` events.' },
      special: 'stream',
    },
  }),
  route('/openapi.json', {
    GET: {
      operationId: 'getOpenApiDocument',
      summary: 'This OpenAPI document',
      response: { mediaType: 'application/json', description: 'The OpenAPI 3.1 document of this API.' },
      public: true,
      special: 'openapi',
    },
  }),
];

/** The route matching a path's segments (already split and decoded), with its path parameters. */
export function matchRoute(segments: readonly string[]): { route: Route; params: Record<string, string> } | null {
  for (const candidate of ROUTES) {
    if (candidate.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const pattern = candidate.segments[i]!;
      if (pattern.startsWith('{')) {
        params[pattern.slice(1, -1)] = segments[i]!;
        ok = segments[i] !== '';
      }
      else ok = pattern === segments[i];
    }
    if (ok) return { route: candidate, params };
  }
  return null;
}
