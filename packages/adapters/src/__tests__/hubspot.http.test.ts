import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { CrmRemoteError } from '@crm/core/errors';
import { HUBSPOT_LIMITS, hubspotClassify, hubspotHttp, hubspotOAuth } from '../hubspot/http.js';
import type { HttpEvent } from '../http/remoteHttp.js';

const BASE = 'https://api.hubapi.com';
const CLIENT_ID = 'client-id-1';
const CLIENT_SECRET = 'client-secret-very-private';
const REFRESH = '6f18f26a-refresh-token-private';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// Bodies as hubspot.md documents them (§2.2, §10, §11).
const RATE_LIMIT_10S = {
  status: 'error',
  message: 'You have reached your ten secondly limit.',
  errorType: 'RATE_LIMIT',
  correlationId: 'c033cdaa-2c40-4a64-ae48-b4cec88dad24',
  policyName: 'TEN_SECONDLY_ROLLING',
  requestId: '3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd',
};
const RATE_LIMIT_DAILY = { ...RATE_LIMIT_10S, message: 'You have reached your daily limit.', policyName: 'DAILY' };
const expired = (token: string) => ({
  status: 'error',
  message: `The OAuth token used to make this call expired 75 second(s) ago. (${token})`,
  correlationId: 'c-2',
  category: 'EXPIRED_AUTHENTICATION',
  context: { 'expire time': ['2022-06-21T10:37:52.040Z'] },
});

/** A token endpoint issuing `tok-1`, `tok-2`, … with `expiresIn`, checking the form body; and an API that takes only the latest. */
function oauthServer(options: { expiresIn?: number; apiDelayMs?: number } = {}) {
  const state = { issued: [] as string[], valid: new Set<string>(), tokenCalls: 0, apiCalls: 0, forms: [] as Record<string, string>[] };
  server.use(
    http.post(`${BASE}/oauth/v3/token`, async ({ request }) => {
      state.tokenCalls += 1;
      expect(request.headers.get('content-type')).toMatch(/application\/x-www-form-urlencoded/);
      expect(new URL(request.url).search).toBe('');
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      state.forms.push(form);
      if (form['refresh_token'] !== REFRESH || form['client_secret'] !== CLIENT_SECRET) {
        return HttpResponse.json({ status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token', correlationId: 'c-3' }, { status: 400 });
      }
      const token = `CKDZ-access-${state.issued.length + 1}-secret`;
      state.issued.push(token);
      state.valid = new Set([token]);
      return HttpResponse.json({ token_type: 'bearer', access_token: token, refresh_token: REFRESH, expires_in: options.expiresIn ?? 1_800 });
    }),
    http.get(`${BASE}/crm/v3/objects/contacts`, async ({ request }) => {
      state.apiCalls += 1;
      if (options.apiDelayMs) await delay(options.apiDelayMs);
      const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
      if (!state.valid.has(token)) return HttpResponse.json(expired(token), { status: 401 });
      return HttpResponse.json({ results: [], token });
    }),
  );
  return state;
}

const oauth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, refreshToken: REFRESH };
const fast = { retry: { limit: 3, baseMs: 5, maxMs: 2_000 } };
const get = { method: 'GET', path: '/crm/v3/objects/contacts', replayable: true } as const;

describe('hubspotClassify', () => {
  it('reads the documented 429, expired-token and validation bodies', () => {
    const headers = new Headers({ 'x-hubspot-ratelimit-interval-milliseconds': '10000' });
    expect(hubspotClassify(429, headers, RATE_LIMIT_10S)).toEqual({ code: 'RATE_LIMIT', rateLimit: { policy: 'TEN_SECONDLY_ROLLING', waitMs: 10_000 } });
    expect(hubspotClassify(429, new Headers({ 'retry-after': '3', 'x-hubspot-ratelimit-interval-milliseconds': '10000' }), RATE_LIMIT_10S).rateLimit).toEqual({
      policy: 'TEN_SECONDLY_ROLLING',
      waitMs: 3_000,
    });
    expect(hubspotClassify(429, new Headers(), RATE_LIMIT_DAILY)).toEqual({ code: 'RATE_LIMIT', rateLimit: { policy: 'DAILY', waitMs: null }, dailySpent: true });
    expect(hubspotClassify(401, new Headers(), expired('x'))).toEqual({ code: 'EXPIRED_AUTHENTICATION', expiredToken: true });
    expect(hubspotClassify(401, new Headers(), { status: 'error', category: 'INVALID_AUTHENTICATION' })).toEqual({ code: 'INVALID_AUTHENTICATION' });
    expect(hubspotClassify(400, new Headers(), { status: 'BAD_REFRESH_TOKEN', message: 'missing' })).toEqual({ code: 'BAD_REFRESH_TOKEN' });
    expect(hubspotClassify(502, new Headers(), '<html>bad gateway</html>')).toEqual({ code: null });
  });
});

describe('HUBSPOT_LIMITS', () => {
  it('has the usage-guidelines figures', () => {
    expect(HUBSPOT_LIMITS.free).toEqual({ burst: { max: 100, intervalMs: 10_000 }, daily: { max: 250_000 }, search: { max: 5, intervalMs: 1_000 }, concurrency: 4 });
    expect(HUBSPOT_LIMITS.professional.burst).toEqual({ max: 190, intervalMs: 10_000 });
    expect(HUBSPOT_LIMITS.enterprise.burst).toEqual({ max: 190, intervalMs: 10_000 });
    expect(HUBSPOT_LIMITS.oauthApp.burst).toEqual({ max: 110, intervalMs: 10_000 });
    expect(HUBSPOT_LIMITS.oauthApp.daily).toBeUndefined();
    expect(Object.isFrozen(HUBSPOT_LIMITS.free.burst)).toBe(true);
  });
});

describe('hubspotHttp', () => {
  it('takes exactly one of accessToken and oauth', () => {
    expect(() => hubspotHttp({})).toThrow(TypeError);
    expect(() => hubspotHttp({})).toThrow('hubspot: pass `accessToken` (a private app token) or `oauth`');
    expect(() => hubspotHttp({ accessToken: 'pat-1', oauth })).toThrow('hubspot: pass `accessToken` or `oauth`, not both');
    expect(() => hubspotHttp({ oauth: { ...oauth, clientSecret: '' } })).toThrow('`oauth.clientSecret` must be a non-empty string');
  });

  it('pauses the burst queue for the interval on a TEN_SECONDLY_ROLLING 429 without Retry-After', async () => {
    const at: number[] = [];
    server.use(
      http.get(`${BASE}/crm/v3/objects/contacts`, () => {
        at.push(Date.now());
        if (at.length === 1) return HttpResponse.json(RATE_LIMIT_10S, { status: 429, headers: { 'x-hubspot-ratelimit-interval-milliseconds': '300' } });
        return HttpResponse.json({ results: [] });
      }),
    );
    const events: HttpEvent[] = [];
    const client = hubspotHttp({ accessToken: 'pat-na1-abc', limits: { burst: { max: 50, intervalMs: 300 } }, onEvent: (e) => events.push(e), ...fast });
    await client.request(get);
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(290);
    expect(events.find((e) => e.type === 'rate_limited')).toEqual({ type: 'rate_limited', method: 'GET', path: '/crm/v3/objects/contacts', status: 429, delayMs: 300, code: 'RATE_LIMIT' });
    expect(client.stats()).toMatchObject({ rateLimited: 1, retries: 1, requests: 2 });
  });

  it('pauses only the search budget on a SECONDLY 429, for at least its interval', async () => {
    const searches: number[] = [];
    const reads: number[] = [];
    server.use(
      http.post(`${BASE}/crm/v3/objects/contacts/search`, () => {
        searches.push(Date.now());
        if (searches.length === 1) return HttpResponse.json({ ...RATE_LIMIT_10S, policyName: 'SECONDLY', message: 'You have reached your secondly limit.' }, { status: 429 });
        return HttpResponse.json({ total: 0, results: [] });
      }),
      http.get(`${BASE}/crm/v3/objects/contacts`, () => {
        reads.push(Date.now());
        return HttpResponse.json({ results: [] });
      }),
    );
    const client = hubspotHttp({ accessToken: 'pat-na1-abc', limits: { search: { max: 5, intervalMs: 250 } }, ...fast });
    const search = client.request({ method: 'POST', path: '/crm/v3/objects/contacts/search', json: {}, budget: 'search', replayable: true });
    await delay(30);
    await client.request(get); // the default budget is not held
    await search;
    expect(searches).toHaveLength(2);
    expect(searches[1]! - searches[0]!).toBeGreaterThanOrEqual(240);
    expect(reads[0]!).toBeLessThan(searches[1]!);
  });

  it('holds at most 4 requests in flight by default', async () => {
    let inFlight = 0;
    let most = 0;
    server.use(
      http.get(`${BASE}/crm/v3/objects/contacts`, async () => {
        most = Math.max(most, ++inFlight);
        await delay(40);
        inFlight -= 1;
        return HttpResponse.json({ results: [] });
      }),
    );
    const client = hubspotHttp({ accessToken: 'pat-na1-abc', limits: { burst: { max: 1_000, intervalMs: 1_000 } } });
    await Promise.all(Array.from({ length: 12 }, () => client.request(get)));
    expect(most).toBe(4);
  });

  it('opens the circuit near the daily budget from X-HubSpot-RateLimit-Daily-Remaining, then fails at once', async () => {
    let hits = 0;
    server.use(
      http.get(`${BASE}/crm/v3/objects/contacts`, () => {
        hits += 1;
        return HttpResponse.json({ results: [] }, { headers: { 'x-hubspot-ratelimit-daily': '1000', 'x-hubspot-ratelimit-daily-remaining': String(8 - hits) } });
      }),
    );
    const events: HttpEvent[] = [];
    const client = hubspotHttp({ accessToken: 'pat-na1-abc', limits: { daily: { max: 1_000, reserve: 5 } }, onEvent: (e) => events.push(e) });
    await client.request(get); // 7 left
    await client.request(get); // 6 left
    expect(client.stats().dailyRemaining).toBe(6);
    await client.request(get); // 5 left: the reserve
    const error = await client.request(get).then(
      () => null,
      (e: unknown) => e as CrmRemoteError,
    );
    expect(error).toBeInstanceOf(CrmRemoteError);
    expect(error!.remoteCode).toBe('DAILY_BUDGET');
    expect(hits).toBe(3);
    expect(events.filter((e) => e.type === 'circuit_open')).toHaveLength(1);
  });

  it('opens the circuit on a DAILY 429', async () => {
    let hits = 0;
    server.use(
      http.get(`${BASE}/crm/v3/objects/contacts`, () => {
        hits += 1;
        return HttpResponse.json(RATE_LIMIT_DAILY, { status: 429 });
      }),
    );
    const client = hubspotHttp({ accessToken: 'pat-na1-abc', ...fast });
    await expect(client.request(get)).rejects.toMatchObject({ status: 429, remoteCode: 'DAILY_BUDGET' });
    await expect(client.request(get)).rejects.toMatchObject({ status: 0, remoteCode: 'DAILY_BUDGET' });
    expect(hits).toBe(1);
  });
});

describe('hubspotOAuth', () => {
  it('refreshes once when the token expired and replays the request', async () => {
    const state = oauthServer();
    const client = hubspotHttp({ oauth, ...fast });
    await client.request(get);
    expect(state.tokenCalls).toBe(1);
    expect(state.forms[0]).toEqual({ grant_type: 'refresh_token', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, refresh_token: REFRESH });
    state.valid.clear(); // HubSpot expired the token early
    const response = await client.request<{ token: string }>(get);
    expect(response.body.token).toBe('CKDZ-access-2-secret');
    expect(state.tokenCalls).toBe(2);
    expect(state.apiCalls).toBe(3);
    expect(client.stats()).toMatchObject({ refreshed: 1, retries: 0 });
  });

  it('shares one refresh among concurrent requests that all met the expired token', async () => {
    const state = oauthServer({ apiDelayMs: 20 });
    const client = hubspotHttp({ oauth, ...fast });
    await client.request(get);
    state.valid.clear();
    await Promise.all([client.request(get), client.request(get), client.request(get), client.request(get)]);
    expect(state.tokenCalls).toBe(2);
  });

  it('refreshes ahead of expires_in, 60 s early, without a 401', async () => {
    const state = oauthServer({ expiresIn: 120 });
    let clock = 1_000_000;
    const client = hubspotHttp({ oauth: { ...oauth, now: () => clock }, ...fast });
    await client.request(get);
    clock += 59_000;
    await client.request(get);
    expect(state.tokenCalls).toBe(1);
    clock += 2_000; // 61 s in: within 60 s of expiry
    await client.request(get);
    expect(state.tokenCalls).toBe(2);
    expect(state.apiCalls).toBe(3); // no 401 was needed
  });

  it('a refused refresh token is not retried and says to authorise again', async () => {
    const state = oauthServer();
    const client = hubspotHttp({ oauth: { ...oauth, refreshToken: 'revoked-refresh-token' }, ...fast });
    const error = await client.request(get).then(
      () => null,
      (e: unknown) => e as CrmRemoteError,
    );
    expect(error).toBeInstanceOf(CrmRemoteError);
    expect(error).toMatchObject({ status: 400, remoteCode: 'BAD_REFRESH_TOKEN', retryable: false });
    expect(error!.message).toMatch(/^hubspot: POST \/oauth\/v3\/token → 400 BAD_REFRESH_TOKEN: missing or unknown refresh token\. .*authorise the app again/);
    await expect(client.request(get)).rejects.toBe(error);
    expect(state.tokenCalls).toBe(1);
    expect(state.apiCalls).toBe(0);
  });

  it('is an AuthSource whose secrets are the client secret, the refresh token and every access token', async () => {
    const state = oauthServer();
    const auth = hubspotOAuth(oauth);
    const token = await auth.token({ forceRefresh: false });
    expect(auth.refreshable).toBe(true);
    expect(auth.secrets()).toEqual(expect.arrayContaining([CLIENT_SECRET, REFRESH, token]));
    expect(state.tokenCalls).toBe(1);
  });
});

/** Every text a caller can reach from an error: message, stack, remote code and the whole cause chain. */
function reachable(value: unknown, depth = 0): string {
  if (value === undefined || value === null || depth > 6) return '';
  if (value instanceof Error) {
    const own = Object.entries(value).map(([k, v]) => `${k}=${reachable(v, depth + 1)}`).join(' ');
    return `${value.name} ${value.message} ${value.stack ?? ''} ${own} ${reachable(value.cause, depth + 1)}`;
  }
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}=${typeof v === 'object' ? reachable(v, depth + 1) : String(v)}`).join(' ');
  return String(value);
}

describe('secrets', () => {
  it('never appear in an error message, cause chain, event or stats, even when the remote echoes them', async () => {
    const state = { issued: [] as string[], n: 0 };
    server.use(
      http.post(`${BASE}/oauth/v3/token`, async ({ request }) => {
        const form = new URLSearchParams(await request.text());
        state.issued.push(`CKDZ-echoed-${state.issued.length + 1}-access`);
        if (state.issued.length > 3) {
          return HttpResponse.json({ status: 'BAD_REFRESH_TOKEN', message: `unknown refresh token ${form.get('refresh_token')} for ${form.get('client_secret')}` }, { status: 400 });
        }
        return HttpResponse.json({ access_token: state.issued.at(-1), refresh_token: REFRESH, expires_in: 1_800 });
      }),
      http.all(`${BASE}/crm/v3/objects/:kind`, async ({ request, params }) => {
        const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
        state.n += 1;
        switch (params['kind']) {
          case 'expired':
            return HttpResponse.json(expired(token), { status: 401 });
          case 'invalid':
            return HttpResponse.json({ status: 'error', category: 'INVALID_AUTHENTICATION', message: `Authentication credentials not found: ${token}` }, { status: 401 });
          case 'validation':
            return HttpResponse.json({ status: 'error', category: 'VALIDATION_ERROR', message: `bad ${token}`, errors: [{ message: `token ${token}`, context: { [token]: [token] } }] }, { status: 400 });
          case 'flaky':
            return HttpResponse.json({ message: `server error for ${encodeURIComponent(token)}` }, { status: 500 });
          case 'slow':
            await delay(300);
            return HttpResponse.json({});
          case 'limited':
            return HttpResponse.json({ ...RATE_LIMIT_10S, message: `limited ${token}` }, { status: 429, headers: { 'retry-after': '0' } });
          default:
            return HttpResponse.json({ results: [] });
        }
      }),
    );
    const events: HttpEvent[] = [];
    const client = hubspotHttp({ oauth, timeoutMs: 100, retry: { limit: 1, baseMs: 1, maxMs: 5 }, onEvent: (e) => events.push(e) });
    const errors: unknown[] = [];
    for (const kind of ['ok', 'validation', 'invalid', 'flaky', 'limited', 'expired', 'slow', 'expired', 'validation', 'expired', 'ok']) {
      for (const method of ['GET', 'POST'] as const) {
        await client.request({ method, path: `/crm/v3/objects/${kind}`, query: { q: state.issued.at(-1) }, json: method === 'POST' ? {} : undefined, replayable: method === 'GET' }).then(
          () => undefined,
          (error: unknown) => errors.push(error),
        );
      }
    }
    expect(errors.length).toBeGreaterThan(10);
    expect(state.issued.length).toBeGreaterThanOrEqual(4); // the last refresh failed, echoing the refresh token and client secret
    expect(errors.some((e) => e instanceof CrmRemoteError && e.remoteCode === 'BAD_REFRESH_TOKEN')).toBe(true);
    expect(errors.some((e) => e instanceof CrmRemoteError && e.remoteCode === 'TIMEOUT')).toBe(true);
    const everything = [...errors.map((e) => reachable(e)), JSON.stringify(events), JSON.stringify(client.stats())].join('\n');
    expect(everything).toContain('[redacted]');
    for (const secret of [CLIENT_SECRET, REFRESH, ...state.issued]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(encodeURIComponent(secret));
    }
  });
});
