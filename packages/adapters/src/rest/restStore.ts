import {
  CrmError,
  CrmValidationError,
  type Change,
  type ChangePage,
  type CrmStore,
  type EntityRecords,
  type HistoryItem,
  type Page,
  type StoreWriteOptions,
  type WriteOp,
  type WriteResult,
} from '@crm/core';
import {
  checkHistoryQuery,
  checkWriteOptions,
  DEFAULT_ORIGIN,
  MAX_WRITE_OPS,
  LIST_PAGING,
  STORE_FILTERS,
  FIELDS_FILTER,
  checkFieldFilter,
} from '@crm/core/store';
import { sleep } from '../http/retry.js';
import { apiClient, type FollowedStream } from './apiClient.js';

export type { RestHeaders, RestRetryOptions } from './apiClient.js';
import type { RestHeaders, RestRetryOptions } from './apiClient.js';

/** Options of {@link restStore}. */
export interface RestStoreOptions {
  /**
   * Where the API served by `createRestHandler` is mounted.
   * @example 'https://crm.example.com/api/crm'
   */
  baseUrl: string | URL;
  /**
   * Headers for every request, typically the credentials `authorize` checks; a function is called
   * before each request (and each reconnection of the change stream), so tokens can be refreshed.
   * @example { authorization: `Bearer ${token}` }
   */
  headers?: RestHeaders;
  /**
   * The `fetch` to use: a mock in tests, or one with a proxy agent.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /**
   * How long to wait for a response's headers, in milliseconds, per attempt.
   * @default 10_000
   */
  timeoutMs?: number;
  /**
   * Retries of reads (`GET`) that failed on the network or with a retryable status (408, 413,
   * 429, 5xx), after the shared retry policy: `Retry-After` honoured and capped, otherwise
   * exponential backoff with jitter. A number sets `limit`; `false` turns retries off.
   * @default { limit: 2, baseMs: 300, maxMs: 30_000 }
   */
  retry?: RestRetryOptions | number | false;
}

const ENTITIES: ReadonlySet<string> = new Set(['customers', 'touchpoints', 'complaints']);

function checkEntity(entity: string): void {
  if (!ENTITIES.has(entity)) {
    throw CrmValidationError.field('store operation', ['entity'], 'expected "customers", "touchpoints" or "complaints"');
  }
}


/** Adds a value to search params the way the handler reads it (numbers as written, lists repeated). */
function put(params: URLSearchParams, name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    if (value.length === 0) params.append(name, '');
    for (const item of value) params.append(name, String(item));
  } else if (name === 'externalId' && typeof value === 'object') {
    const { system, id } = value as { system: string; id: string };
    params.append(name, `${system}:${id}`);
  } else params.append(name, String(value));
}

type Listener = (changes: readonly Change[]) => void;

/**
 * Whether an id is `.` or `..`: URLs resolve such a path segment away (`%2E` too), so it can't
 * be sent (nor can an empty one); no record has such an id (ids are letters, digits, `_` and `-`).
 */
/** The query parameters of a list besides its filters. */
const PAGE_PARAMS: ReadonlySet<string> = new Set(LIST_PAGING);

const isDotSegment = (id: unknown) => id === '.' || id === '..';

/**
 * A {@link CrmStore} over HTTP: every call is a request to an API served by
 * {@link createRestHandler}, so a browser app, an edge function or another service uses the same
 * store contract (and passes the same contract suite) as the store behind the server.
 *
 * Reads time out (`timeoutMs`) and are retried on network failures and retryable statuses after
 * the shared retry policy; the atomic `write` is never retried. Error responses come back as the
 * `CrmError` the server's store threw (`CrmValidationError` with its issues, `CrmConflictError`
 * with its versions); anything else is a `CrmRemoteError` with the status (0 when no response
 * came) and whether a retry may help. `subscribe` listens to the server's change stream
 * (Server-Sent Events, read from the fetch body) and reconnects with `Last-Event-ID`, so no
 * change is lost across a dropped connection. `close()` ends every request and stream.
 *
 * @example
 * ```ts
 * const store = restStore({ baseUrl: 'https://crm.example.com/api/crm', headers: { authorization: `Bearer ${token}` } })
 * const crm = createCrm({ store })
 * ```
 */
export function restStore(options: RestStoreOptions): CrmStore {
  const client = apiClient(options, 'restStore', 'restStore: the store is closed');
  const assertOpen = () => {
    if (client.closed) throw client.closedError();
  };

  /** One call of the API: the parsed JSON of a 2xx answer, or the `CrmError` of any other outcome. Reads are retried; the atomic write (`POST`) is made once. */
  const call = <T>(method: 'GET' | 'POST', path: string, params?: URLSearchParams, body?: unknown): Promise<T> =>
    client.call<T>(method, path, { ...(params ? { params } : {}), ...(body === undefined ? {} : { body }) });

  // ----- The change stream behind subscribe -----
  const listeners = new Set<Listener>();
  let stream: FollowedStream | null = null;

  const deliver = (changes: readonly Change[]) => {
    for (const listener of [...listeners]) {
      try {
        listener(changes);
      } catch (error) {
        (globalThis as { console?: Console }).console?.error('restStore: a subscribe listener threw', error);
      }
    }
  };

  // One message per atomic write; reconnected with Last-Event-ID after a dropped connection.
  const startStream = () => {
    stream = client.follow(
      'changes/stream',
      (message) => {
        if (message.event === 'changes') deliver(JSON.parse(message.data) as Change[]);
      },
      (error) => (globalThis as { console?: Console }).console?.error('restStore: the change stream was refused', error),
    );
  };

  const store: CrmStore = {
    kind: 'rest',
    // What the server's store can do is its own: a write it refuses comes back as its error.
    capabilities: { subscribe: true, sharedFeed: true, delete: true, maxWriteOps: MAX_WRITE_OPS },

    async get(entity, id) {
      assertOpen();
      checkEntity(entity);
      if (typeof id !== 'string' || id === '' || isDotSegment(id)) return null;
      try {
        return await call<EntityRecords[typeof entity]>('GET', `${entity}/${encodeURIComponent(id)}`);
      } catch (error) {
        if (error instanceof CrmError && error.code === 'NOT_FOUND') return null;
        throw error;
      }
    },

    async list(entity, query = {}) {
      assertOpen();
      checkEntity(entity);
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query.filter ?? {})) {
        // Custom fields go as one parameter, `fields`, their JSON; checked here as the server's store checks them.
        if (name === FIELDS_FILTER) {
          if (value === undefined) continue;
          checkFieldFilter(value);
          if (Object.keys(value).length > 0) params.append(FIELDS_FILTER, JSON.stringify(value));
          continue;
        }
        // An unknown filter is refused here, naming it (the server names an unknown parameter by its
        // position only), and one named `limit`, `cursor` or `order` would be read as that parameter.
        if (PAGE_PARAMS.has(name) || !STORE_FILTERS[entity].has(name)) throw CrmValidationError.field('page query', ['filter', name], 'unknown filter', 'unknown_field');
        put(params, name, value);
      }
      put(params, 'limit', query.limit);
      if (query.cursor) put(params, 'cursor', query.cursor);
      put(params, 'order', query.order);
      return call<Page<EntityRecords[typeof entity]>>('GET', entity, params);
    },

    async write(ops: readonly WriteOp[], writeOptions?: StoreWriteOptions) {
      assertOpen();
      const origin = checkWriteOptions(writeOptions);
      // A subscription being set up hears this write: wait (briefly) until the stream listens.
      if (stream) {
        // The wait's timer ends with it: one left running would hold the process open.
        const waited = new AbortController();
        const onClose = () => waited.abort();
        client.signal.addEventListener('abort', onClose);
        try {
          await Promise.race([stream.ready, sleep(client.timeoutMs, waited.signal)]);
        } finally {
          client.signal.removeEventListener('abort', onClose);
          waited.abort();
        }
      }
      return call<WriteResult>('POST', 'writes', undefined, origin === DEFAULT_ORIGIN ? { ops } : { ops, origin });
    },

    async history(customerId, query = {}) {
      assertOpen();
      if (customerId === '' || isDotSegment(customerId)) {
        checkHistoryQuery(query);
        return { items: [], nextCursor: null };
      }
      const params = new URLSearchParams();
      put(params, 'limit', query.limit);
      if (query.cursor) put(params, 'cursor', query.cursor);
      put(params, 'channels', query.channels);
      put(params, 'types', query.types);
      return call<Page<HistoryItem>>('GET', `customers/${encodeURIComponent(customerId)}/history`, params);
    },

    async changes(query) {
      assertOpen();
      const params = new URLSearchParams();
      put(params, 'since', query?.since);
      put(params, 'limit', query?.limit);
      return call<ChangePage>('GET', 'changes', params);
    },

    subscribe(listener) {
      assertOpen();
      listeners.add(listener);
      if (!stream) startStream();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && stream) {
          stream.stop();
          stream = null;
        }
      };
    },

    async close() {
      listeners.clear();
      stream = null;
      client.close();
    },
  };
  return store;
}
