/**
 * HubSpot's use of the shared HTTP layer: how its failures read ({@link hubspotClassify}), its
 * rate-limit headers ({@link hubspotRateLimitHeaders}), its OAuth refresh ({@link hubspotOAuth}),
 * its published limits ({@link HUBSPOT_LIMITS}) and the glue ({@link hubspotHttp}).
 *
 * @module
 */
import ky, { TimeoutError } from 'ky';
import { CrmRemoteError } from '@crm/core/errors';
import type { RateLimitReading, RateLimits } from '../http/limiter.js';
import { createRemoteHttp, redactText, staticToken, type AuthSource, type Classified, type HttpEvent, type RemoteHttp } from '../http/remoteHttp.js';
import type { RetryPolicy } from '../http/retry.js';
import { parseRetryAfter } from '../http/retryPolicy.js';

/** HubSpot's API root. */
export const HUBSPOT_BASE_URL = 'https://api.hubapi.com';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (body: unknown, key: string): string | null => (isObject(body) && typeof body[key] === 'string' && body[key] !== '' ? (body[key] as string) : null);

/** A header as a number, or `null` when absent or not one. */
function numberHeader(headers: Headers, name: string): number | null {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * Reads a HubSpot failure: the code is the body's `category` (`VALIDATION_ERROR`,
 * `EXPIRED_AUTHENTICATION`, …), else its `errorType` (`RATE_LIMIT`), else a `status` other
 * than `"error"` (`BAD_REFRESH_TOKEN`). A 429 tells its `policyName` and how long to wait: the
 * `Retry-After` header, else for `TEN_SECONDLY_ROLLING` the window's
 * `X-HubSpot-RateLimit-Interval-Milliseconds`; a `DAILY` one means the day's budget is spent.
 *
 * @example
 * ```ts
 * hubspotClassify(429, new Headers({ 'x-hubspot-ratelimit-interval-milliseconds': '10000' }),
 *   { status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', message: '…' })
 * // → { code: 'RATE_LIMIT', rateLimit: { policy: 'TEN_SECONDLY_ROLLING', waitMs: 10000 } }
 * ```
 */
export function hubspotClassify(status: number, headers: Headers, body: unknown): Classified {
  const category = text(body, 'category');
  const errorType = text(body, 'errorType');
  const bodyStatus = text(body, 'status');
  const code = category ?? errorType ?? (bodyStatus !== null && bodyStatus !== 'error' ? bodyStatus : null);
  const classified: Classified = { code };
  if (status === 401 && category === 'EXPIRED_AUTHENTICATION') classified.expiredToken = true;
  if (status === 429 || errorType === 'RATE_LIMIT') {
    const policy = text(body, 'policyName') ?? 'UNKNOWN';
    const retryAfter = parseRetryAfter(headers.get('retry-after'), new Date());
    const interval = policy === 'TEN_SECONDLY_ROLLING' ? numberHeader(headers, 'x-hubspot-ratelimit-interval-milliseconds') : null;
    classified.rateLimit = { policy, waitMs: retryAfter ?? (interval !== null && interval > 0 ? interval : null) };
    if (policy === 'DAILY') classified.dailySpent = true;
  }
  return classified;
}

/**
 * Reads HubSpot's `X-HubSpot-RateLimit-*` headers (search responses and, for the daily pair,
 * OAuth-authorised calls leave them out), which the budgets adapt to.
 */
export function hubspotRateLimitHeaders(headers: Headers): RateLimitReading {
  return {
    max: numberHeader(headers, 'x-hubspot-ratelimit-max'),
    remaining: numberHeader(headers, 'x-hubspot-ratelimit-remaining'),
    intervalMs: numberHeader(headers, 'x-hubspot-ratelimit-interval-milliseconds'),
    dailyMax: numberHeader(headers, 'x-hubspot-ratelimit-daily'),
    dailyRemaining: numberHeader(headers, 'x-hubspot-ratelimit-daily-remaining'),
  };
}

/** The search budget: 5 requests per second per account, for every app type. */
const SEARCH = { max: 5, intervalMs: 1_000 } as const;

/**
 * HubSpot's published limits (usage guidelines), per app type and account tier: the burst per
 * 10 s per app, the daily budget per account, search at 5 per second, 4 requests in flight.
 * Public (marketplace) OAuth apps have 110 per 10 s per installing account and no stated daily
 * budget.
 *
 * @example
 * ```ts
 * hubspotHttp({ accessToken, limits: HUBSPOT_LIMITS.professional })
 * ```
 */
export const HUBSPOT_LIMITS: Readonly<{ free: RateLimits; professional: RateLimits; enterprise: RateLimits; oauthApp: RateLimits }> = deepFreeze({
  free: { burst: { max: 100, intervalMs: 10_000 }, daily: { max: 250_000 }, search: { ...SEARCH }, concurrency: 4 },
  professional: { burst: { max: 190, intervalMs: 10_000 }, daily: { max: 625_000 }, search: { ...SEARCH }, concurrency: 4 },
  enterprise: { burst: { max: 190, intervalMs: 10_000 }, daily: { max: 1_000_000 }, search: { ...SEARCH }, concurrency: 4 },
  oauthApp: { burst: { max: 110, intervalMs: 10_000 }, search: { ...SEARCH }, concurrency: 4 },
});

function deepFreeze<T extends object>(value: T): T {
  for (const item of Object.values(value)) if (typeof item === 'object' && item !== null) deepFreeze(item as object);
  return Object.freeze(value);
}

/** An OAuth app's credentials for {@link hubspotOAuth}. */
export interface HubSpotOAuthCredentials {
  clientId: string;
  clientSecret: string;
  /** The refresh token from the app's authorisation (it does not expire). */
  refreshToken: string;
}

/** Options of {@link hubspotOAuth}. */
export interface HubSpotOAuthOptions extends HubSpotOAuthCredentials {
  /** @default 'https://api.hubapi.com' */
  baseUrl?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * How long the token request may take, in milliseconds.
   * @default 30_000
   */
  timeoutMs?: number;
  /**
   * How long before `expires_in` runs out the token is refreshed, in milliseconds.
   * @default 60_000
   */
  refreshEarlyMs?: number;
  /** The clock, in epoch milliseconds, replaceable in tests. @default Date.now */
  now?: () => number;
}

const REAUTHORISE = 'authorise the app again (the OAuth install flow) to get a new refresh token';

/**
 * An {@link AuthSource} for a HubSpot OAuth app: `POST /oauth/v3/token` with the refresh token
 * grant (every parameter in the form body), refreshed ahead of `expires_in` (60 s early) and
 * when HubSpot says the token expired; concurrent callers share one refresh. A refused refresh
 * token (400 `BAD_REFRESH_TOKEN`) fails every later call at once, with a hint to authorise again.
 *
 * @example
 * ```ts
 * const auth = hubspotOAuth({ clientId, clientSecret, refreshToken })
 * const http = createRemoteHttp({ name: 'hubspot', baseUrl: 'https://api.hubapi.com', auth, classify: hubspotClassify })
 * ```
 */
export function hubspotOAuth(options: HubSpotOAuthOptions): AuthSource {
  if (!options || typeof options !== 'object') throw new TypeError('hubspot: `oauth` must be an object: { clientId, clientSecret, refreshToken }');
  for (const key of ['clientId', 'clientSecret', 'refreshToken'] as const) {
    if (typeof options[key] !== 'string' || options[key].trim() === '') throw new TypeError(`hubspot: \`oauth.${key}\` must be a non-empty string`);
  }
  const { clientId, clientSecret, timeoutMs = 30_000, refreshEarlyMs = 60_000, now = Date.now } = options;
  let baseUrl = '';
  try {
    baseUrl = new URL(options.baseUrl ?? HUBSPOT_BASE_URL).href.replace(/\/+$/, '');
  } catch {
    throw new TypeError('hubspot: `baseUrl` must be an absolute URL, such as "https://api.hubapi.com"');
  }
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new TypeError('hubspot: `oauth.timeoutMs` must be milliseconds above 0');
  if (!(Number.isFinite(refreshEarlyMs) && refreshEarlyMs >= 0)) throw new TypeError('hubspot: `oauth.refreshEarlyMs` must be milliseconds, 0 or more');
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new TypeError('hubspot: `fetch` must be a function');

  let refreshToken = options.refreshToken;
  const issued: string[] = [];
  const secrets = () => [clientSecret, options.refreshToken, refreshToken, ...issued];
  let current: { token: string; refreshAt: number } | null = null;
  let inFlight: Promise<string> | null = null;
  let fatal: CrmRemoteError | null = null;
  const api = ky.create({ timeout: timeoutMs, retry: 0, throwHttpErrors: false, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const what = 'hubspot: POST /oauth/v3/token';

  const refresh = async (signal?: AbortSignal): Promise<string> => {
    const sentAt = now();
    let response: Response;
    try {
      response = await api(`${baseUrl}/oauth/v3/token`, {
        method: 'POST',
        headers: { accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const reason = error instanceof TimeoutError ? `timed out after ${timeoutMs} ms` : `no response (${redactText(String((error as Error)?.message ?? error), secrets())})`;
      throw new CrmRemoteError(`${what} → ${reason}: the access token could not be refreshed`, {
        status: 0,
        remoteCode: error instanceof TimeoutError ? 'TIMEOUT' : 'NETWORK_ERROR',
        retryable: true,
      });
    }
    let body: unknown = null;
    try {
      body = (await response.json()) as unknown;
    } catch {
      body = null;
    }
    if (response.ok) {
      const token = text(body, 'access_token');
      const expiresIn = isObject(body) && typeof body['expires_in'] === 'number' ? body['expires_in'] : null;
      if (token === null) throw new CrmRemoteError(`${what} → ${response.status}: the answer has no access_token`, { status: response.status, retryable: true });
      issued.push(token);
      const rotated = text(body, 'refresh_token');
      if (rotated !== null) refreshToken = rotated;
      // Without expires_in, HubSpot's usual 30 minutes.
      const lifetimeMs = (expiresIn ?? 1_800) * 1_000;
      current = { token, refreshAt: sentAt + Math.max(0, lifetimeMs - refreshEarlyMs) };
      return token;
    }
    const code = text(body, 'status') !== 'error' ? (text(body, 'status') ?? text(body, 'error') ?? text(body, 'category')) : text(body, 'category');
    const remote = text(body, 'message') ?? text(body, 'error_description');
    const head = `${what} → ${response.status}${code ? ` ${code}` : ''}${remote ? `: ${remote}` : ''}`;
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      fatal = new CrmRemoteError(redactText(`${head}. The refresh token was refused: ${REAUTHORISE}`, secrets()), {
        status: response.status,
        remoteCode: code,
        retryable: false,
      });
      throw fatal;
    }
    throw new CrmRemoteError(redactText(`${head}: the access token could not be refreshed`, secrets()), {
      status: response.status,
      remoteCode: code,
      retryable: response.status === 429 || response.status >= 500,
    });
  };

  return {
    refreshable: true,
    secrets,
    token({ forceRefresh, signal }): Promise<string> {
      if (fatal) return Promise.reject(fatal);
      if (inFlight) return inFlight;
      if (!forceRefresh && current && now() < current.refreshAt) return Promise.resolve(current.token);
      const pending = refresh(signal).finally(() => {
        if (inFlight === pending) inFlight = null;
      });
      inFlight = pending;
      return pending;
    },
  };
}

/** Options of {@link hubspotHttp}: exactly one of `accessToken` and `oauth`. */
export interface HubSpotHttpOptions {
  /** A private app's access token. */
  accessToken?: string;
  /** A public app's OAuth credentials (and, for tests, the clock of its expiry). */
  oauth?: HubSpotOAuthCredentials & Pick<HubSpotOAuthOptions, 'now' | 'refreshEarlyMs'>;
  /** @default 'https://api.hubapi.com' */
  baseUrl?: string;
  /** @default HUBSPOT_LIMITS.free with `accessToken`, HUBSPOT_LIMITS.oauthApp with `oauth` */
  limits?: RateLimits;
  /** @default { limit: 5 } */
  retry?: RetryPolicy;
  /** Per attempt, in milliseconds. @default 30_000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Told what happens (never a token). */
  onEvent?: (event: HttpEvent) => void;
}

/**
 * HubSpot's HTTP layer: the shared one ({@link createRemoteHttp}) with HubSpot's failure
 * reading, rate-limit headers, OAuth refresh and limits.
 *
 * @example
 * ```ts
 * const http = hubspotHttp({ accessToken: process.env.HUBSPOT_TOKEN!, limits: HUBSPOT_LIMITS.professional })
 * const { body } = await http.request({ method: 'GET', path: '/crm/v3/objects/contacts', replayable: true })
 * ```
 */
export function hubspotHttp(options: HubSpotHttpOptions): RemoteHttp {
  if (!options || typeof options !== 'object') throw new TypeError('hubspot: pass an options object with `accessToken` or `oauth`');
  const hasToken = options.accessToken !== undefined;
  const hasOAuth = options.oauth !== undefined;
  if (hasToken === hasOAuth) {
    throw new TypeError(
      hasToken
        ? 'hubspot: pass `accessToken` or `oauth`, not both'
        : 'hubspot: pass `accessToken` (a private app token) or `oauth` ({ clientId, clientSecret, refreshToken })',
    );
  }
  if (hasToken && (typeof options.accessToken !== 'string' || options.accessToken.trim() === '')) {
    throw new TypeError('hubspot: `accessToken` must be a non-empty string');
  }
  const baseUrl = options.baseUrl ?? HUBSPOT_BASE_URL;
  const auth = hasToken
    ? staticToken(options.accessToken!)
    : hubspotOAuth({ ...options.oauth!, baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  return createRemoteHttp({
    name: 'hubspot',
    baseUrl,
    auth,
    limits: options.limits ?? (hasToken ? HUBSPOT_LIMITS.free : HUBSPOT_LIMITS.oauthApp),
    classify: hubspotClassify,
    rateLimitHeaders: hubspotRateLimitHeaders,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}
