import { memoryStore, type Change, type CrmStore } from '@crm/core';
import { createOp, makeComplaint, makeCustomer, makeTouchpoint, nextVersion, updateOp } from '@crm/core/testing';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createRestHandler, type Problem } from '../rest/index.js';
import { bearerTenant, perTenant } from './restServer.js';

const MAX_BODY = 64 * 1024;
let stores: ReturnType<typeof perTenant>;
let onError: ReturnType<typeof vi.fn<(error: unknown, request: Request) => void>>;
let handler: (request: Request) => Promise<Response>;

beforeEach(() => {
  stores = perTenant(() => memoryStore());
  onError = vi.fn<(error: unknown, request: Request) => void>();
  handler = createRestHandler({ store: stores, authorize: bearerTenant, basePath: '/api', maxBodyBytes: MAX_BODY, onError });
});

interface CallOptions {
  tenant?: string | null;
  body?: unknown;
  /** A raw body, sent as is. */
  raw?: BodyInit;
  headers?: Record<string, string>;
}

function request(method: string, path: string, { tenant = 'a', body, raw, headers = {} }: CallOptions = {}): Request {
  const init: RequestInit & { duplex?: 'half' } = { method, headers: { ...headers } };
  if (tenant !== null) (init.headers as Record<string, string>).authorization = `Bearer tenant:${tenant}`;
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  if (raw !== undefined) {
    init.body = raw;
    init.duplex = 'half';
  }
  return new Request(`http://crm.test/api${path}`, init);
}

async function call(method: string, path: string, options?: CallOptions) {
  const response = await handler(request(method, path, options));
  const text = await response.text();
  return { response, status: response.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

const get = (path: string, options?: CallOptions) => call('GET', path, options);
const write = (ops: unknown, options?: CallOptions) => call('POST', '/writes', { body: { ops }, ...options });
const storeOf = (tenant: string): Promise<CrmStore> => stores({ tenant });
const feed = async (tenant = 'a'): Promise<Change[]> => (await (await storeOf(tenant)).changes({ since: 0, limit: 1000 })).changes;

/** Expects a problem response: the status, the problem+json media type, and the body's required members. */
function expectProblem(result: Awaited<ReturnType<typeof call>>, status: number): Problem {
  expect(result.status).toBe(status);
  expect(result.response.headers.get('content-type')).toBe('application/problem+json');
  const body = result.body as unknown as Problem;
  expect(body.status).toBe(status);
  expect(typeof body.type).toBe('string');
  expect(typeof body.title).toBe('string');
  return body;
}

describe('routes', () => {
  it('serves get, list (with filters), history, writes and the change feed as JSON', async () => {
    const c = makeCustomer({ kind: 'prospect', tags: ['vip'], emails: ['ann@example.com'], externalIds: { hubspot: '901' } });
    const k = makeComplaint(c.id, { status: 'open', priority: 'high', ownerId: 'sam' });
    const t = makeTouchpoint(c.id, { complaintId: k.id, channel: 'email', direction: 'outbound', actorId: 'sam' });
    const written = await write([createOp('customers', c), createOp('complaints', k), createOp('touchpoints', t)]);
    expect(written.status).toBe(200);
    expect(written.body).toEqual({ lastSeq: 3, writeId: 3 });
    expect(written.response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(written.response.headers.get('cache-control')).toBe('no-store');
    expect(written.response.headers.get('x-content-type-options')).toBe('nosniff');

    expect((await get(`/customers/${c.id}`)).body).toEqual(c);
    expect((await get(`/touchpoints/${t.id}`)).body).toEqual(t);
    expect((await get(`/complaints/${k.id}`)).body).toEqual(k);
    const ids = async (path: string) => ((await get(path)).body!.items as { id: string }[]).map((r) => r.id);
    for (const query of ['kind=prospect', 'tag=vip', 'email=ANN@example.com', 'externalId=hubspot:901', 'kind=prospect&tag=vip&limit=1&order=asc']) {
      expect(await ids(`/customers?${query}`)).toEqual([c.id]);
    }
    expect(await ids('/customers?kind=former')).toEqual([]);
    expect(await ids('/customers?externalId=hubspot:902')).toEqual([]);
    for (const query of [`customerId=${c.id}`, `complaintId=${k.id}`, 'channel=email', 'direction=outbound', 'actorId=sam']) {
      expect(await ids(`/touchpoints?${query}`)).toEqual([t.id]);
    }
    for (const query of ['status=open', 'status=new&status=open', 'status=new,open', 'priority=high', 'ownerId=sam', `customerId=${c.id}`]) {
      expect(await ids(`/complaints?${query}`)).toEqual([k.id]);
    }
    expect(await ids('/complaints?status=new')).toEqual([]);
    expect(await ids('/complaints?status=')).toEqual([]);

    const history = await get(`/customers/${c.id}/history?limit=1`);
    expect((history.body!.items as { id: string }[]).map((i) => i.id)).toEqual([t.id]);
    expect(typeof history.body!.nextCursor).toBe('string');
    const rest = await get(`/customers/${c.id}/history?limit=1&cursor=${history.body!.nextCursor}`);
    expect(rest.body).toEqual({ items: [expect.objectContaining({ type: 'complaint_activity', id: k.activity[0]!.id })], nextCursor: null });
    expect(((await get(`/customers/${c.id}/history?types=touchpoint`)).body!.items as { id: string }[]).map((i) => i.id)).toEqual([t.id]);
    expect((await get(`/customers/${c.id}/history?channels=sms`)).body!.items).toEqual([]);
    expect((await get(`/customers/${c.id}/history?channels=`)).body!.items).toEqual([]);

    expect((await get('/changes?since=1&limit=1')).body).toMatchObject({ lastSeq: 2, changes: [{ seq: 2, id: k.id, op: 'create' }] });
    expect((await get('/changes')).body!.lastSeq).toBe(3);
  });

  it('unknown routes, paths outside basePath and ids with an encoded "/" are 404 problems', async () => {
    for (const path of ['/nope', '/customers/a/b', '/customers/', '/customers/x/history/more', '/writes/1']) {
      const body = expectProblem(await get(path), 404);
      expect(body.type).toBe('urn:crm:problem:unknown-route');
    }
    const outside = await handler(new Request('http://crm.test/customers', { headers: { authorization: 'Bearer tenant:a' } }));
    expect(outside.status).toBe(404);
    expect(await outside.json()).toMatchInlineSnapshot(`
      {
        "detail": "No route matches this path; see GET /openapi.json",
        "instance": "/customers",
        "status": 404,
        "title": "No such route",
        "type": "urn:crm:problem:unknown-route",
      }
    `);
    // "%2F" stays inside the id: one segment, an unknown record.
    expect((await get('/customers/a%2Fb')).body!.type).toBe('urn:crm:problem:not-found');
    expect((await get('/customers/%E0%A4%A')).status).toBe(404);
  });

  it('an unknown record id is a 404 problem that does not repeat the id', async () => {
    const result = await get('/customers/01JUNKNOWN0000000000000000');
    expect(expectProblem(result, 404)).toMatchInlineSnapshot(`
      {
        "code": "NOT_FOUND",
        "detail": "No customer with this id exists",
        "entity": "customer",
        "instance": "/api/customers/01JUNKNOWN0000000000000000",
        "status": 404,
        "title": "No such record",
        "type": "urn:crm:problem:not-found",
      }
    `);
    for (const entity of ['touchpoints', 'complaints']) expect((await get(`/${entity}/nope`)).body!.entity).toBe(entity.slice(0, -1));
  });

  it('a wrong method is a 405 with Allow', async () => {
    const post = await call('POST', '/customers', { body: {} });
    expect(expectProblem(post, 405)).toMatchInlineSnapshot(`
      {
        "detail": "This route answers GET only",
        "instance": "/api/customers",
        "status": 405,
        "title": "Method not allowed",
        "type": "urn:crm:problem:method-not-allowed",
      }
    `);
    expect(post.response.headers.get('allow')).toBe('GET');
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const result = await call(method, `/customers/${makeCustomer().id}`);
      expect(result.status).toBe(405);
      expect(result.response.headers.get('allow')).toBe('GET');
    }
    const getWrites = await get('/writes');
    expect(getWrites.status).toBe(405);
    expect(getWrites.response.headers.get('allow')).toBe('POST');
  });
});

describe('authentication', () => {
  it('a request without credentials, or that authorize refuses or throws for, is a 401 problem', async () => {
    expect(expectProblem(await get('/customers', { tenant: null }), 401)).toMatchInlineSnapshot(`
      {
        "detail": "Authenticate to use this API",
        "instance": "/api/customers",
        "status": 401,
        "title": "Not authenticated",
        "type": "urn:crm:problem:unauthorized",
      }
    `);
    expect((await get('/customers', { tenant: null, headers: { authorization: 'Bearer nonsense' } })).status).toBe(401);
    const throwing = createRestHandler({
      store: memoryStore(),
      authorize: () => {
        throw new Error('token expired at the identity provider');
      },
    });
    const response = await throwing(new Request('http://crm.test/customers'));
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain('identity provider');
    // A 401 writes nothing.
    expect((await write([createOp('customers', makeCustomer())], { tenant: null })).status).toBe(401);
    expect(await feed()).toEqual([]);
  });

  it('an authorize that returns something other than a principal authenticates nobody: 401, reported to onError once', async () => {
    for (const principal of [{ tenant: '' }, { staffId: 'x' }, 'acme', Object.prototype.constructor, 42]) {
      const broken = createRestHandler({ store: memoryStore(), authorize: () => principal as never, onError });
      for (let i = 0; i < 2; i++) {
        const response = await broken(new Request('http://crm.test/customers'));
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ type: 'urn:crm:problem:unauthorized', status: 401 });
      }
    }
    expect(onError).toHaveBeenCalledTimes(5);
    expect(String(onError.mock.calls[0]![0])).toContain('authorize() must return { tenant: string }');
  });

  it("the docs' token table finds nothing for inherited names: Bearer constructor, __proto__, toString are 401s", async () => {
    const tokens = new Map([['token-of-acme', 'acme']]);
    const h = createRestHandler({
      store: memoryStore(),
      authorize: (request) => {
        const tenant = tokens.get(request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '');
        return tenant ? { tenant } : null;
      },
      onError,
    });
    // The plain-object table the docs used to show: a function for `constructor`, an object for `__proto__`.
    const plain: Record<string, string> = { 'token-of-acme': 'acme' };
    const old = createRestHandler({
      store: memoryStore(),
      authorize: (request) => {
        const tenant = plain[request.headers.get('authorization')?.replace(/^Bearer /, '') ?? ''];
        return tenant ? { tenant } : null;
      },
      onError,
    });
    for (const token of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      for (const handle of [h, old]) {
        const response = await handle(new Request('http://crm.test/customers', { headers: { authorization: `Bearer ${token}` } }));
        expect(response.status, token).toBe(401);
      }
    }
    expect((await h(new Request('http://crm.test/customers', { headers: { authorization: 'Bearer token-of-acme' } }))).status).toBe(200);
  });

  it('the OpenAPI document needs no credentials', async () => {
    expect((await get('/openapi.json', { tenant: null })).status).toBe(200);
  });
});

describe('query parameters', () => {
  it('an unknown parameter is a 400 naming its position, never its name', async () => {
    const body = expectProblem(await get('/customers?kind=prospect&sort=name&sort=id&filter[x]=1'), 400);
    expect(body).toMatchInlineSnapshot(`
      {
        "code": "VALIDATION",
        "detail": "Invalid query parameters: the 2nd parameter is not a parameter of this route; the 4th parameter is not a parameter of this route",
        "instance": "/api/customers",
        "issues": [
          {
            "code": "unknown_field",
            "field": "",
            "message": "the 2nd parameter is not a parameter of this route",
            "path": [],
          },
          {
            "code": "unknown_field",
            "field": "",
            "message": "the 4th parameter is not a parameter of this route",
            "path": [],
          },
        ],
        "status": 400,
        "title": "The request is not valid",
        "type": "urn:crm:problem:validation",
      }
    `);
  });

  it('names chosen by the client never come back: unknown parameters, unknown fields, externalIds systems', async () => {
    const secret = 'mei@example.tw';
    const query = expectProblem(await get(`/customers?kind=prospect&${encodeURIComponent(secret)}=1`), 400);
    expect(JSON.stringify(query)).not.toContain('mei');
    expect(query.detail).toBe('Invalid query parameters: the 2nd parameter is not a parameter of this route');
    const customer = { ...makeCustomer(), externalIds: { hubspot: '1', [secret]: '2' }, [secret]: true };
    const body = expectProblem(await write([createOp('customers', customer as never)]), 400);
    expect(JSON.stringify(body)).not.toContain('mei');
    expect(body.issues!.map((i) => [i.field, i.message])).toEqual([
      ['ops[0].record.externalIds[1]', 'expected a system name in lower case, such as "hubspot"'],
      ['ops[0].record', 'has an unknown key (the 12th)'],
    ]);
    const envelope = expectProblem(await call('POST', '/writes', { body: { ops: [{ ...createOp('customers', makeCustomer()), [secret]: 1 }], [secret]: 1 } }), 400);
    expect(JSON.stringify(envelope)).not.toContain('mei');
    // A suggestion names a field of ours, never the key sent.
    const near = expectProblem(await write([createOp('customers', { ...makeCustomer(), email: secret } as never)]), 400);
    expect(near.issues!.map((i) => [i.field, i.message])).toEqual([['ops[0].record', 'has an unknown key (the 12th); did you mean "emails"?']]);
  });

  it('limits, cursors, enums, since and externalId are checked strictly, naming the parameter', async () => {
    const cases: [string, string][] = [
      ['/customers?limit=0', 'limit'],
      ['/customers?limit=501', 'limit'],
      ['/customers?limit=1.5', 'limit'],
      ['/customers?limit=-1', 'limit'],
      ['/customers?limit=NaN', 'limit'],
      ['/customers?limit=1e3', 'limit'],
      ['/customers?limit=99999999999999999999999', 'limit'],
      ['/customers?limit=', 'limit'],
      ['/customers?limit=10&limit=20', 'limit'],
      ['/customers?order=random', 'order'],
      ['/customers?kind=CUSTOMER', 'kind'],
      ['/touchpoints?channel=fax', 'channel'],
      ['/complaints?status=open,bogus', 'status'],
      ['/complaints?priority=', 'priority'],
      [`/customers?cursor=${'x'.repeat(501)}`, 'cursor'],
      ['/customers?cursor=garbage', 'cursor'],
      ['/customers?externalId=hubspot', 'externalId'],
      ['/customers?externalId=:1', 'externalId'],
      [`/customers?email=${'a'.repeat(300)}`, 'email'],
      ['/customers/x/history?limit=501', 'limit'],
      ['/customers/x/history?types=note', 'types'],
      ['/changes?since=-1', 'since'],
      ['/changes?since=0.5', 'since'],
      ['/changes?since=abc', 'since'],
      ['/changes?limit=1001', 'limit'],
    ];
    for (const [path, param] of cases) {
      const body = expectProblem(await get(path), 400);
      expect(body.issues!.map((i) => i.field), path).toContain(param);
      expect(body.detail, path).toContain(param);
    }
  });

  it('messages never repeat the value sent', async () => {
    const secret = 'SECRET-VALUE-7731';
    for (const path of [`/customers?kind=${secret}`, `/customers?limit=${secret}`, `/customers?${secret}=1`, `/customers?cursor=${secret}`]) {
      const result = await get(path);
      expect(result.status).toBe(400);
      if (!path.includes(`?${secret}`)) expect(result.text, path).not.toContain(secret);
    }
  });

  it('huge but allowed limits work, and a Last-Event-ID that is not a sequence is a 400', async () => {
    expect((await get('/customers?limit=500')).status).toBe(200);
    // A since beyond the end of the feed is refused, never answered with an empty page that skips changes later.
    expect(expectProblem(await get('/changes?limit=1000&since=9007199254740991'), 400).detail).toMatch(/beyond the end of the feed/);
    expect((await get('/changes?since=9007199254740992')).status).toBe(400);
    const result = await get('/changes/stream', { headers: { 'last-event-id': 'abc' } });
    expect(expectProblem(result, 400).issues).toMatchInlineSnapshot(`
      [
        {
          "code": "invalid",
          "field": "Last-Event-ID",
          "message": "must be the id of an event of this stream (a whole number)",
          "path": [
            "Last-Event-ID",
          ],
        },
      ]
    `);
  });
});

describe('writes: validation at the boundary', () => {
  it('records are parsed with the stored-record schemas: per-field issues, nothing written', async () => {
    const c = makeCustomer();
    const bad = {
      ...makeCustomer(),
      emails: ['not-an-email'],
      kind: 'vip',
      tags: [42],
      addresses: [{ id: 'a1', lines: [] }],
      surprise: true,
    };
    const t = { ...makeTouchpoint(c.id), sentiment: 3, occurredAt: '2026-01-05T10:00:00+02:00' };
    const result = await write([createOp('customers', c), createOp('customers', bad as never), createOp('touchpoints', t)]);
    const body = expectProblem(result, 400);
    expect(body.code).toBe('VALIDATION');
    expect(body.detail).toMatchInlineSnapshot(`"Invalid store write: ops[1].record.kind: expected one of "prospect", "customer", "former"; ops[1].record.emails[0]: invalid email address; ops[1].record.addresses[0].lines: must have at least one line; ops[1].record.tags[0]: expected string, received number; ops[1].record: has an unknown key (the 12th); ops[2].record.occurredAt: expected a UTC ISO 8601 timestamp such as "2026-05-01T09:30:00.000Z"; ops[2].record.sentiment: must be between -1 and 1"`);
    expect(body.issues).toMatchInlineSnapshot(`
      [
        {
          "code": "invalid_value",
          "field": "ops[1].record.kind",
          "message": "expected one of "prospect", "customer", "former"",
          "path": [
            "ops",
            1,
            "record",
            "kind",
          ],
        },
        {
          "code": "invalid_format",
          "field": "ops[1].record.emails[0]",
          "message": "invalid email address",
          "path": [
            "ops",
            1,
            "record",
            "emails",
            0,
          ],
        },
        {
          "code": "too_small",
          "field": "ops[1].record.addresses[0].lines",
          "message": "must have at least one line",
          "path": [
            "ops",
            1,
            "record",
            "addresses",
            0,
            "lines",
          ],
        },
        {
          "code": "invalid_type",
          "field": "ops[1].record.tags[0]",
          "message": "expected string, received number",
          "path": [
            "ops",
            1,
            "record",
            "tags",
            0,
          ],
        },
        {
          "code": "unknown_field",
          "field": "ops[1].record",
          "message": "has an unknown key (the 12th)",
          "path": [
            "ops",
            1,
            "record",
          ],
        },
        {
          "code": "invalid_format",
          "field": "ops[2].record.occurredAt",
          "message": "expected a UTC ISO 8601 timestamp such as "2026-05-01T09:30:00.000Z"",
          "path": [
            "ops",
            2,
            "record",
            "occurredAt",
          ],
        },
        {
          "code": "out_of_range",
          "field": "ops[2].record.sentiment",
          "message": "must be between -1 and 1",
          "path": [
            "ops",
            2,
            "record",
            "sentiment",
          ],
        },
      ]
    `);
    expect(await feed()).toEqual([]);
  });

  it('the envelope is checked too: ops, op types, entities, expectedVersion, unknown fields', async () => {
    const c = makeCustomer();
    const cases: [unknown, string][] = [
      [{}, 'ops'],
      [{ ops: 'all' }, 'ops'],
      [{ ops: [] }, 'ops'],
      [{ ops: [createOp('customers', c)], dryRun: true }, ''],
      [{ ops: [null] }, 'ops[0]'],
      [{ ops: [{ type: 'remove', entity: 'customers', record: c }] }, 'ops[0].type'],
      [{ ops: [{ type: 'delete', entity: 'customers', record: c, expectedVersion: 1 }] }, 'ops[0].id'],
      [{ ops: [{ type: 'delete', entity: 'customers', id: c.id, record: c, expectedVersion: 1 }] }, 'ops[0].record'],
      [{ ops: [{ type: 'delete', entity: 'customers', id: c.id }] }, 'ops[0].expectedVersion'],
      [{ ops: [createOp('customers', c)], origin: 'x'.repeat(65) }, 'origin'],
      [{ ops: [{ type: 'create', entity: 'staff', record: c }] }, 'ops[0].entity'],
      [{ ops: [{ type: 'create', entity: 'customers' }] }, 'ops[0].record'],
      [{ ops: [{ type: 'update', entity: 'customers', record: nextVersion(c) }] }, 'ops[0].expectedVersion'],
      [{ ops: [{ type: 'update', entity: 'customers', record: nextVersion(c), expectedVersion: '1' }] }, 'ops[0].expectedVersion'],
      [{ ops: [{ ...createOp('customers', c), expectedVersion: 1 }] }, 'ops[0].expectedVersion'],
      [{ ops: [{ ...createOp('customers', c), extra: 1 }] }, 'ops[0]'],
      [{ ops: [createOp('touchpoints', c as never)] }, 'ops[0].record.customerId'],
      [[createOp('customers', c)], ''],
      ['ops', ''],
      [null, ''],
    ];
    for (const [body, field] of cases) {
      const problem = expectProblem(await call('POST', '/writes', { body }), 400);
      expect(problem.issues!.map((i) => i.field), JSON.stringify(body)).toContain(field);
    }
    expect(await feed()).toEqual([]);
  });

  it('store-level rules come back as 400 and 409 problems: version rules, the same record twice, conflicts', async () => {
    const c = makeCustomer();
    expect((await write([createOp('customers', c)])).status).toBe(200);
    const v2 = expectProblem(await write([createOp('customers', { ...makeCustomer(), version: 2 })]), 400);
    expect(v2.detail).toMatchInlineSnapshot(`"Invalid store write: ops[0].record.version: must be 1 on create"`);
    const twice = expectProblem(await write([createOp('customers', makeCustomer({ id: 'same' })), createOp('customers', makeCustomer({ id: 'same' }))]), 400);
    expect(twice.issues![0]!.field).toBe('ops[1].record.id');

    const conflict = expectProblem(await write([createOp('customers', makeCustomer({ id: c.id }))]), 409);
    expect(conflict).toMatchObject({ type: 'urn:crm:problem:conflict', entity: 'customer', id: c.id, expectedVersion: null, currentVersion: 1 });
    const stale = expectProblem(await write([updateOp('customers', { ...nextVersion(c), version: 6 }, 5)]), 409);
    expect({ ...stale, id: '…', detail: stale.detail!.replace(c.id, '<id>') }).toMatchInlineSnapshot(`
      {
        "code": "CONFLICT",
        "currentVersion": 1,
        "detail": "Cannot update customer "<id>": expected version 5 but it is at version 1; read it again and retry",
        "entity": "customer",
        "expectedVersion": 5,
        "id": "…",
        "instance": "/api/writes",
        "status": 409,
        "title": "Version conflict",
        "type": "urn:crm:problem:conflict",
      }
    `);
    expect((await feed()).map((ch) => ch.id)).toEqual([c.id]);
  });

  it('malformed JSON, invalid UTF-8 and an empty body are 400s that do not quote the body', async () => {
    const secret = '{"ops": [SECRET-TOKEN-1234';
    const malformed = expectProblem(await call('POST', '/writes', { raw: secret, headers: { 'content-type': 'application/json' } }), 400);
    expect(malformed).toMatchInlineSnapshot(`
      {
        "code": "VALIDATION",
        "detail": "The request body is not valid JSON",
        "instance": "/api/writes",
        "issues": [
          {
            "code": "invalid_json",
            "field": "",
            "message": "The request body is not valid JSON",
            "path": [],
          },
        ],
        "status": 400,
        "title": "The request is not valid",
        "type": "urn:crm:problem:validation",
      }
    `);
    expect(JSON.stringify(malformed)).not.toContain('SECRET');
    const utf8 = await call('POST', '/writes', { raw: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), headers: { 'content-type': 'application/json' } });
    expect(expectProblem(utf8, 400).detail).toBe('The request body is not valid UTF-8');
    const empty = await call('POST', '/writes', { raw: '  ', headers: { 'content-type': 'application/json' } });
    expect(expectProblem(empty, 400).detail).toBe('The request body is empty: send a JSON document');
    expect(await feed()).toEqual([]);
  });

  it('a body that is not JSON is a 415', async () => {
    const json = JSON.stringify({ ops: [createOp('customers', makeCustomer())] });
    const plain = await call('POST', '/writes', { raw: json, headers: { 'content-type': 'text/plain' } });
    expect(expectProblem(plain, 415)).toMatchInlineSnapshot(`
      {
        "detail": "Send the body as application/json in UTF-8",
        "instance": "/api/writes",
        "status": 415,
        "title": "Unsupported media type",
        "type": "urn:crm:problem:unsupported-media-type",
      }
    `);
    expect(plain.response.headers.get('accept-post')).toBe('application/json');
    expect((await call('POST', '/writes', { raw: new Blob([json]) })).status).toBe(415);
    expect((await call('POST', '/writes', { raw: json, headers: { 'content-type': 'application/json; charset=latin1' } })).status).toBe(415);
    expect((await call('POST', '/writes', { raw: json, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    expect((await call('POST', '/writes', { raw: json, headers: { 'content-type': 'application/vnd.crm+json; charset=UTF-8' } })).status).toBe(200);
    expect(await feed()).toHaveLength(1);
  });

  it('a body past maxBodyBytes is a 413, whether or not Content-Length says so, read no further than the limit', async () => {
    const big = JSON.stringify({ ops: [createOp('customers', makeCustomer({ notBuyingReason: 'x'.repeat(1000) }))] }).padEnd(MAX_BODY + 1, ' ');
    const declared = await call('POST', '/writes', { raw: big, headers: { 'content-type': 'application/json' } });
    expect(expectProblem(declared, 413)).toMatchInlineSnapshot(`
      {
        "detail": "The request body must be at most 65536 bytes",
        "instance": "/api/writes",
        "status": 413,
        "title": "Request body too large",
        "type": "urn:crm:problem:body-too-large",
      }
    `);

    // A streamed body with no Content-Length: the reader stops at the limit and cancels the rest.
    let pulled = 0;
    let cancelled = false;
    const chunk = new TextEncoder().encode(' '.repeat(4096));
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        cancelled = true;
      },
    });
    const streamed = await call('POST', '/writes', { raw: endless, headers: { 'content-type': 'application/json' } });
    expect(streamed.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(MAX_BODY + 3 * 4096);

    // A Content-Length that lies (small) does not get a bigger body in.
    const lying = new Request('http://crm.test/api/writes', {
      method: 'POST',
      headers: { authorization: 'Bearer tenant:a', 'content-type': 'application/json', 'content-length': '10' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect((await handler(lying)).status).toBe(413);
    expect(await feed()).toEqual([]);
  });
});

describe('errors without internals', () => {
  it('an unexpected store failure is a 500 that discloses nothing and reaches onError', async () => {
    const failing = { ...memoryStore(), get: async () => Promise.reject(new Error('connection to db-7.internal:5432 refused')) } as CrmStore;
    const h = createRestHandler({ store: failing, authorize: () => ({ tenant: 't' }), onError });
    const response = await h(new Request('http://crm.test/customers/abc'));
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(text).not.toContain('db-7');
    expect(JSON.parse(text)).toMatchInlineSnapshot(`
      {
        "detail": "The server could not answer this request",
        "instance": "/customers/abc",
        "status": 500,
        "title": "Internal server error",
        "type": "urn:crm:problem:internal",
      }
    `);
    expect(onError).toHaveBeenCalledOnce();
    expect((onError.mock.calls[0]![0] as Error).message).toContain('db-7');
  });

  it('rejected values never come back, even where a schema message quotes one', async () => {
    const secret = 'SECRETxyz';
    const record = {
      ...makeCustomer(),
      name: '',
      emails: [`${secret}@@example`],
      phones: [`${secret}-phone`],
      locale: `${secret}-??-${'q'.repeat(40)}`,
      timeZone: `${secret}/Nowhere`,
      ownerId: `${secret} with spaces`,
      externalIds: { hubspot: ` ${secret} ` },
      kind: secret,
    };
    const result = await write([createOp('customers', record as never)]);
    expect(result.status).toBe(400);
    expect(result.text).not.toContain(secret);
    expect(result.body!.issues).toMatchInlineSnapshot(`
      [
        {
          "code": "invalid_value",
          "field": "ops[0].record.kind",
          "message": "expected one of "prospect", "customer", "former"",
          "path": [
            "ops",
            0,
            "record",
            "kind",
          ],
        },
        {
          "code": "custom",
          "field": "ops[0].record.name",
          "message": "must not be empty",
          "path": [
            "ops",
            0,
            "record",
            "name",
          ],
        },
        {
          "code": "invalid_format",
          "field": "ops[0].record.emails[0]",
          "message": "invalid email address",
          "path": [
            "ops",
            0,
            "record",
            "emails",
            0,
          ],
        },
        {
          "code": "invalid_format",
          "field": "ops[0].record.phones[0]",
          "message": "invalid phone number: expected digits with an optional leading "+"",
          "path": [
            "ops",
            0,
            "record",
            "phones",
            0,
          ],
        },
        {
          "code": "custom",
          "field": "ops[0].record.locale",
          "message": "unknown language tag: expected a BCP 47 tag such as "en" or "zh-TW"",
          "path": [
            "ops",
            0,
            "record",
            "locale",
          ],
        },
        {
          "code": "custom",
          "field": "ops[0].record.timeZone",
          "message": "unknown IANA time zone: expected a name such as "Europe/Rome"",
          "path": [
            "ops",
            0,
            "record",
            "timeZone",
          ],
        },
        {
          "code": "invalid_format",
          "field": "ops[0].record.ownerId",
          "message": "invalid id: expected 1-64 letters, digits, "_" or "-"",
          "path": [
            "ops",
            0,
            "record",
            "ownerId",
          ],
        },
        {
          "code": "custom",
          "field": "ops[0].record.externalIds[0]",
          "message": "expected an id of 1 to 255 characters without surrounding spaces",
          "path": [
            "ops",
            0,
            "record",
            "externalIds",
            0,
          ],
        },
      ]
    `);
    const short = await write([createOp('customers', { ...makeCustomer(), locale: 'xx-??' })]);
    expect(short.text).not.toContain('xx-??');
  });
});

describe('hostile text', () => {
  const HOSTILE = [
    `Robert'); DROP TABLE customers; --`,
    `" OR 1=1 --`,
    `<script>alert("x")</script>`,
    `<img src=x onerror=alert(1)>`,
    `%00 %27 \\' \\" \\\\ $1 \${x} {{x}} ; -- /* */`,
    `\u2028line\u2029para`,
  ].join(' | ');

  it('SQL metacharacters and HTML are stored and returned verbatim in every text field, as JSON', async () => {
    const c = makeCustomer({
      name: HOSTILE,
      company: HOSTILE,
      tags: [HOSTILE.slice(0, 64), 'x'],
      notBuyingReason: HOSTILE,
      externalIds: { legacy: HOSTILE },
      addresses: [{ id: 'addr-1', label: HOSTILE.slice(0, 64), lines: [HOSTILE.slice(0, 200)], city: HOSTILE.slice(0, 100), region: HOSTILE.slice(0, 100), postalCode: `<b>1</b>'--`, status: 'valid' }],
    });
    const k = makeComplaint(c.id, { subject: HOSTILE, description: HOSTILE });
    const t = makeTouchpoint(c.id, {
      subject: HOSTILE,
      summary: HOSTILE,
      department: HOSTILE.slice(0, 100),
      nextStep: HOSTILE,
      participants: [{ name: HOSTILE.slice(0, 200), role: HOSTILE.slice(0, 100) }],
    });
    expect((await write([createOp('customers', c), createOp('complaints', k), createOp('touchpoints', t)])).status).toBe(200);
    const got = await get(`/customers/${c.id}`);
    expect(got.body).toEqual(c);
    expect(got.response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    // Markup is escaped in the JSON text (\u003c), and the text parses back to exactly what was written.
    expect(got.text).not.toMatch(/[<>]/);
    expect(got.text).toContain('\\u003cscript\\u003e');
    expect(JSON.parse(got.text)).toEqual(c);
    expect((await get(`/touchpoints/${t.id}`)).body).toEqual(t);
    expect((await get(`/complaints/${k.id}`)).body).toEqual(k);
    expect(((await get(`/customers?tag=${encodeURIComponent(HOSTILE.slice(0, 64))}`)).body!.items as unknown[]).length).toBe(1);
    expect(((await get(`/customers?externalId=legacy:${encodeURIComponent(HOSTILE)}`)).body!.items as unknown[]).length).toBe(1);
    expect(((await get(`/customers/${c.id}/history`)).body!.items as unknown[]).length).toBe(2);
  });
});

describe('single-tenant form', () => {
  it('a plain store is shared by every authorized request', async () => {
    const shared = memoryStore();
    const h = createRestHandler({ store: shared, authorize: bearerTenant });
    const c = makeCustomer();
    await shared.write([createOp('customers', c)]);
    for (const tenant of ['a', 'b']) {
      const response = await h(new Request(`http://crm.test/customers/${c.id}`, { headers: { authorization: `Bearer tenant:${tenant}` } }));
      expect(await response.json()).toEqual(c);
    }
  });

  it('bad options fail at once with a message naming the option', () => {
    const authorize = () => ({ tenant: 't' });
    expect(() => createRestHandler({ store: null as never, authorize })).toThrowErrorMatchingInlineSnapshot(`[TypeError: createRestHandler: \`store\` must be a CrmStore or a function (principal) => CrmStore]`);
    expect(() => createRestHandler({ store: memoryStore(), authorize: undefined as never })).toThrowErrorMatchingInlineSnapshot(`[TypeError: createRestHandler: \`authorize\` must be a function (request) => { tenant } | null]`);
    expect(() => createRestHandler({ store: memoryStore(), authorize, maxBodyBytes: 0 })).toThrowErrorMatchingInlineSnapshot(`[TypeError: createRestHandler: \`maxBodyBytes\` must be a whole number of bytes, 1 or more]`);
    expect(() => createRestHandler({ store: memoryStore(), authorize, basePath: 'api/' })).toThrowErrorMatchingInlineSnapshot(`[TypeError: createRestHandler: \`basePath\` must be "" or a path that starts with "/" and does not end with one, such as "/api/crm"]`);
  });
});
