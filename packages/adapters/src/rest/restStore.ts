import {
  CrmError,
  CrmRemoteError,
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
} from '@crm/core/store';
import ky, { TimeoutError, type KyInstance } from 'ky';
import {
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_MAX_MS,
  isIdempotentMethod,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
} from '../http/retryPolicy.js';
import { retryable, sleep, withRetry } from '../http/retry.js';
import { errorFromProblem, readProblem } from './remoteError.js';
import { readServerSentEvents } from './sseParser.js';

/** Headers sent with every request, or a function giving them (called per request: fresh tokens). */
export type RestHeaders = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

/** How {@link restStore} retries reads. Writes (`POST`) are never retried. */
export interface RestRetryOptions {
  /**
   * How many times a failed read is sent again (so `limit + 1` attempts at most).
   * @default 2
   */
  limit?: number;
  /**
   * The first backoff step in milliseconds; each retry doubles the ceiling (with full jitter).
   * @default 300
   */
  baseMs?: number;
  /**
   * The longest wait between two attempts, in milliseconds, for backoff and `Retry-After` alike.
   * @default 30_000
   */
  maxMs?: number;
  /**
   * A source of numbers in `[0, 1)` for the jitter, replaceable in tests.
   * @default Math.random
   */
  random?: () => number;
}

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

interface Normalized {
  baseUrl: string;
  headers: () => Promise<Record<string, string>>;
  fetch: typeof fetch | undefined;
  timeoutMs: number;
  retry: Required<Omit<RestRetryOptions, 'random'>> & Pick<RestRetryOptions, 'random'>;
}

function normalize(options: RestStoreOptions): Normalized {
  const fail = (message: string): never => {
    throw new TypeError(`restStore: ${message}`);
  };
  if (!options || typeof options !== 'object') fail('pass an options object: { baseUrl }');
  let baseUrl = '';
  try {
    baseUrl = new URL(String(options.baseUrl)).href.replace(/\/+$/, '');
  } catch {
    fail('`baseUrl` must be an absolute URL, such as "https://crm.example.com/api/crm"');
  }
  const { headers = {}, timeoutMs = 10_000 } = options;
  if (typeof headers !== 'function' && (typeof headers !== 'object' || headers === null)) fail('`headers` must be an object or a function');
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs <= 2_147_483_647)) fail('`timeoutMs` must be a number of milliseconds above 0');
  if (options.fetch !== undefined && typeof options.fetch !== 'function') fail('`fetch` must be a function');
  const retry = options.retry === false ? { limit: 0 } : typeof options.retry === 'number' ? { limit: options.retry } : (options.retry ?? {});
  const { limit = 2, baseMs = DEFAULT_RETRY_BASE_MS, maxMs = DEFAULT_RETRY_MAX_MS, random } = retry;
  if (!Number.isInteger(limit) || limit < 0) fail('`retry.limit` must be a whole number, 0 or more');
  if (!(baseMs >= 0) || !(maxMs >= 0)) fail('`retry.baseMs` and `retry.maxMs` must be milliseconds, 0 or more');
  return {
    baseUrl,
    headers: async () => ({ ...(typeof headers === 'function' ? await headers() : headers) }),
    fetch: options.fetch,
    timeoutMs,
    retry: { limit, baseMs, maxMs, random },
  };
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
  const config = normalize(options);
  const closer = new AbortController();
  let closed = false;
  const api: KyInstance = ky.create({
    prefixUrl: config.baseUrl,
    timeout: config.timeoutMs,
    retry: 0,
    throwHttpErrors: false,
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });

  const closedError = () => new CrmError('restStore: the store is closed');
  const assertOpen = () => {
    if (closed) throw closedError();
  };

  /** One call of the API: the parsed JSON of a 2xx answer, or the `CrmError` of any other outcome. */
  async function call<T>(method: 'GET' | 'POST', path: string, params?: URLSearchParams, body?: unknown): Promise<T> {
    assertOpen();
    const what = `restStore: ${method} /${path}`;
    /** One request: its JSON, a final `CrmError`, or a retryable failure (network, timeout, retryable status). */
    const attempt = async (): Promise<T> => {
      let failure: CrmError;
      let retryAfterMs: number | null = null;
      try {
        const response = await api(path, {
          method,
          headers: { accept: 'application/json', ...(await config.headers()) },
          signal: closer.signal,
          ...(params && params.size > 0 ? { searchParams: params } : {}),
          ...(body === undefined ? {} : { json: body }),
        });
        if (response.ok) return (await response.json()) as T;
        failure = errorFromProblem(await readProblem(response), response.status, what);
        if (!isRetryableStatus(response.status)) throw failure;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), new Date());
      } catch (error) {
        if (closed) throw closedError();
        if (error instanceof CrmError) throw error;
        const timedOut = error instanceof TimeoutError;
        failure = new CrmRemoteError(`${what} ${timedOut ? `timed out after ${config.timeoutMs} ms` : 'failed: no response from the server'}`, {
          status: 0,
          retryable: true,
          cause: error,
        });
      }
      throw retryable(failure, retryAfterMs);
    };
    try {
      // Reads only: the atomic write (`POST`) is made once.
      return await withRetry({ ...config.retry, signal: closer.signal, idempotent: isIdempotentMethod(method), attempt });
    } catch (error) {
      // `close()` ends the wait between attempts too.
      if (closed) throw closedError();
      throw error;
    }
  }

  // ----- The change stream behind subscribe -----
  const listeners = new Set<Listener>();
  let stream: { stop: AbortController; ready: Promise<void> } | null = null;

  const deliver = (changes: readonly Change[]) => {
    for (const listener of [...listeners]) {
      try {
        listener(changes);
      } catch (error) {
        (globalThis as { console?: Console }).console?.error('restStore: a subscribe listener threw', error);
      }
    }
  };

  function startStream(): void {
    const stop = new AbortController();
    let markReady = () => {};
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    stream = { stop, ready };
    const onClose = () => stop.abort();
    closer.signal.addEventListener('abort', onClose);
    void (async () => {
      let lastEventId: string | undefined;
      for (let attempt = 1; !stop.signal.aborted; attempt++) {
        try {
          const headers: Record<string, string> = { accept: 'text/event-stream', ...(await config.headers()) };
          if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
          const response = await api('changes/stream', { headers, signal: stop.signal });
          if (!response.ok || !response.body) {
            await response.body?.cancel().catch(() => {});
          } else {
            for await (const message of readServerSentEvents(response.body)) {
              if (message.id !== undefined) lastEventId = message.id;
              if (message.event === 'ready') {
                attempt = 0;
                markReady();
              } else if (message.event === 'changes') {
                deliver(JSON.parse(message.data) as Change[]);
              }
            }
          }
        } catch {
          // A dropped or refused connection: try again below, from the last event seen.
        }
        // A failed attempt must not hold writes back.
        markReady();
        if (stop.signal.aborted) break;
        await sleep(retryDelay({ attempt: Math.max(1, attempt), baseMs: config.retry.baseMs, maxMs: config.retry.maxMs }), stop.signal);
      }
      closer.signal.removeEventListener('abort', onClose);
    })();
  }

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
        closer.signal.addEventListener('abort', onClose);
        try {
          await Promise.race([stream.ready, sleep(config.timeoutMs, waited.signal)]);
        } finally {
          closer.signal.removeEventListener('abort', onClose);
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
          stream.stop.abort();
          stream = null;
        }
      };
    },

    async close() {
      closed = true;
      listeners.clear();
      stream = null;
      closer.abort();
    },
  };
  return store;
}
