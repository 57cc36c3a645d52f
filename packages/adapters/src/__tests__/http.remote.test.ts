import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { CrmRemoteError } from '@crm/core/errors';
import { createRemoteHttp, staticToken, type HttpEvent, type RemoteHttpOptions } from '../http/remoteHttp.js';
import { hubspotClassify } from '../hubspot/http.js';

const BASE = 'https://remote.test';
const TOKEN = 'pat-na1-remote-secret-token';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** A handler answering `statuses` in turn (then 200), counting hits. */
function sequence(method: 'get' | 'post', path: string, answers: (() => Response | Promise<Response>)[]) {
  const hits: { at: number; auth: string | null }[] = [];
  server.use(
    http[method](`${BASE}${path}`, async ({ request }) => {
      hits.push({ at: Date.now(), auth: request.headers.get('authorization') });
      const answer = answers[hits.length - 1];
      return answer ? answer() : HttpResponse.json({ ok: true, n: hits.length });
    }),
  );
  return hits;
}

const status = (code: number, body: Record<string, unknown> = { status: 'error', message: `status ${code}` }, headers: Record<string, string> = {}) => () =>
  HttpResponse.json(body, { status: code, headers });

function remote(options: Partial<RemoteHttpOptions> = {}) {
  const events: HttpEvent[] = [];
  const client = createRemoteHttp({
    name: 'test',
    baseUrl: BASE,
    auth: staticToken(TOKEN),
    classify: hubspotClassify,
    retry: { limit: 3, baseMs: 5, maxMs: 50 },
    timeoutMs: 1_000,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { client, events };
}

async function rejection(promise: Promise<unknown>): Promise<CrmRemoteError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CrmRemoteError);
  return error as CrmRemoteError;
}

describe('createRemoteHttp', () => {
  it('sends the bearer token, the query and the JSON body, and resolves with the parsed body', async () => {
    let seen: { auth: string | null; url: string; body: unknown } | null = null;
    server.use(
      http.post(`${BASE}/things`, async ({ request }) => {
        seen = { auth: request.headers.get('authorization'), url: request.url, body: await request.json() };
        return HttpResponse.json({ id: '1' }, { status: 201 });
      }),
    );
    const { client } = remote();
    const response = await client.request({ method: 'POST', path: '/things', query: { a: 1, skip: undefined, b: true }, json: { x: 'y' }, replayable: false });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: '1' });
    expect(seen).toEqual({ auth: `Bearer ${TOKEN}`, url: `${BASE}/things?a=1&b=true`, body: { x: 'y' } });
  });

  it('retries a 5xx when the request is replayable', async () => {
    const hits = sequence('get', '/things', [status(500), status(503)]);
    const { client } = remote();
    await expect(client.request({ method: 'GET', path: '/things', replayable: true })).resolves.toMatchObject({ status: 200 });
    expect(hits).toHaveLength(3);
    expect(client.stats()).toMatchObject({ requests: 3, retries: 2 });
  });

  it('does not send a non-replayable request again after a 5xx, and says it may succeed later', async () => {
    const hits = sequence('post', '/things', [status(502)]);
    const { client } = remote();
    const error = await rejection(client.request({ method: 'POST', path: '/things', json: {}, replayable: false }));
    expect(hits).toHaveLength(1);
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(true);
  });

  it('retries a 429 and a 423 even for a non-replayable request (nothing was applied)', async () => {
    const hits = sequence('post', '/things', [
      status(429, { status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', message: 'You have reached your ten secondly limit.' }, { 'retry-after': '0' }),
      status(423, { status: 'error', category: 'LOCKED', message: 'locked' }, { 'retry-after': '0' }),
    ]);
    const { client, events } = remote();
    await expect(client.request({ method: 'POST', path: '/things', json: {}, replayable: false })).resolves.toMatchObject({ status: 200 });
    expect(hits).toHaveLength(3);
    expect(client.stats()).toMatchObject({ rateLimited: 1, retries: 2 });
    expect(events.filter((e) => e.type === 'rate_limited')).toEqual([{ type: 'rate_limited', method: 'POST', path: '/things', status: 429, delayMs: 0, code: 'RATE_LIMIT' }]);
  });

  it('never retries a 4xx validation error, and names the request, status, code and remote message', async () => {
    const hits = sequence('post', '/crm/v3/objects/contacts/batch/upsert', [
      status(400, { status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid', correlationId: 'c-1' }),
    ]);
    const { client } = remote();
    const error = await rejection(client.request({ method: 'POST', path: '/crm/v3/objects/contacts/batch/upsert', json: { inputs: [] }, replayable: true }));
    expect(hits).toHaveLength(1);
    expect(error.message).toBe('test: POST /crm/v3/objects/contacts/batch/upsert → 400 VALIDATION_ERROR: Property values were not valid');
    expect(error).toMatchObject({ status: 400, remoteCode: 'VALIDATION_ERROR', retryable: false });
    expect(error.cause).toMatchObject({ status: 400, body: { correlationId: 'c-1' } });
  });

  it('resolves statuses in `accept`', async () => {
    sequence('get', '/things/9', [status(404, { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'not found' })]);
    const { client } = remote();
    await expect(client.request({ method: 'GET', path: '/things/9', replayable: true, accept: [404] })).resolves.toMatchObject({
      status: 404,
      body: { category: 'OBJECT_NOT_FOUND' },
    });
  });

  it('honours Retry-After before the next attempt', async () => {
    const hits = sequence('get', '/things', [status(503, { message: 'busy' }, { 'retry-after': '1' })]);
    const { client } = remote({ retry: { limit: 2, baseMs: 1, maxMs: 5_000 } });
    await client.request({ method: 'GET', path: '/things', replayable: true });
    expect(hits).toHaveLength(2);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not resend a non-replayable POST that timed out, and throws a retryable error with status 0', async () => {
    const hits = sequence('post', '/things', [
      async () => {
        await delay(400);
        return HttpResponse.json({ id: 'late' });
      },
    ]);
    const { client } = remote({ timeoutMs: 100 });
    const error = await rejection(client.request({ method: 'POST', path: '/things', json: {}, replayable: false }));
    await delay(350);
    expect(hits).toHaveLength(1);
    expect(error).toMatchObject({ status: 0, retryable: true, remoteCode: 'TIMEOUT' });
    expect(error.message).toBe('test: POST /things → timed out after 100 ms; not sent again, as it may have been applied');
    expect(client.stats().timeouts).toBe(1);
  });

  it('resends a replayable request that timed out', async () => {
    const hits = sequence('get', '/things', [
      async () => {
        await delay(300);
        return HttpResponse.json({});
      },
    ]);
    const { client } = remote({ timeoutMs: 100 });
    await expect(client.request({ method: 'GET', path: '/things', replayable: true })).resolves.toMatchObject({ status: 200, body: { ok: true, n: 2 } });
    expect(hits).toHaveLength(2);
    expect(client.stats()).toMatchObject({ timeouts: 1, retries: 1 });
  });

  it('gives up after retry.limit retries with the last failure', async () => {
    const hits = sequence('get', '/things', [status(500), status(500), status(500)]);
    const { client } = remote({ retry: { limit: 2, baseMs: 1, maxMs: 5 } });
    const error = await rejection(client.request({ method: 'GET', path: '/things', replayable: true }));
    expect(hits).toHaveLength(3);
    expect(error.status).toBe(500);
  });

  it('stops when the signal aborts, with its reason', async () => {
    sequence('get', '/things', [
      async () => {
        await delay(500);
        return HttpResponse.json({});
      },
    ]);
    const { client } = remote();
    const controller = new AbortController();
    const pending = client.request({ method: 'GET', path: '/things', replayable: true, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stopped by the caller')), 50);
    await expect(pending).rejects.toThrow('stopped by the caller');
  });

  it('rejects bad options and requests with messages that name the field', async () => {
    expect(() => createRemoteHttp({ name: 'x', baseUrl: 'nope', auth: staticToken('t0k3n') })).toThrow('x: `baseUrl` must be an absolute URL');
    expect(() => createRemoteHttp({ name: 'x', baseUrl: BASE, auth: staticToken('t0k3n'), retry: { limit: -1 } })).toThrow('`retry.limit`');
    expect(() => staticToken('')).toThrow(/non-empty/);
    const { client } = remote();
    // @ts-expect-error: replayable is required
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow('test: request `replayable` must be true or false');
    await expect(client.request({ method: 'GET', path: 'x', replayable: true })).rejects.toThrow('`path` must be a string starting with "/"');
  });
});
