// The error classes alone: this client is for browsers, and the main entry would bring the schemas.
import { CrmError, CrmRemoteError } from '@crm/core/errors';
import ky, { TimeoutError } from 'ky';
import { retryable, sleep, withRetry } from '../http/retry.js';
import { DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, isIdempotentMethod, isRetryableStatus, parseRetryAfter, retryDelay } from '../http/retryPolicy.js';
import { errorFromProblem, readProblem } from './remoteError.js';
import { readServerSentEvents, type ServerSentEvent } from './sseParser.js';

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

/** What a client of one of this package's JSON APIs is configured with (the options `restStore` and `remoteCrm` share). */
export interface ApiClientOptions {
  baseUrl: string | URL;
  headers?: RestHeaders;
  fetch?: typeof fetch;
  timeoutMs?: number;
  retry?: RestRetryOptions | number | false;
}

/** One request: a query, and a JSON body for writes. */
export interface ApiRequest {
  params?: URLSearchParams;
  body?: unknown;
}

/** An event stream followed by {@link ApiClient.follow}. */
export interface FollowedStream {
  /** Resolves once the stream listens (its `ready` event), or an attempt failed: writes waiting on it go ahead either way. */
  readonly ready: Promise<void>;
  /** Ends the stream for good. */
  stop(): void;
}

/** A JSON API client: requests with the shared retry policy, errors as `CrmError`s, and a closing switch. */
export interface ApiClient {
  /** One call: the parsed JSON of a 2xx answer, or the `CrmError` of any other outcome. Reads are retried; writes never. */
  call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, request?: ApiRequest): Promise<T>;
  /**
   * Follows the Server-Sent Events stream at `path` until `stop()` or `close()`: `onMessage` gets
   * every message; a dropped or refused connection is opened again after the retry policy's
   * delays, with `Last-Event-ID` so nothing is missed. A refusal is told to `onRefused` as the
   * `CrmError` it stands for; after `FEED_EXPIRED` (the server no longer holds the position) the
   * stream starts again at the live end.
   */
  follow(path: string, onMessage: (message: ServerSentEvent) => void, onRefused?: (error: CrmError) => void): FollowedStream;
  /** How long an attempt waits for a response's headers, in milliseconds. */
  readonly timeoutMs: number;
  /** Aborted by `close()`. */
  readonly signal: AbortSignal;
  readonly closed: boolean;
  /** The `CrmError` (code `CLOSED`) calls get after `close()`. */
  closedError(): CrmError;
  /** Ends every request and every wait between attempts. */
  close(): void;
}

/**
 * A client for an API of this package (`createRestHandler`, `createCrmHandler`), with ky: each
 * attempt times out after `timeoutMs`; reads are retried on network failures and retryable
 * statuses after the shared retry policy (`http/retry.ts`), writes never; problem+json answers
 * come back as the `CrmError` the server threw (`errorFromProblem`). `name` starts its messages.
 */
export function apiClient(options: ApiClientOptions, name: string, closedMessage = `${name}: closed`): ApiClient {
  const fail = (message: string): never => {
    throw new TypeError(`${name}: ${message}`);
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
  const given = options.retry === false ? { limit: 0 } : typeof options.retry === 'number' ? { limit: options.retry } : (options.retry ?? {});
  const retry = { limit: 2, baseMs: DEFAULT_RETRY_BASE_MS, maxMs: DEFAULT_RETRY_MAX_MS, ...given };
  if (!Number.isInteger(retry.limit) || retry.limit < 0) fail('`retry.limit` must be a whole number, 0 or more');
  if (!(retry.baseMs >= 0) || !(retry.maxMs >= 0)) fail('`retry.baseMs` and `retry.maxMs` must be milliseconds, 0 or more');

  const closer = new AbortController();
  const api = ky.create({ prefixUrl: baseUrl, timeout: timeoutMs, retry: 0, throwHttpErrors: false, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const freshHeaders = async () => ({ ...(typeof headers === 'function' ? await headers() : headers) });
  const closedError = () => new CrmError(closedMessage, { code: 'CLOSED' });

  return {
    async call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, { params, body }: ApiRequest = {}): Promise<T> {
      if (closer.signal.aborted) throw closedError();
      const what = `${name}: ${method} /${path}`;
      const attempt = async (): Promise<T> => {
        let failure: CrmError;
        let retryAfterMs: number | null = null;
        try {
          const response = await api(path, {
            method,
            headers: { accept: 'application/json', ...(await freshHeaders()) },
            signal: closer.signal,
            ...(params && params.size > 0 ? { searchParams: params } : {}),
            ...(body === undefined ? {} : { json: body }),
          });
          if (response.ok) return (await response.json()) as T;
          failure = errorFromProblem(await readProblem(response), response.status, what);
          if (!isRetryableStatus(response.status)) throw failure;
          retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), new Date());
        } catch (error) {
          if (closer.signal.aborted) throw closedError();
          if (error instanceof CrmError) throw error;
          const timedOut = error instanceof TimeoutError;
          failure = new CrmRemoteError(`${what} ${timedOut ? `timed out after ${timeoutMs} ms` : 'failed: no response from the server'}`, {
            status: 0,
            retryable: true,
            cause: error,
          });
        }
        throw retryable(failure, retryAfterMs);
      };
      try {
        return await withRetry({ ...retry, signal: closer.signal, idempotent: isIdempotentMethod(method), attempt });
      } catch (error) {
        if (closer.signal.aborted) throw closedError();
        throw error;
      }
    },
    follow(path, onMessage, onRefused) {
      const stop = new AbortController();
      let markReady = () => {};
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      const onClose = () => stop.abort();
      closer.signal.addEventListener('abort', onClose);
      void (async () => {
        let lastEventId: string | undefined;
        for (let attempt = 1; !stop.signal.aborted; attempt++) {
          try {
            const headers: Record<string, string> = { accept: 'text/event-stream', ...(await freshHeaders()) };
            if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
            const response = await api(path, { headers, signal: stop.signal, timeout: false });
            if (!response.ok || !response.body) {
              const error = errorFromProblem(await readProblem(response), response.status, `${name}: GET /${path}`);
              if (error.code === 'FEED_EXPIRED') lastEventId = undefined;
              onRefused?.(error);
            } else {
              for await (const message of readServerSentEvents(response.body)) {
                if (message.id !== undefined) lastEventId = message.id;
                if (message.event === 'ready') {
                  attempt = 0;
                  markReady();
                }
                onMessage(message);
              }
            }
          } catch {
            // A dropped or refused connection: try again below, from the last event seen.
          }
          markReady(); // A failed attempt must not hold writes back.
          if (stop.signal.aborted) break;
          await sleep(retryDelay({ attempt: Math.max(1, attempt), baseMs: retry.baseMs, maxMs: retry.maxMs }), stop.signal);
        }
        closer.signal.removeEventListener('abort', onClose);
      })();
      return { ready, stop: () => stop.abort() };
    },
    timeoutMs,
    signal: closer.signal,
    get closed() {
      return closer.signal.aborted;
    },
    closedError,
    close: () => closer.abort(),
  };
}
