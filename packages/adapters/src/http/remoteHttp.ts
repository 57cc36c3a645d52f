/**
 * The HTTP layer every remote CRM adapter shares (HubSpot now, Salesforce next): ky for each
 * attempt (a timeout, no retries of its own), the shared retry loop ({@link withRetry}) with
 * what may be sent twice decided per failure, the remote's budgets ({@link createRateLimiter}),
 * a bearer token from an {@link AuthSource} refreshed once on expiry, and errors that are
 * `CrmRemoteError`s with a readable message and never a secret.
 *
 * What is sent again, and when:
 * - 429 (nothing was applied) and 423 (locked), for every request: a 429 pauses the budget it
 *   names (see {@link Classified}) for its wait, and the request goes back to the queue.
 * - 5xx, timeouts and lost connections only when the request is `replayable`; otherwise a
 *   create that may have committed is not sent twice blindly: the caller gets a retryable
 *   `CrmRemoteError` (status 0 for a timeout) and decides.
 * - 401 with an expired token (`Classified.expiredToken`): the token is refreshed once and the
 *   request replayed (not counted as a retry).
 * - Never: other 4xx.
 *
 * @module
 */
import ky, { TimeoutError } from 'ky';
import { CrmRemoteError } from '@crm/core/errors';
import { createRateLimiter, type Budget, type RateLimitReading, type RateLimits, type Start } from './limiter.js';
import { retryable, withRetry, type RetryEvent, type RetryPolicy } from './retry.js';
import { DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, isRetryableStatus, parseRetryAfter } from './retryPolicy.js';

/** What a remote's failure means, as its `classify` reads it from the status, headers and body. */
export interface Classified {
  /** The remote's own error code (`VALIDATION_ERROR`, `RATE_LIMIT`, …), or `null`. */
  code: string | null;
  /**
   * For a 429: which limit was hit and how long the remote asked to wait (`null`: not said).
   * The policy picks the budget paused: `SECONDLY` or `SEARCH` → the search budget;
   * `TEN_SECONDLY_ROLLING` or `BURST` → the default budget; anything else → the request's own.
   */
  rateLimit?: { policy: string; waitMs: number | null } | undefined;
  /** A 401 because the access token expired: refresh it and send the request again. */
  expiredToken?: boolean;
  /** The daily budget is spent: open the circuit. */
  dailySpent?: boolean;
}

/** Where the bearer token of a remote comes from. */
export interface AuthSource {
  /**
   * The token to send. `forceRefresh`: the remote refused the last one as expired, get a new
   * one (concurrent callers should share one refresh).
   */
  token(options: { forceRefresh: boolean; signal?: AbortSignal }): Promise<string>;
  /** Whether {@link AuthSource.token} can give a new token when one expires. */
  readonly refreshable: boolean;
  /** Every secret value this source holds or has handed out (tokens, client secrets), to redact them. */
  secrets(): string[];
}

/**
 * An {@link AuthSource} for a token that never changes (a HubSpot private app token).
 *
 * @example
 * ```ts
 * createRemoteHttp({ name: 'hubspot', baseUrl: 'https://api.hubapi.com', auth: staticToken(process.env.HUBSPOT_TOKEN!) })
 * ```
 */
export function staticToken(token: string): AuthSource {
  if (typeof token !== 'string' || token.trim() === '') throw new TypeError('staticToken: the token must be a non-empty string');
  return { token: () => Promise.resolve(token), refreshable: false, secrets: () => [token] };
}

/** One request to a remote. */
export interface RemoteRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** From the base URL on, starting with `/`: `/crm/v3/objects/contacts`. */
  path: string;
  /** Query parameters; `undefined` values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body. */
  json?: unknown;
  /**
   * The budget the request is counted against.
   * @default 'default'
   */
  budget?: 'default' | 'search';
  /**
   * Whether sending the request twice has the effect of sending it once (a read, an upsert by
   * a unique property, an update). Only then are 5xx answers and timeouts sent again.
   */
  replayable: boolean;
  /** Statuses besides 2xx that resolve instead of throwing (`[404]` for a lookup). */
  accept?: number[];
  /** Aborts the request, its wait in the queue and its retries; rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A response that resolved (2xx or an `accept`ed status). */
export interface RemoteResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** The body: parsed JSON, text, or `null` when empty. */
  body: T;
}

/** Counts of what a {@link RemoteHttp} did, for logs and benchmarks. */
export interface HttpStats {
  /** Requests sent (every attempt counts). */
  requests: number;
  /** Attempts made again after a failure (a replay after a token refresh is not one). */
  retries: number;
  /** 429 answers. */
  rateLimited: number;
  /** Attempts that timed out. */
  timeouts: number;
  /** Times a new token came from the auth source (on expiry or ahead of it). */
  refreshed: number;
  /** Daily requests left, as last counted, or `null` when unknown. */
  dailyRemaining: number | null;
}

/** What {@link RemoteHttpOptions.onEvent} is told; never carries a token. */
export type HttpEvent = {
  type: 'request' | 'response' | 'retry' | 'rate_limited' | 'token_refreshed' | 'circuit_open';
  method: string;
  /** The request's path, without its query. */
  path: string;
  status?: number;
  /** For `retry` and `rate_limited`: the wait before the next attempt (or the budget's pause). */
  delayMs?: number;
  code?: string | null;
};

/** Options of {@link createRemoteHttp}. */
export interface RemoteHttpOptions {
  /** The remote's name, starting every message: `'hubspot'`. */
  name: string;
  /** The absolute URL paths are appended to: `'https://api.hubapi.com'`. */
  baseUrl: string;
  /** Where the bearer token comes from ({@link staticToken}, `hubspotOAuth`). */
  auth: AuthSource;
  /** The remote's budgets; none by default (only 4 requests in flight). */
  limits?: RateLimits;
  /**
   * How failed attempts are retried.
   * @default { limit: 5 }
   */
  retry?: RetryPolicy;
  /**
   * How long one attempt may take, in milliseconds.
   * @default 30_000
   */
  timeoutMs?: number;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Reads a failure the remote's way. @default {@link defaultClassify} */
  classify?: (status: number, headers: Headers, body: unknown) => Classified;
  /** Reads the remote's rate-limit headers, which the budgets adapt to. @default none are read */
  rateLimitHeaders?: (headers: Headers) => RateLimitReading;
  /** Told what happens, for logs and progress. An exception it throws is ignored. */
  onEvent?: (event: HttpEvent) => void;
}

/** Requests to one remote, within its budgets; made by {@link createRemoteHttp}. */
export interface RemoteHttp {
  /**
   * Sends `request` (again when the rules above allow), resolving with 2xx answers and
   * `accept`ed statuses; rejects with a `CrmRemoteError` otherwise.
   */
  request<T = unknown>(request: RemoteRequest): Promise<RemoteResponse<T>>;
  /** What has been done so far. */
  stats(): HttpStats;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_LIMIT = 5;
/** How long a 423 Locked is waited out when the remote does not say (HubSpot: at least 2 s). */
const LOCKED_WAIT_MS = 2_000;
const SEARCH_POLICIES: ReadonlySet<string> = new Set(['SECONDLY', 'SEARCH']);
const BURST_POLICIES: ReadonlySet<string> = new Set(['TEN_SECONDLY_ROLLING', 'BURST']);
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);
const REDACTED = '[redacted]';
const MAX_MESSAGE = 1_000;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringField = (body: unknown, key: string): string | null => (isObject(body) && typeof body[key] === 'string' ? (body[key] as string) : null);

/**
 * The reading of a failure when the remote has no `classify` of its own: the body's `code`,
 * `errorType` or `error` as the code, and for a 429 the `Retry-After` wait.
 */
export function defaultClassify(status: number, headers: Headers, body: unknown): Classified {
  const code = stringField(body, 'code') ?? stringField(body, 'errorType') ?? stringField(body, 'error');
  if (status !== 429) return { code };
  return { code, rateLimit: { policy: 'UNKNOWN', waitMs: parseRetryAfter(headers.get('retry-after'), new Date()) } };
}

/** Replaces every secret (and its URL-encoded form) in `text` with `[redacted]`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** The secrets to look for: each long enough to be one, with its URL-encoded forms, longest first. */
function secretForms(values: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'string' || value.length < 4) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
    forms.add(new URLSearchParams({ v: value }).toString().slice(2));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A copy of `value` with every string redacted (objects and arrays to a depth of 8). */
function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[redactText(key, secrets)] = redactValue(item, secrets, depth + 1);
  return out;
}

/** A plain copy of an error chain, messages redacted, without what the originals carried (requests, headers). */
function sanitizeCause(error: unknown, secrets: readonly string[], depth = 0): unknown {
  if (error === undefined || error === null || depth > 4) return undefined;
  if (error instanceof Error) {
    const cause = sanitizeCause(error.cause, secrets, depth + 1);
    const copy = new Error(redactText(error.message, secrets), cause === undefined ? undefined : { cause });
    copy.name = error.name;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
    return copy;
  }
  return redactValue(error, secrets);
}

/** Everything an error chain or value says, as one text (to look for secrets in). */
function textOf(value: unknown, depth = 0): string {
  if (value === undefined || value === null || depth > 4) return '';
  if (value instanceof Error) return `${value.name} ${value.message} ${textOf(value.cause, depth + 1)}`;
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  } catch {
    return String(value);
  }
}

/** The error's text for a message: the remote's `message` (or similar), or a short text body. */
function remoteMessage(body: unknown): string | null {
  let text: string | null = null;
  if (typeof body === 'string') text = body;
  else for (const key of ['message', 'error_description', 'detail', 'title', 'error']) if ((text = stringField(body, key)) !== null) break;
  if (text === null) return null;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat === '' ? null : flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)}…` : flat;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  const type = response.headers.get('content-type') ?? '';
  if (/[/+]json\b/i.test(type) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

type Outcome =
  | { kind: 'response'; start: Start; token: string; response: Response; body: unknown }
  | { kind: 'failure'; start: Start; error: unknown }
  | { kind: 'auth'; error: unknown }
  | { kind: 'aborted' };

interface Checked {
  name: string;
  baseUrl: string;
  auth: AuthSource;
  retry: RetryPolicy & { limit: number; baseMs: number; maxMs: number };
  timeoutMs: number;
  classify: (status: number, headers: Headers, body: unknown) => Classified;
  rateLimitHeaders: (headers: Headers) => RateLimitReading;
  onEvent: ((event: HttpEvent) => void) | undefined;
  fetch: typeof fetch | undefined;
  limits: RateLimits;
}

/** The options checked and filled in once; messages name the option. */
function normalize(options: RemoteHttpOptions): Checked {
  if (!options || typeof options !== 'object') throw new TypeError('createRemoteHttp: pass an options object: { name, baseUrl, auth }');
  const { name } = options;
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError('createRemoteHttp: `name` must be a non-empty string, such as "hubspot"');
  const fail = (message: string): never => {
    throw new TypeError(`${name}: ${message}`);
  };
  let baseUrl = '';
  try {
    baseUrl = new URL(String(options.baseUrl)).href.replace(/\/+$/, '');
  } catch {
    fail('`baseUrl` must be an absolute URL, such as "https://api.hubapi.com"');
  }
  const { auth } = options;
  if (!auth || typeof auth.token !== 'function' || typeof auth.secrets !== 'function') {
    fail('`auth` must be an AuthSource ({ token(), refreshable, secrets() }), such as staticToken(token)');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0 && timeoutMs <= 2_147_483_647)) fail('`timeoutMs` must be a number of milliseconds above 0');
  for (const key of ['fetch', 'classify', 'rateLimitHeaders', 'onEvent'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') fail(`\`${key}\` must be a function`);
  }
  const given = options.retry ?? {};
  if (typeof given !== 'object' || given === null) fail('`retry` must be an object: { limit, baseMs, maxMs }');
  const retry = { ...given, limit: given.limit ?? DEFAULT_RETRY_LIMIT, baseMs: given.baseMs ?? DEFAULT_RETRY_BASE_MS, maxMs: given.maxMs ?? DEFAULT_RETRY_MAX_MS };
  if (!Number.isInteger(retry.limit) || retry.limit < 0) fail('`retry.limit` must be a whole number, 0 or more');
  if (!(retry.baseMs >= 0) || !(retry.maxMs >= 0)) fail('`retry.baseMs` and `retry.maxMs` must be milliseconds, 0 or more');
  return {
    name,
    baseUrl,
    auth,
    retry,
    timeoutMs,
    classify: options.classify ?? defaultClassify,
    rateLimitHeaders: options.rateLimitHeaders ?? (() => ({})),
    onEvent: options.onEvent,
    fetch: options.fetch,
    limits: options.limits ?? {},
  };
}

/** The request checked; messages name the field. */
function checkRequest(name: string, request: RemoteRequest): void {
  const fail = (message: string): never => {
    throw new TypeError(`${name}: request ${message}`);
  };
  if (!request || typeof request !== 'object') fail('must be an object: { method, path, replayable }');
  if (!METHODS.has(request.method)) fail('`method` must be GET, POST, PATCH, PUT or DELETE');
  if (typeof request.path !== 'string' || !request.path.startsWith('/')) fail('`path` must be a string starting with "/"');
  if (typeof request.replayable !== 'boolean') fail('`replayable` must be true or false: whether sending it twice has the effect of sending it once');
  if (request.budget !== undefined && request.budget !== 'default' && request.budget !== 'search') fail("`budget` must be 'default' or 'search'");
  if (request.accept !== undefined && !(Array.isArray(request.accept) && request.accept.every((s) => Number.isInteger(s)))) fail('`accept` must be an array of statuses');
}

/** Rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

/**
 * Makes the HTTP layer of one remote. Each call of `request` waits for its budget, sends with
 * the current token, and retries or replays by the rules in this module's description.
 *
 * @example
 * ```ts
 * const http = createRemoteHttp({
 *   name: 'hubspot',
 *   baseUrl: 'https://api.hubapi.com',
 *   auth: staticToken(token),
 *   limits: { burst: { max: 100, intervalMs: 10_000 }, concurrency: 4 },
 * })
 * const { body } = await http.request({ method: 'GET', path: '/crm/v3/objects/contacts', query: { limit: 100 }, replayable: true })
 * ```
 */
export function createRemoteHttp(options: RemoteHttpOptions): RemoteHttp {
  const o = normalize(options);
  const { name, auth, retry, timeoutMs } = o;
  const limiter = createRateLimiter(o.limits, { name });
  const api = ky.create({ timeout: timeoutMs, retry: 0, throwHttpErrors: false, ...(o.fetch ? { fetch: o.fetch } : {}) });
  const counts = { requests: 0, retries: 0, rateLimited: 0, timeouts: 0, refreshed: 0 };
  let lastToken: string | null = null;
  let circuitAnnounced = false;

  const secrets = (): string[] => {
    try {
      return secretForms(auth.secrets());
    } catch {
      return [];
    }
  };
  const emit = (event: HttpEvent) => {
    if (!o.onEvent) return;
    const clean: HttpEvent = { ...event, method: event.method, path: redactText(event.path, secrets()) };
    if (typeof clean.code === 'string') clean.code = redactText(clean.code, secrets());
    try {
      o.onEvent(clean);
    } catch {
      // A logging callback must not break requests.
    }
  };
  const windowOf = (budget: Budget) => (budget === 'search' ? o.limits.search : o.limits.burst);

  /** An error the caller may see, with no secret in its message or cause. */
  const scrub = (error: unknown): unknown => {
    if (!(error instanceof Error)) return redactValue(error, secrets());
    const s = secrets();
    const message = redactText(error.message, s);
    if (error instanceof CrmRemoteError) {
      if (message === error.message && !s.some((secret) => textOf(error.cause).includes(secret))) return error;
      return new CrmRemoteError(message, { status: error.status, remoteCode: error.remoteCode, retryable: error.retryable, cause: sanitizeCause(error.cause, s) });
    }
    if (error instanceof TypeError) return message === error.message ? error : new TypeError(message);
    return new CrmRemoteError(`${name}: ${message}`, { status: 0, retryable: false, cause: sanitizeCause(error, s) });
  };

  return {
    async request<T = unknown>(request: RemoteRequest): Promise<RemoteResponse<T>> {
      checkRequest(name, request);
      const { method, replayable } = request;
      const budget: Budget = request.budget ?? 'default';
      const accept = request.accept ?? [];
      const signals = [retry.signal, request.signal].filter((s): s is AbortSignal => s !== undefined);
      const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
      const pathOnly = request.path.split('?')[0]!;
      const what = () => `${name}: ${method} ${redactText(pathOnly, secrets())}`;
      const event = (type: HttpEvent['type'], extra: Omit<HttpEvent, 'type' | 'method' | 'path'> = {}) => emit({ type, method, path: pathOnly, ...extra });
      const searchParams: Record<string, string | number | boolean> = {};
      for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) searchParams[key] = value;
      const url = `${o.baseUrl}${request.path}`;

      /** Tells `circuit_open` once each time the daily circuit opens. */
      const announceCircuit = (status: number | undefined) => {
        if (!limiter.circuitOpen) circuitAnnounced = false;
        else if (!circuitAnnounced) {
          circuitAnnounced = true;
          event('circuit_open', { ...(status === undefined ? {} : { status }), code: 'DAILY_BUDGET' });
        }
      };

      const currentToken = async (forceRefresh: boolean): Promise<string> => {
        const token = await auth.token({ forceRefresh, ...(signal ? { signal } : {}) });
        if (typeof token !== 'string' || token === '') throw new CrmRemoteError(`${name}: the auth source gave no token`, { status: 0, retryable: false });
        if (lastToken !== null && token !== lastToken) {
          counts.refreshed += 1;
          event('token_refreshed');
        }
        lastToken = token;
        return token;
      };

      const send = (attempt: number): Promise<Outcome> =>
        limiter.schedule(
          budget,
          async (start): Promise<Outcome> => {
            if (signal?.aborted) return { kind: 'aborted' };
            let token: string;
            try {
              token = await currentToken(false);
            } catch (error) {
              return { kind: 'auth', error };
            }
            counts.requests += 1;
            event('request');
            try {
              const response = await api(url, {
                method,
                headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
                ...(Object.keys(searchParams).length > 0 ? { searchParams } : {}),
                ...(request.json === undefined ? {} : { json: request.json }),
                ...(signal ? { signal } : {}),
              });
              return { kind: 'response', start, token, response, body: await readBody(response) };
            } catch (error) {
              return { kind: 'failure', start, error };
            }
          },
          { priority: attempt > 0 ? 4 : 5 },
        );

      /** The error a failed response stands for. */
      const httpError = (status: number, classified: Classified, body: unknown, code: string | null = classified.code) => {
        const s = secrets();
        const text = remoteMessage(body);
        const message = `${what()} → ${status}${classified.code ? ` ${classified.code}` : ''}${text ? `: ${text}` : ''}`;
        const retryableStatus = isRetryableStatus(status) || status === 423 || status === 477 || status >= 500;
        return new CrmRemoteError(redactText(message, s), {
          status,
          remoteCode: code === null ? null : redactText(code, s),
          retryable: retryableStatus,
          cause: { status, body: redactValue(body, s) },
        });
      };

      let refreshedForThis = false;
      const attempt = async (n: number): Promise<RemoteResponse<T>> => {
        for (;;) {
          let outcome: Outcome;
          try {
            outcome = await raceAbort(send(n), signal);
          } catch (error) {
            if (signal?.aborted) throw signal.reason;
            announceCircuit(undefined);
            throw error; // the open circuit: fails at once, not retried
          }
          if (outcome.kind === 'aborted') throw signal?.reason;
          if (outcome.kind === 'auth') {
            if (signal?.aborted) throw signal.reason;
            const clean = scrub(outcome.error);
            // The request was not sent: getting a token again is always safe.
            if (clean instanceof CrmRemoteError && clean.retryable) throw retryable(clean);
            throw clean;
          }
          if (outcome.kind === 'failure') {
            if (signal?.aborted) throw signal.reason;
            const timedOut = outcome.error instanceof TimeoutError;
            if (timedOut) counts.timeouts += 1;
            const s = secrets();
            const cause = sanitizeCause(outcome.error, s);
            const reason = timedOut ? `timed out after ${timeoutMs} ms` : `no response (${redactText(String((outcome.error as Error)?.message ?? outcome.error), s)})`;
            const options = { status: 0, remoteCode: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', retryable: true, cause };
            if (replayable) throw retryable(new CrmRemoteError(`${what()} → ${reason}`, options));
            throw new CrmRemoteError(`${what()} → ${reason}; not sent again, as it may have been applied`, options);
          }

          const { response, body, start, token } = outcome;
          const { status, headers } = response;
          try {
            limiter.observe(start, o.rateLimitHeaders(headers));
          } catch {
            // Unreadable headers: the budgets stay as they were.
          }
          event('response', { status });
          announceCircuit(status);
          if ((status >= 200 && status < 300) || accept.includes(status)) return { status, headers, body: body as T };

          let classified: Classified;
          try {
            classified = o.classify(status, headers, body) ?? { code: null };
          } catch {
            classified = { code: null };
          }

          if (status === 401 && classified.expiredToken && auth.refreshable && !refreshedForThis) {
            refreshedForThis = true;
            try {
              // Another request may have refreshed it already; else refresh now.
              if ((await currentToken(false)) === token) await currentToken(true);
            } catch (error) {
              if (signal?.aborted) throw signal.reason;
              const clean = scrub(error);
              if (clean instanceof CrmRemoteError && clean.retryable) throw retryable(clean);
              throw clean;
            }
            continue;
          }

          if (status === 429) {
            counts.rateLimited += 1;
            if (classified.dailySpent) {
              limiter.openCircuit();
              event('rate_limited', { status, code: classified.code });
              announceCircuit(status);
              throw httpError(status, classified, body, 'DAILY_BUDGET');
            }
            const policy = classified.rateLimit?.policy ?? '';
            const target: Budget = SEARCH_POLICIES.has(policy) ? 'search' : BURST_POLICIES.has(policy) ? 'default' : budget;
            const floor = target === 'search' ? (o.limits.search?.intervalMs ?? 1_000) : 0;
            const asked = classified.rateLimit?.waitMs ?? parseRetryAfter(headers.get('retry-after'), new Date());
            const waitMs = Math.min(retry.maxMs, Math.max(floor, asked ?? windowOf(target)?.intervalMs ?? (target === 'search' ? 1_000 : 10_000)));
            limiter.pause(target, waitMs);
            event('rate_limited', { status, delayMs: waitMs, code: classified.code });
            // Nothing was applied: back to the queue, which the pause holds.
            throw retryable(httpError(status, classified, body), 0);
          }
          const error = httpError(status, classified, body);
          if (status === 423) {
            throw retryable(error, parseRetryAfter(headers.get('retry-after'), new Date()) ?? Math.min(retry.maxMs, LOCKED_WAIT_MS));
          }
          if (status >= 500 && replayable) throw retryable(error, parseRetryAfter(headers.get('retry-after'), new Date()));
          throw error;
        }
      };

      return withRetry<RemoteResponse<T>>({
        ...retry,
        signal,
        idempotent: true, // what may be sent again is decided per failure, above
        onRetry: (retryEvent: RetryEvent) => {
          counts.retries += 1;
          const failure = retryEvent.error instanceof CrmRemoteError ? retryEvent.error : null;
          event('retry', { delayMs: retryEvent.delayMs, ...(failure ? { status: failure.status, code: failure.remoteCode } : {}) });
          try {
            retry.onRetry?.(retryEvent);
          } catch {
            // As with onEvent.
          }
        },
        attempt,
      }).catch((error: unknown) => {
        if (signal?.aborted && error === signal.reason) throw error;
        throw scrub(error);
      });
    },
    stats(): HttpStats {
      return { ...counts, dailyRemaining: limiter.dailyRemaining };
    },
  };
}
