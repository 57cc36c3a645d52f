import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HubSpotMockOptions, createHubSpotMock } from '../hubspot/testing/index.js';

const BASE = 'https://api.hubapi.com';
const TOKEN = 'pat-na1-mock-token';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// Response bodies are read deep and loosely in assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;
interface Reply {
  status: number;
  body: Body;
  headers: Headers;
}

/** A mock with a controllable clock, installed on the file's server. */
function setup(options: HubSpotMockOptions = {}) {
  const clock = { t: Date.parse('2026-03-02T09:00:00.000Z') };
  const mock = createHubSpotMock({ seed: 42, rateLimit: false, searchLagMs: 0, now: () => clock.t, ...options });
  server.use(...mock.handlers);
  const api = async (method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${BASE}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Body) : {}, headers: res.headers };
  };
  const advance = (ms: number): void => {
    clock.t += ms;
  };
  return { mock, api, clock, advance };
}

const contact = (email: string, extra: Record<string, string> = {}) => ({ properties: { email, firstname: 'Ada', ...extra } });

describe('auth', () => {
  it('rejects a missing or unknown bearer token with 401 INVALID_AUTHENTICATION', async () => {
    const { api, mock } = setup();
    for (const token of [null, 'pat-na1-wrong']) {
      const r = await api('GET', '/crm/v3/objects/contacts', undefined, token);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
      expect(r.body['message']).toMatch(/^Authentication credentials not found/);
      expect(typeof r.body['correlationId']).toBe('string');
    }
    expect(mock.stats().byStatus['401']).toBe(2);
  });

  it('accepts configured static tokens', async () => {
    const { api } = setup({ accessTokens: ['pat-eu1-a', 'pat-eu1-b'] });
    expect((await api('GET', '/crm/v3/objects/contacts', undefined, 'pat-eu1-b')).status).toBe(200);
    expect((await api('GET', '/crm/v3/objects/contacts', undefined, TOKEN)).status).toBe(401);
  });
});

describe('records', () => {
  it('creates with 201, numeric increasing ids, string values and system properties', async () => {
    const { api, clock } = setup();
    const a = await api('POST', '/crm/v3/objects/contacts', contact('ada@example.com', { phone: '123' }));
    const b = await api('POST', '/crm/v3/objects/0-1', contact('bob@example.com'));
    expect(a.status).toBe(201);
    expect(a.body['id']).toMatch(/^\d+$/);
    expect(Number(b.body['id'])).toBeGreaterThan(Number(a.body['id']));
    const when = new Date(clock.t).toISOString();
    expect(a.body).toMatchObject({ createdAt: when, updatedAt: when, archived: false });
    expect(a.body['properties']).toMatchObject({
      email: 'ada@example.com',
      phone: '123',
      hs_object_id: a.body['id'],
      createdate: when,
      lastmodifieddate: when,
    });
    const company = await api('POST', '/crm/v3/objects/companies', { properties: { name: 'Acme' } });
    expect(company.body['properties']).toMatchObject({ hs_lastmodifieddate: when, createdate: when });
    expect(company.body['properties']['lastmodifieddate']).toBeUndefined();
  });

  it('reads by id with default or requested properties (empty ones null) and 404s unknown ids', async () => {
    const { api } = setup();
    const { body } = await api('POST', '/crm/v3/objects/contacts', contact('ada@example.com'));
    const r = await api('GET', `/crm/v3/objects/contacts/${body['id']}`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body['properties']).sort()).toEqual([
      'createdate',
      'email',
      'firstname',
      'hs_object_id',
      'lastmodifieddate',
      'lastname',
    ]);
    expect(r.body['properties']['lastname']).toBeNull();
    const some = await api('GET', `/crm/v3/objects/contacts/${body['id']}?properties=phone,nope`);
    expect(some.body['properties']).toMatchObject({ phone: null });
    expect('nope' in some.body['properties']).toBe(false);
    const missing = await api('GET', '/crm/v3/objects/contacts/999');
    expect(missing.status).toBe(404);
    expect(missing.body['category']).toBe('OBJECT_NOT_FOUND');
    const byEmail = await api('GET', `/crm/v3/objects/contacts/ADA@example.com?idProperty=email`);
    expect(byEmail.body['id']).toBe(body['id']);
    const nonUnique = await api('GET', `/crm/v3/objects/contacts/Ada?idProperty=firstname`);
    expect(nonUnique.status).toBe(400);
  });

  it('updates with PATCH: overwrites, "" clears, bumps the last-modified date', async () => {
    const { api, advance, clock } = setup();
    const { body } = await api('POST', '/crm/v3/objects/contacts', contact('ada@example.com', { phone: '1' }));
    advance(5000);
    const r = await api('PATCH', `/crm/v3/objects/contacts/${body['id']}`, { properties: { phone: '', lastname: 'Lovelace' } });
    expect(r.status).toBe(200);
    expect(r.body['updatedAt']).toBe(new Date(clock.t).toISOString());
    expect(r.body['properties']['lastmodifieddate']).toBe(new Date(clock.t).toISOString());
    const read = await api('GET', `/crm/v3/objects/contacts/${body['id']}?properties=phone,lastname`);
    expect(read.body['properties']).toMatchObject({ phone: null, lastname: 'Lovelace' });
    const byEmail = await api('PATCH', '/crm/v3/objects/contacts/ada@example.com?idProperty=email', { properties: { firstname: 'A' } });
    expect(byEmail.body['properties']['firstname']).toBe('A');
    expect((await api('PATCH', '/crm/v3/objects/contacts/1', { properties: {} })).status).toBe(404);
  });

  it('rejects unknown and read-only properties with 400 VALIDATION_ERROR naming PROPERTY_DOESNT_EXIST', async () => {
    const { api, mock } = setup();
    const r = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'x@y.z', favourite_colour: 'red' } });
    expect(r.status).toBe(400);
    expect(r.body['category']).toBe('VALIDATION_ERROR');
    expect(r.body['message']).toMatch(/^Property values were not valid: \[/);
    expect(r.body['message']).toContain('PROPERTY_DOESNT_EXIST');
    expect(r.body['message']).toContain('Property \\"favourite_colour\\" does not exist');
    expect(r.body['errors'][0]).toMatchObject({ code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['favourite_colour'] } });
    expect(mock.objects('contacts')).toHaveLength(0);
    const ro = await api('POST', '/crm/v3/objects/contacts', { properties: { hs_object_id: '5' } });
    expect(ro.status).toBe(400);
    const badNumber = await api('POST', '/crm/v3/objects/calls', {
      properties: { hs_timestamp: '1700000000000', hs_call_duration: 'long' },
    });
    expect(badNumber.body['message']).toContain('INVALID_INTEGER');
  });

  it('requires hs_timestamp on engagements and accepts epoch ms or ISO', async () => {
    const { api } = setup();
    for (const type of ['notes', 'calls', 'emails', 'meetings', 'tasks']) {
      const r = await api('POST', `/crm/v3/objects/${type}`, { properties: {} });
      expect(r.status, type).toBe(400);
      expect(r.body['message']).toContain('hs_timestamp');
    }
    const ms = await api('POST', '/crm/v3/objects/notes', { properties: { hs_timestamp: '1700000000000', hs_note_body: 'hi' } });
    expect(ms.status).toBe(201);
    expect(ms.body['properties']).toMatchObject({ hs_timestamp: '2023-11-14T22:13:20.000Z', hs_note_body: 'hi' });
    expect(ms.body['properties']['hs_createdate']).toBeDefined();
    expect(ms.body['properties']['hs_lastmodifieddate']).toBeDefined();
    const isoR = await api('POST', '/crm/v3/objects/tasks', { properties: { hs_timestamp: '2024-01-17T19:55:04.281Z' } });
    expect(isoR.status).toBe(201);
  });

  it('serves the default ticket pipeline and validates hs_pipeline_stage', async () => {
    const { api } = setup();
    const p = await api('GET', '/crm/v3/pipelines/tickets');
    expect(p.body['results'][0]).toMatchObject({ id: '0' });
    expect(p.body['results'][0]['stages'].map((s: Body) => [s['id'], s['label']])).toEqual([
      ['1', 'New'],
      ['2', 'Waiting on contact'],
      ['3', 'Waiting on us'],
      ['4', 'Closed'],
    ]);
    expect((await api('POST', '/crm/v3/objects/tickets', { properties: { subject: 'x' } })).status).toBe(400);
    const bad = await api('POST', '/crm/v3/objects/tickets', { properties: { subject: 'x', hs_pipeline_stage: '9' } });
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toContain('INVALID_OPTION');
    const ok = await api('POST', '/crm/v3/objects/0-5', { properties: { subject: 'x', hs_pipeline_stage: '1' } });
    expect(ok.status).toBe(201);
    expect(ok.body['properties']).toMatchObject({ hs_pipeline: '0', hs_pipeline_stage: '1', hs_ticket_id: ok.body['id'] });
    expect((await api('PATCH', `/crm/v3/objects/tickets/${ok.body['id']}`, { properties: { hs_pipeline_stage: 'Closed' } })).status).toBe(
      400,
    );
  });

  it('answers 400 for an unknown object type, 404 for an unknown path, both logged', async () => {
    const { api, mock } = setup();
    const r = await api('GET', '/crm/v3/objects/widgets');
    expect(r.status).toBe(400);
    expect(r.body['message']).toContain('Unable to infer object type');
    const unknown = await api('GET', '/crm/v3/nothing/here');
    expect(unknown.status).toBe(404);
    expect(mock.log.map((e) => [e.route, e.status])).toEqual([
      ['GET /crm/v3/objects/:type', 400],
      ['unmatched', 404],
    ]);
  });

  it('rejects an invalid contact email with INVALID_EMAIL', async () => {
    const { api } = setup();
    const r = await api('POST', '/crm/v3/objects/contacts', { properties: { email: 'not-an-email' } });
    expect(r.status).toBe(400);
    expect(r.body['message']).toContain('INVALID_EMAIL');
  });
});

describe('lists and archive', () => {
  it('pages with an opaque after cursor and no paging on the last page', async () => {
    const { api, mock } = setup();
    for (let i = 0; i < 25; i++) mock.create('contacts', { email: `p${i}@example.com` });
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const r = await api('GET', `/crm/v3/objects/contacts?limit=10&properties=email${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      expect(r.status).toBe(200);
      pages++;
      for (const rec of r.body['results']) seen.push(rec['id']);
      after = r.body['paging']?.['next']?.['after'];
      if (after) {
        expect(after).not.toMatch(/^\d+$/);
        expect(r.body['paging']['next']['link']).toContain('after=');
      }
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(mock.objects('contacts').map((o) => o.id));
    const dflt = await api('GET', '/crm/v3/objects/contacts');
    expect(dflt.body['results']).toHaveLength(10);
    expect((await api('GET', '/crm/v3/objects/contacts?limit=101')).status).toBe(400);
    expect((await api('GET', '/crm/v3/objects/contacts?after=garbage')).status).toBe(400);
  });

  it('archives with DELETE (204) and batch/archive; archived=true lists only archived records', async () => {
    const { api, mock } = setup();
    const ids = [0, 1, 2, 3].map((i) => mock.create('contacts', { email: `a${i}@example.com` }).id);
    expect((await api('DELETE', `/crm/v3/objects/contacts/${ids[0]}`)).status).toBe(204);
    const batch = await api('POST', '/crm/v3/objects/contacts/batch/archive', {
      inputs: [{ id: ids[1] }, { id: ids[0] }, { id: '404404' }],
    });
    expect(batch.status).toBe(204);
    const live = await api('GET', '/crm/v3/objects/contacts');
    expect(live.body['results'].map((r: Body) => r['id'])).toEqual(ids.slice(2));
    const archived = await api('GET', '/crm/v3/objects/contacts?archived=true');
    expect(archived.body['results'].map((r: Body) => r['id'])).toEqual(ids.slice(0, 2));
    for (const r of archived.body['results']) expect(r).toMatchObject({ archived: true, archivedAt: expect.any(String) });
    expect((await api('GET', `/crm/v3/objects/contacts/${ids[0]}`)).status).toBe(404);
    expect((await api('GET', `/crm/v3/objects/contacts/${ids[0]}?archived=true`)).status).toBe(200);
    expect(mock.objects('contacts', { archived: true })).toHaveLength(2);
    // An archived contact's email is free again.
    expect((await api('POST', '/crm/v3/objects/contacts', contact('a0@example.com'))).status).toBe(201);
  });
});

describe('properties and uniqueness', () => {
  it('serves the catalogue, creates custom properties, 409s duplicates, 404s unknown names', async () => {
    const { api } = setup();
    const list = await api('GET', '/crm/v3/properties/contacts');
    const names = list.body['results'].map((p: Body) => p['name']);
    expect(names).toEqual(
      expect.arrayContaining(['email', 'firstname', 'lastname', 'phone', 'company', 'lifecyclestage', 'lastmodifieddate']),
    );
    const calls = await api('GET', '/crm/v3/properties/calls');
    expect(calls.body['results'].map((p: Body) => p['name'])).toEqual(
      expect.arrayContaining(['hs_call_duration', 'hs_call_disposition', 'hs_timestamp']),
    );
    expect((await api('GET', '/crm/v3/properties/contacts/email')).body).toMatchObject({ name: 'email', type: 'string' });
    expect((await api('GET', '/crm/v3/properties/contacts/nope')).status).toBe(404);
    const def = {
      name: 'crm_id',
      label: 'CRM id',
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
      hasUniqueValue: true,
    };
    const created = await api('POST', '/crm/v3/properties/contacts', def);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'crm_id', hasUniqueValue: true });
    expect((await api('POST', '/crm/v3/properties/contacts', def)).status).toBe(409);
    const onNotes = await api('POST', '/crm/v3/properties/notes', { ...def, groupName: 'noteinformation' });
    expect(onNotes.status).toBe(400);
    expect(onNotes.body['category']).toBe('VALIDATION_ERROR');
    expect((await api('POST', '/crm/v3/properties/notes', { ...def, hasUniqueValue: false })).status).toBe(201);
    expect((await api('POST', '/crm/v3/properties/contacts', { name: 'x' })).status).toBe(400);
  });

  it('409s a duplicate contact email (case-insensitive) naming the existing id', async () => {
    const { api } = setup();
    const first = await api('POST', '/crm/v3/objects/contacts', contact('ada@example.com'));
    const dup = await api('POST', '/crm/v3/objects/contacts', contact('ADA@Example.com'));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({
      status: 'error',
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${first.body['id']}`,
    });
    const other = await api('POST', '/crm/v3/objects/contacts', contact('bob@example.com'));
    expect((await api('PATCH', `/crm/v3/objects/contacts/${other.body['id']}`, { properties: { email: 'ada@EXAMPLE.com' } })).status).toBe(
      409,
    );
  });

  it('enforces custom hasUniqueValue properties with 409 CONFLICT', async () => {
    const { api } = setup();
    await api('POST', '/crm/v3/properties/companies', {
      name: 'ext_id',
      label: 'Ext',
      type: 'string',
      fieldType: 'text',
      groupName: 'companyinformation',
      hasUniqueValue: true,
    });
    const a = await api('POST', '/crm/v3/objects/companies', { properties: { name: 'A', ext_id: 'E-1' } });
    expect(a.status).toBe(201);
    const b = await api('POST', '/crm/v3/objects/companies', { properties: { name: 'B', ext_id: 'E-1' } });
    expect(b.status).toBe(409);
    expect(b.body['category']).toBe('CONFLICT');
    expect(b.body['message']).toContain(`Existing ID: ${a.body['id']}`);
  });
});

describe('batch', () => {
  it('rejects more than maxBatch inputs with 400 VALIDATION_ERROR', async () => {
    const { api } = setup();
    const inputs = Array.from({ length: 101 }, (_, i) => contact(`b${i}@example.com`));
    const r = await api('POST', '/crm/v3/objects/contacts/batch/create', { inputs });
    expect(r.status).toBe(400);
    expect(r.body['category']).toBe('VALIDATION_ERROR');
    const small = setup({ maxBatch: 2 });
    expect(
      (await small.api('POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: '1' }, { id: '2' }, { id: '3' }] })).status,
    ).toBe(400);
  });

  it('batch/create without trace ids: one bad input fails the whole batch, naming the first duplicate', async () => {
    const { api, mock } = setup();
    const existing = mock.create('contacts', { email: 'dup1@example.com' });
    mock.create('contacts', { email: 'dup2@example.com' });
    const r = await api('POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: [contact('new@example.com'), contact('dup1@example.com'), contact('dup2@example.com')],
    });
    expect(r.status).toBe(409);
    expect(r.body['message']).toBe(`Contact already exists. Existing ID: ${existing.id}`);
    expect(mock.objects('contacts')).toHaveLength(2);
    const bad = await api('POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: [contact('ok@example.com'), { properties: { nope: '1' } }],
    });
    expect(bad.status).toBe(400);
    expect(mock.objects('contacts')).toHaveLength(2);
  });

  it('batch/create with unique trace ids: 207 with errors naming the trace id, good inputs created, shuffled results', async () => {
    const { api, mock } = setup();
    const existing = mock.create('contacts', { email: 'taken@example.com' });
    const inputs = [
      { ...contact('c1@example.com'), objectWriteTraceId: 't1' },
      { ...contact('taken@example.com'), objectWriteTraceId: 't2' },
      { ...contact('c3@example.com'), objectWriteTraceId: 't3' },
      { properties: { nope: 'x' }, objectWriteTraceId: 't4' },
      { ...contact('c5@example.com'), objectWriteTraceId: 't5' },
      { ...contact('c6@example.com'), objectWriteTraceId: 't6' },
    ];
    const r = await api('POST', '/crm/v3/objects/contacts/batch/create', { inputs });
    expect(r.status).toBe(207);
    expect(r.body['status']).toBe('COMPLETE');
    expect(r.body['numErrors']).toBe(2);
    expect(mock.log[0]).toMatchObject({ route: 'POST /crm/v3/objects/:type/batch/create', objectType: 'contacts', inputs: 6 });
    const errs = r.body['errors'] as Body[];
    expect(errs.find((e) => e['context']['objectWriteTraceId'][0] === 't2')).toMatchObject({
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${existing.id}`,
    });
    expect(errs.find((e) => e['context']['objectWriteTraceId'][0] === 't4')?.['message']).toContain('PROPERTY_DOESNT_EXIST');
    const traces = (r.body['results'] as Body[]).map((x) => x['objectWriteTraceId']);
    expect([...traces].sort()).toEqual(['t1', 't3', 't5', 't6']);
    expect(traces).not.toEqual(['t1', 't3', 't5', 't6']);
    for (const res of r.body['results'] as Body[])
      expect(res['properties']['email']).toBe(`c${String(res['objectWriteTraceId']).slice(1)}@example.com`);
    expect(mock.objects('contacts')).toHaveLength(5);
    const all = await api('POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: [
        { ...contact('z1@example.com'), objectWriteTraceId: 'a' },
        { ...contact('z2@example.com'), objectWriteTraceId: 'b' },
      ],
    });
    expect(all.status).toBe(201);
  });

  it('batch/read: 207 with OBJECT_NOT_FOUND and context.ids for missing ids; idProperty', async () => {
    const { api, mock } = setup();
    const a = mock.create('contacts', { email: 'r1@example.com', firstname: 'R' });
    const b = mock.create('contacts', { email: 'r2@example.com' });
    const r = await api('POST', '/crm/v3/objects/contacts/batch/read', {
      inputs: [{ id: a.id }, { id: '77' }, { id: b.id }],
      properties: ['firstname'],
    });
    expect(r.status).toBe(207);
    expect(r.body['errors'][0]).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND', context: { ids: ['77'] } });
    expect((r.body['results'] as Body[]).map((x) => x['id']).sort()).toEqual([a.id, b.id].sort());
    const ok = await api('POST', '/crm/v3/objects/contacts/batch/read', {
      inputs: [{ id: 'R1@example.com' }],
      idProperty: 'email',
      properties: [],
    });
    expect(ok.status).toBe(200);
    expect(ok.body['results'][0]['id']).toBe(a.id);
    const hist = await api('POST', '/crm/v3/objects/contacts/batch/read', {
      inputs: [{ id: a.id }],
      properties: [],
      propertiesWithHistory: ['firstname'],
    });
    expect(hist.body['results'][0]['propertiesWithHistory']['firstname'][0]).toMatchObject({ value: 'R', sourceType: 'CRM_UI' });
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ id: String(i) }));
    const h = await api('POST', '/crm/v3/objects/contacts/batch/read', { inputs: tooMany, propertiesWithHistory: ['firstname'] });
    expect(h.status).toBe(400);
    expect(h.body['message']).toContain('property histories is 50');
  });

  it('batch/update: per-record errors in a 207, trace ids echoed', async () => {
    const { api, mock } = setup();
    const a = mock.create('contacts', { email: 'u1@example.com' });
    const b = mock.create('contacts', { email: 'u2@example.com' });
    const r = await api('POST', '/crm/v3/objects/contacts/batch/update', {
      inputs: [
        { id: a.id, properties: { firstname: 'One' }, objectWriteTraceId: 'x1' },
        { id: '5', properties: { firstname: 'Ghost' }, objectWriteTraceId: 'x2' },
        { id: b.id, properties: { nope: '1' }, objectWriteTraceId: 'x3' },
      ],
    });
    expect(r.status).toBe(207);
    expect(r.body['results']).toHaveLength(1);
    expect(r.body['results'][0]).toMatchObject({ id: a.id, objectWriteTraceId: 'x1' });
    const cats = (r.body['errors'] as Body[]).map((e) => [e['context']['objectWriteTraceId'][0], e['category']]).sort();
    expect(cats).toEqual([
      ['x2', 'OBJECT_NOT_FOUND'],
      ['x3', 'VALIDATION_ERROR'],
    ]);
    expect(mock.get('contacts', a.id)?.properties['firstname']).toBe('One');
    const ok = await api('POST', '/crm/v3/objects/contacts/batch/update', {
      inputs: [{ id: 'u2@example.com', idProperty: 'email', properties: { firstname: 'Two' } }],
    });
    expect(ok.status).toBe(200);
    expect(mock.get('contacts', b.id)?.properties['firstname']).toBe('Two');
  });

  it('batch/upsert: idProperty must be unique; creates or updates with new: true|false', async () => {
    const { api, mock } = setup();
    const a = mock.create('contacts', { email: 'up1@example.com', firstname: 'Old' });
    const r = await api('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [
        { id: 'UP1@example.com', idProperty: 'email', properties: { firstname: 'New' }, objectWriteTraceId: 'k1' },
        { id: 'up2@example.com', idProperty: 'email', properties: { firstname: 'Fresh' }, objectWriteTraceId: 'k2' },
      ],
    });
    expect(r.status).toBe(200);
    const byTrace = Object.fromEntries((r.body['results'] as Body[]).map((x) => [x['objectWriteTraceId'], x]));
    expect(byTrace['k1']).toMatchObject({ id: a.id, new: false });
    expect(byTrace['k2']).toMatchObject({ new: true, properties: { email: 'up2@example.com', firstname: 'Fresh' } });
    expect(mock.get('contacts', a.id)?.properties['firstname']).toBe('New');
    const nonUnique = await api('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [{ id: 'Ada', idProperty: 'firstname', properties: {} }],
    });
    expect(nonUnique.status).toBe(400);
    expect(nonUnique.body['message']).toBe('Unable to perform update/upsert by non-unique 0-1 property firstname');
    const byObjectId = await api('POST', '/crm/v3/objects/companies/batch/upsert', {
      inputs: [{ id: '1', idProperty: 'hs_object_id', properties: {} }],
    });
    expect(byObjectId.body['message']).toBe('Unable to perform update/upsert by non-unique 0-2 property hs_object_id');
    await api('POST', '/crm/v3/properties/tickets', {
      name: 'ext_ref',
      label: 'Ext',
      type: 'string',
      fieldType: 'text',
      groupName: 'ticketinformation',
      hasUniqueValue: true,
    });
    const t = await api('POST', '/crm/v3/objects/tickets/batch/upsert', {
      inputs: [
        { id: 'T-1', idProperty: 'ext_ref', properties: { subject: 'one', hs_pipeline_stage: '1' } },
        { id: 'T-2', idProperty: 'ext_ref', properties: { subject: 'no stage' } },
      ],
    });
    expect(t.status).toBe(207);
    expect(t.body['results'][0]).toMatchObject({ new: true, properties: { ext_ref: 'T-1' } });
    expect(t.body['errors'][0]['message']).toContain('hs_pipeline_stage');
    const again = await api('POST', '/crm/v3/objects/tickets/batch/upsert', {
      inputs: [{ id: 'T-1', idProperty: 'ext_ref', properties: { subject: 'one!' } }],
    });
    expect(again.body['results'][0]).toMatchObject({ new: false, id: t.body['results'][0]['id'] });
  });
});

describe('associations', () => {
  it('creates inline associations with HubSpot-defined type ids and validates type and target', async () => {
    const { api, mock } = setup();
    const c = mock.create('contacts', { email: 'as@example.com' });
    const t = mock.create('tickets', { subject: 'T', hs_pipeline_stage: '1' });
    const note = await api('POST', '/crm/v3/objects/notes', {
      properties: { hs_timestamp: '2024-10-30T03:30:17.883Z', hs_note_body: 'Called back' },
      associations: [
        { to: { id: c.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] },
        { to: { id: t.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 228 }] },
      ],
    });
    expect(note.status).toBe(201);
    expect(mock.associations('notes', note.body['id'], 'contacts')).toEqual([c.id]);
    expect(mock.associations('contacts', c.id, 'notes')).toEqual([note.body['id']]);
    expect(mock.associations('tickets', t.id, 'notes')).toEqual([note.body['id']]);
    const wrongType = await api('POST', '/crm/v3/objects/notes', {
      properties: { hs_timestamp: '1700000000000' },
      associations: [{ to: { id: c.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 194 }] }],
    });
    expect(wrongType.status).toBe(400);
    const noTarget = await api('POST', '/crm/v3/objects/notes', {
      properties: { hs_timestamp: '1700000000000' },
      associations: [{ to: { id: '424242' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] }],
    });
    expect(noTarget.status).toBe(400);
    mock.archive('contacts', c.id);
    const archived = await api('POST', '/crm/v3/objects/calls', {
      properties: { hs_timestamp: '1700000000000' },
      associations: [{ to: { id: c.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 194 }] }],
    });
    expect(archived.status).toBe(400);
    expect(mock.objects('notes')).toHaveLength(1);
    expect(mock.objects('calls')).toHaveLength(0);
  });

  it('returns associations on v3 read and list with associations=contacts', async () => {
    const { api, mock } = setup();
    const c = mock.create('contacts', { email: 'v3@example.com' });
    const t = mock.create(
      'tickets',
      { subject: 'T', hs_pipeline_stage: '1' },
      { associations: [{ toType: 'contacts', toId: c.id, typeId: 16 }] },
    );
    const read = await api('GET', `/crm/v3/objects/tickets/${t.id}?associations=contacts`);
    expect(read.body['associations']['contacts']['results']).toEqual([{ id: c.id, type: 'ticket_to_contact' }]);
    const list = await api('GET', '/crm/v3/objects/contacts?associations=tickets');
    expect(list.body['results'][0]['associations']['tickets']['results']).toEqual([{ id: t.id, type: 'contact_to_ticket' }]);
    const none = await api('GET', `/crm/v3/objects/tickets/${t.id}`);
    expect(none.body['associations']).toBeUndefined();
  });

  it('v4: PUT default, labelled PUT, list with paging, DELETE', async () => {
    const { api, mock } = setup();
    const company = mock.create('companies', { name: 'Acme' });
    const contacts = [1, 2, 3].map((i) => mock.create('contacts', { email: `v4-${i}@example.com` }));
    const put = await api('PUT', `/crm/v4/objects/contacts/${contacts[0]!.id}/associations/default/companies/${company.id}`);
    expect(put.status).toBe(200);
    expect(put.body['results'][0]).toMatchObject({
      from: { id: contacts[0]!.id },
      to: { id: company.id },
      associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 },
    });
    const labelled = await api('PUT', `/crm/v4/objects/contact/${contacts[1]!.id}/associations/company/${company.id}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 },
    ]);
    expect(labelled.status).toBe(201);
    expect(labelled.body).toMatchObject({ fromObjectTypeId: '0-1', toObjectTypeId: '0-2', labels: ['Primary'] });
    await api('PUT', `/crm/v4/objects/0-1/${contacts[2]!.id}/associations/default/0-2/${company.id}`);
    const page1 = await api('GET', `/crm/v4/objects/companies/${company.id}/associations/contacts?limit=2`);
    expect(page1.body['results']).toHaveLength(2);
    expect(page1.body['results'][0]).toMatchObject({
      toObjectId: Number(contacts[0]!.id),
      associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 280, label: null }],
    });
    const after = page1.body['paging']['next']['after'];
    const page2 = await api(
      'GET',
      `/crm/v4/objects/companies/${company.id}/associations/contacts?limit=2&after=${encodeURIComponent(after)}`,
    );
    expect(page2.body['results']).toHaveLength(1);
    expect(page2.body['paging']).toBeUndefined();
    expect((await api('GET', `/crm/v4/objects/companies/${company.id}/associations/contacts?limit=501`)).status).toBe(400);
    const primary = await api('GET', `/crm/v4/objects/contacts/${contacts[1]!.id}/associations/companies`);
    expect(primary.body['results'][0]['associationTypes'].map((t: Body) => t['typeId'])).toEqual([1, 279]);
    expect((await api('DELETE', `/crm/v4/objects/contacts/${contacts[1]!.id}/associations/companies/${company.id}`)).status).toBe(204);
    expect(mock.associations('companies', company.id, 'contacts')).toEqual([contacts[0]!.id, contacts[2]!.id]);
    const missing = await api('PUT', `/crm/v4/objects/contacts/999/associations/default/companies/${company.id}`);
    expect(missing.status).toBe(400);
    const noPair = await api('PUT', `/crm/v4/objects/notes/1/associations/default/calls/2`);
    expect(noPair.status).toBe(400);
  });

  it('v4 batch: associate/default, create, read (≤1000), archive', async () => {
    const { api, mock } = setup();
    const ticket = mock.create('tickets', { subject: 'T', hs_pipeline_stage: '2' });
    const [c1, c2] = [mock.create('contacts', { email: 'b1@example.com' }), mock.create('contacts', { email: 'b2@example.com' })];
    const def = await api('POST', '/crm/v4/associations/tickets/contacts/batch/associate/default', {
      inputs: [{ from: { id: ticket.id }, to: { id: c1.id } }],
    });
    expect(def.status).toBe(200);
    expect(def.body['results'][0]['associationSpec']['associationTypeId']).toBe(16);
    const created = await api('POST', '/crm/v4/associations/tickets/contacts/batch/create', {
      inputs: [
        { from: { id: ticket.id }, to: { id: c2.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 16 }] },
        { from: { id: ticket.id }, to: { id: c2.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] },
      ],
    });
    expect(created.status).toBe(207);
    expect(created.body['results']).toHaveLength(1);
    expect(created.body['numErrors']).toBe(1);
    const read = await api('POST', '/crm/v4/associations/tickets/contacts/batch/read', { inputs: [{ id: ticket.id }] });
    expect(read.status).toBe(200);
    expect(read.body['results'][0]['from']).toEqual({ id: ticket.id });
    expect(read.body['results'][0]['to'].map((t: Body) => String(t['toObjectId']))).toEqual([c1.id, c2.id]);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ id: String(i) }));
    expect((await api('POST', '/crm/v4/associations/tickets/contacts/batch/read', { inputs: tooMany })).status).toBe(400);
    const arch = await api('POST', '/crm/v4/associations/tickets/contacts/batch/archive', {
      inputs: [{ from: { id: ticket.id }, to: [{ id: c1.id }] }],
    });
    expect(arch.status).toBe(204);
    expect(mock.associations('tickets', ticket.id, 'contacts')).toEqual([c2.id]);
    expect(mock.associations('contacts', c1.id, 'tickets')).toEqual([]);
  });
});

describe('associations: labels', () => {
  it('lists label definitions and removes one label (the unlabeled type removes all)', async () => {
    const { api, mock } = setup();
    const labels = await api('GET', '/crm/v4/associations/contacts/companies/labels');
    expect(labels.body['results']).toEqual(
      expect.arrayContaining([
        { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
        { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' },
      ]),
    );
    const c = mock.create('contacts', { email: 'l@example.com' });
    const co = mock.create('companies', { name: 'L' }, { associations: [{ toType: 'contacts', toId: c.id, typeId: 2 }] });
    const spec = (typeId: number) => ({
      inputs: [{ from: { id: c.id }, to: { id: co.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }] }],
    });
    expect((await api('POST', '/crm/v4/associations/contacts/companies/batch/labels/archive', spec(1))).status).toBe(204);
    const left = await api('GET', `/crm/v4/objects/contacts/${c.id}/associations/companies`);
    expect(left.body['results'][0]['associationTypes'].map((t: Body) => t['typeId'])).toEqual([279]);
    await api('POST', '/crm/v4/associations/contacts/companies/batch/labels/archive', spec(279));
    expect(mock.associations('contacts', c.id, 'companies')).toEqual([]);
  });
});

describe('search', () => {
  function seedPeople(mock: ReturnType<typeof setup>['mock']) {
    const people: Array<Record<string, string>> = [
      { email: 'ada@math.org', firstname: 'Ada', lastname: 'Lovelace', phone: '100' },
      { email: 'alan@math.org', firstname: 'Alan', lastname: 'Turing' },
      { email: 'grace@navy.mil', firstname: 'Grace', lastname: 'Hopper', phone: '300' },
      { email: 'edsger@cs.nl', firstname: 'Edsger', lastname: 'Dijkstra', lifecyclestage: 'customer' },
    ];
    return people.map((p) => mock.create('contacts', p));
  }
  const ids = (r: Reply): string[] => (r.body['results'] as Body[]).map((x) => x['id']);

  it('filters with every operator, ORs groups and ANDs filters', async () => {
    const { api, mock } = setup();
    const [ada, alan, grace, edsger] = seedPeople(mock).map((o) => o.id) as [string, string, string, string];
    const q = (filterGroups: unknown[]) => api('POST', '/crm/v3/objects/contacts/search', { filterGroups, limit: 100 });
    const one = (propertyName: string, operator: string, extra: Body = {}) => q([{ filters: [{ propertyName, operator, ...extra }] }]);
    expect(ids(await one('email', 'EQ', { value: 'ADA@math.org' }))).toEqual([ada]);
    expect(ids(await one('firstname', 'NEQ', { value: 'ada' }))).toEqual([alan, grace, edsger]);
    expect(ids(await one('phone', 'GT', { value: '100' }))).toEqual([grace]);
    expect(ids(await one('phone', 'LTE', { value: '300' }))).toEqual([ada, grace]);
    // phone is a string property: compared as text. A number property compares numerically.
    expect(ids(await one('phone', 'BETWEEN', { value: '050', highValue: '150' }))).toEqual([ada]);
    await api('POST', '/crm/v3/properties/contacts', {
      name: 'score',
      label: 'Score',
      type: 'number',
      fieldType: 'number',
      groupName: 'contactinformation',
    });
    mock.update('contacts', alan, { score: '10' });
    mock.update('contacts', grace, { score: '9' });
    expect(ids(await one('score', 'GT', { value: '9' }))).toEqual([alan]);
    expect(ids(await one('score', 'BETWEEN', { value: '8.5', highValue: '9.5' }))).toEqual([grace]);
    expect(ids(await one('lastname', 'IN', { values: ['turing', 'hopper'] }))).toEqual([alan, grace]);
    expect(ids(await one('lastname', 'NOT_IN', { values: ['turing', 'hopper'] }))).toEqual([ada, edsger]);
    expect(ids(await one('phone', 'HAS_PROPERTY'))).toEqual([ada, grace]);
    expect(ids(await one('phone', 'NOT_HAS_PROPERTY'))).toEqual([alan, edsger]);
    expect(ids(await one('email', 'CONTAINS_TOKEN', { value: '*@math.org' }))).toEqual([ada, alan]);
    expect(ids(await one('lastname', 'CONTAINS_TOKEN', { value: 'hop*' }))).toEqual([grace]);
    expect(ids(await one('email', 'NOT_CONTAINS_TOKEN', { value: '*@math.org' }))).toEqual([grace, edsger]);
    expect(ids(await one('lifecyclestage', 'EQ', { value: 'CUSTOMER' }))).toEqual([]);
    expect(ids(await one('lifecyclestage', 'EQ', { value: 'customer' }))).toEqual([edsger]);
    const and = await q([
      {
        filters: [
          { propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*math.org' },
          { propertyName: 'phone', operator: 'HAS_PROPERTY' },
        ],
      },
    ]);
    expect(ids(and)).toEqual([ada]);
    const or = await q([
      { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Grace' }] },
      { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Alan' }] },
    ]);
    expect(ids(or)).toEqual([alan, grace]);
    expect((await one('nope', 'EQ', { value: 'x' })).status).toBe(400);
  });

  it('compares dates numerically from epoch ms or ISO and sorts on one property', async () => {
    const { api, mock, advance, clock } = setup();
    const first = mock.create('contacts', { email: 'd1@example.com' });
    advance(60_000);
    const cut = clock.t;
    const second = mock.create('contacts', { email: 'd2@example.com' });
    advance(60_000);
    mock.update('contacts', first.id, { firstname: 'touched' });
    const s = (filters: unknown[], sorts: unknown[] = []) =>
      api('POST', '/crm/v3/objects/contacts/search', { filterGroups: [{ filters }], sorts });
    expect(ids(await s([{ propertyName: 'createdate', operator: 'GTE', value: String(cut) }]))).toEqual([second.id]);
    expect(ids(await s([{ propertyName: 'createdate', operator: 'LT', value: new Date(cut).toISOString() }]))).toEqual([first.id]);
    const asc = await s(
      [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '0' }],
      [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
    );
    expect(ids(asc)).toEqual([second.id, first.id]);
    const desc = await s([], [{ propertyName: 'createdate', direction: 'DESCENDING' }]);
    expect(ids(desc)).toEqual([second.id, first.id]);
    expect((await s([], [{ propertyName: 'createdate' }, { propertyName: 'email' }])).status).toBe(400);
  });

  it('matches free-text query and logs searches with the object type', async () => {
    const { api, mock } = setup();
    const [ada] = seedPeople(mock).map((o) => o.id);
    const r = await api('POST', '/crm/v3/objects/contacts/search', { query: 'lovelace' });
    expect(ids(r)).toEqual([ada]);
    expect(mock.log[0]).toMatchObject({ method: 'POST', path: '/crm/v3/objects/contacts/search', objectType: 'contacts', status: 200 });
    expect(mock.stats().searches).toBe(1);
  });

  it('filters by associations.contact', async () => {
    const { api, mock } = setup();
    const c = mock.create('contacts', { email: 'assoc@example.com' });
    const t1 = mock.create(
      'tickets',
      { subject: 'a', hs_pipeline_stage: '1' },
      { associations: [{ toType: 'contacts', toId: c.id, typeId: 16 }] },
    );
    mock.create('tickets', { subject: 'b', hs_pipeline_stage: '1' });
    const r = await api('POST', '/crm/v3/objects/tickets/search', {
      filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: c.id }] }],
    });
    expect(ids(r)).toEqual([t1.id]);
    expect(Object.keys(r.body['results'][0]['properties']).sort()).toEqual(
      [
        'content',
        'createdate',
        'hs_lastmodifieddate',
        'hs_object_id',
        'hs_pipeline',
        'hs_pipeline_stage',
        'hs_ticket_category',
        'hs_ticket_priority',
        'subject',
      ].sort(),
    );
  });

  it('pages with total and after, caps limit at 200 and after+limit at searchCap, never returns archived', async () => {
    const { api, mock } = setup({ searchCap: 30 });
    const made = Array.from({ length: 25 }, (_, i) => mock.create('contacts', { email: `s${i}@example.com` }));
    mock.archive('contacts', made[0]!.id);
    const p1 = await api('POST', '/crm/v3/objects/contacts/search', { limit: 10, properties: ['email'] });
    expect(p1.body['total']).toBe(24);
    expect(p1.body['results']).toHaveLength(10);
    expect(ids(p1)).not.toContain(made[0]!.id);
    expect(p1.body['paging']['next']['after']).toBe('10');
    expect(Object.keys(p1.body['results'][0]['properties']).sort()).toEqual(['createdate', 'email', 'hs_object_id', 'lastmodifieddate']);
    const p3 = await api('POST', '/crm/v3/objects/contacts/search', { limit: 10, after: '20' });
    expect(p3.body['results']).toHaveLength(4);
    expect(p3.body['paging']).toBeUndefined();
    expect((await api('POST', '/crm/v3/objects/contacts/search', { limit: 10, after: '21' })).status).toBe(400);
    expect((await api('POST', '/crm/v3/objects/contacts/search', { limit: 201 })).status).toBe(400);
    const dflt = await api('POST', '/crm/v3/objects/contacts/search', {});
    expect(dflt.body['results']).toHaveLength(10);
  });

  it('rejects more than 5 groups, 6 filters per group or 18 filters in total', async () => {
    const { api } = setup();
    const f = { propertyName: 'email', operator: 'HAS_PROPERTY' };
    const search = (filterGroups: unknown[]) => api('POST', '/crm/v3/objects/contacts/search', { filterGroups });
    expect((await search(Array.from({ length: 6 }, () => ({ filters: [f] })))).status).toBe(400);
    expect((await search([{ filters: Array.from({ length: 7 }, () => f) }])).status).toBe(400);
    expect((await search(Array.from({ length: 4 }, () => ({ filters: Array.from({ length: 5 }, () => f) })))).status).toBe(400);
    expect((await search(Array.from({ length: 3 }, () => ({ filters: Array.from({ length: 6 }, () => f) })))).status).toBe(200);
  });

  it('lags behind writes per record version; reads are consistent', async () => {
    const { api, mock, advance } = setup({ searchLagMs: { min: 500, max: 2000 } });
    const created = await api('POST', '/crm/v3/objects/contacts', contact('lag@example.com', { firstname: 'Before' }));
    const id = created.body['id'] as string;
    const byName = (name: string) =>
      api('POST', '/crm/v3/objects/contacts/search', {
        filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'EQ', value: name }] }],
      });
    expect((await byName('Before')).body['total']).toBe(0);
    expect((await api('GET', `/crm/v3/objects/contacts/${id}`)).status).toBe(200);
    advance(2001);
    expect(ids(await byName('Before'))).toEqual([id]);
    await api('PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { firstname: 'After' } });
    expect(ids(await byName('Before'))).toEqual([id]);
    expect((await byName('After')).body['total']).toBe(0);
    expect(
      (await api('POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id }], properties: ['firstname'] })).body['results'][0][
        'properties'
      ]['firstname'],
    ).toBe('After');
    advance(2001);
    expect((await byName('Before')).body['total']).toBe(0);
    const after = await byName('After');
    expect(after.body['results'][0]['properties']['firstname']).toBe('After');
    mock.update('contacts', id, { firstname: 'UI' });
    advance(499);
    expect((await byName('UI')).body['total']).toBe(0);
    const fixed = setup({ searchLagMs: 100 });
    fixed.mock.create('contacts', { email: 'f@example.com' });
    fixed.advance(99);
    expect((await fixed.api('POST', '/crm/v3/objects/contacts/search', {})).body['total']).toBe(0);
    fixed.advance(1);
    expect((await fixed.api('POST', '/crm/v3/objects/contacts/search', {})).body['total']).toBe(1);
  });
});

describe('rate limits', () => {
  it('sends burst and daily headers, 429s TEN_SECONDLY_ROLLING without executing, frees the window', async () => {
    const { api, mock, advance } = setup({ rateLimit: { max: 3, intervalMs: 10_000 } });
    const first = await api('GET', '/crm/v3/objects/contacts');
    expect(first.headers.get('x-hubspot-ratelimit-max')).toBe('3');
    expect(first.headers.get('x-hubspot-ratelimit-remaining')).toBe('2');
    expect(first.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(first.headers.get('x-hubspot-ratelimit-daily')).toBe('250000');
    expect(first.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('249999');
    advance(4000);
    await api('GET', '/crm/v3/objects/contacts');
    await api('GET', '/crm/v3/objects/contacts');
    const limited = await api('POST', '/crm/v3/objects/contacts', contact('rl@example.com'));
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
    expect(typeof limited.body['correlationId']).toBe('string');
    expect(typeof limited.body['requestId']).toBe('string');
    expect(typeof limited.body['message']).toBe('string');
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(mock.objects('contacts')).toHaveLength(0);
    advance(6001);
    expect((await api('POST', '/crm/v3/objects/contacts', contact('rl@example.com'))).status).toBe(201);
    expect(mock.stats().rateLimited).toBe(1);
    expect(mock.log.find((e) => e.status === 429)?.policy).toBe('TEN_SECONDLY_ROLLING');
  });

  it('sends Retry-After in seconds only when asked', async () => {
    const { api } = setup({ rateLimit: { max: 1, intervalMs: 10_000, retryAfter: true } });
    await api('GET', '/crm/v3/objects/contacts');
    expect((await api('GET', '/crm/v3/objects/contacts')).headers.get('retry-after')).toBe('10');
  });

  it('enforces the daily limit with policy DAILY', async () => {
    const { api, advance } = setup({ rateLimit: { max: 100, daily: 2 } });
    await api('GET', '/crm/v3/objects/contacts');
    await api('GET', '/crm/v3/objects/contacts');
    advance(20_000);
    const r = await api('GET', '/crm/v3/objects/contacts');
    expect(r.status).toBe(429);
    expect(r.body['policyName']).toBe('DAILY');
    advance(86_400_000);
    expect((await api('GET', '/crm/v3/objects/contacts')).status).toBe(200);
  });

  it('limits search per rolling second with SECONDLY and no rate headers; search is outside the burst window', async () => {
    const { api, mock, advance } = setup({ rateLimit: { max: 2, searchPerSecond: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await api('POST', '/crm/v3/objects/contacts/search', {});
      statuses.push(r.status);
      expect(r.headers.get('x-hubspot-ratelimit-max')).toBeNull();
      if (r.status === 429) expect(r.body).toMatchObject({ policyName: 'SECONDLY', errorType: 'RATE_LIMIT' });
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    advance(1001);
    expect((await api('POST', '/crm/v3/objects/contacts/search', {})).status).toBe(200);
    expect((await api('GET', '/crm/v3/objects/contacts')).headers.get('x-hubspot-ratelimit-remaining')).toBe('1');
    expect(mock.stats().searches).toBe(7);
  });
});

describe('oauth', () => {
  const oauth = { clientId: 'cid', clientSecret: 'secret', refreshTokens: ['rt-1'] };
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const refresh = (
    version = 'v1',
    body = form({ grant_type: 'refresh_token', client_id: 'cid', client_secret: 'secret', refresh_token: 'rt-1' }),
    query = '',
  ) =>
    fetch(`${BASE}/oauth/${version}/token${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

  it('refreshes on v1 and v3 with a form body; rejects bad refresh tokens, JSON bodies, v3 query params', async () => {
    const { mock } = setup({ oauth });
    for (const version of ['v1', 'v3']) {
      const r = await refresh(version);
      expect(r.status).toBe(200);
      const body = (await r.json()) as Body;
      expect(body).toMatchObject({
        token_type: 'bearer',
        refresh_token: 'rt-1',
        expires_in: 1800,
        hub_id: expect.any(Number),
        scopes: expect.any(Array),
      });
      expect(String(body['access_token']).length).toBeGreaterThanOrEqual(100);
    }
    const bad = await refresh(
      'v1',
      form({ grant_type: 'refresh_token', client_id: 'cid', client_secret: 'secret', refresh_token: 'nope' }),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Body)['status']).toBe('BAD_REFRESH_TOKEN');
    const wrongSecret = await refresh(
      'v1',
      form({ grant_type: 'refresh_token', client_id: 'cid', client_secret: 'x', refresh_token: 'rt-1' }),
    );
    expect(wrongSecret.status).toBe(400);
    const asJson = await fetch(`${BASE}/oauth/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token' }),
    });
    expect(asJson.status).toBe(400);
    expect((await refresh('v3', '', '?grant_type=refresh_token&client_id=cid&client_secret=secret&refresh_token=rt-1')).status).toBe(400);
    expect(mock.log.filter((e) => e.path.startsWith('/oauth/')).length).toBe(6);
  });

  it('accepts issued tokens without daily headers, then 401 EXPIRED_AUTHENTICATION with the seconds since expiry', async () => {
    const { api, advance, mock } = setup({ oauth: { ...oauth, expiresInSeconds: 60 }, rateLimit: {} });
    const token = ((await (await refresh()).json()) as Body)['access_token'] as string;
    const ok = await api('GET', '/crm/v3/objects/contacts', undefined, token);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-hubspot-ratelimit-max')).toBe('100');
    expect(ok.headers.get('x-hubspot-ratelimit-daily')).toBeNull();
    advance(75_000);
    const expired = await api('GET', '/crm/v3/objects/contacts', undefined, token);
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({
      category: 'EXPIRED_AUTHENTICATION',
      message: 'The OAuth token used to make this call expired 15 second(s) ago.',
    });
    expect(expired.body['context']['expire time']).toHaveLength(1);
    const fresh = ((await (await refresh()).json()) as Body)['access_token'] as string;
    expect(fresh).not.toBe(token);
    expect((await api('GET', '/crm/v3/objects/contacts', undefined, fresh)).status).toBe(200);
    mock.expireAccessTokens();
    expect((await api('GET', '/crm/v3/objects/contacts', undefined, fresh)).body['category']).toBe('EXPIRED_AUTHENTICATION');
  });
});

describe('faults', () => {
  it('injects 5xx, 423 and spurious 429 with HubSpot-style bodies, logged with the fault', async () => {
    const { api, mock } = setup({ faults: { serverError: 1 } });
    const r = await api('GET', '/crm/v3/objects/contacts');
    expect([500, 502, 503, 504]).toContain(r.status);
    expect(r.body).toMatchObject({
      status: 'error',
      message: expect.any(String),
      correlationId: expect.any(String),
      category: expect.any(String),
    });
    mock.setFaults({ locked: 1 });
    const locked = await api('GET', '/crm/v3/objects/contacts');
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ status: 'error', category: 'LOCKED' });
    mock.setFaults({ rateLimited: 1 });
    const rl = await api('GET', '/crm/v3/objects/contacts');
    expect(rl.status).toBe(429);
    expect(rl.body).toMatchObject({ policyName: 'TEN_SECONDLY_ROLLING', errorType: 'RATE_LIMIT' });
    mock.setFaults(null);
    expect((await api('GET', '/crm/v3/objects/contacts')).status).toBe(200);
    expect(mock.log.map((e) => e.fault ?? null)).toEqual(['serverError', 'locked', 'rateLimited', null]);
    const stats = mock.stats();
    expect(stats.requests).toBe(4);
    expect(stats.rateLimited).toBe(1);
    expect(stats.byRoute['GET /crm/v3/objects/:type']).toBe(4);
  });

  it('a fault after commit applies the write and still fails; before commit nothing is written', async () => {
    const { api, mock } = setup({ faults: { serverError: 1, afterCommit: 1 } });
    const r = await api('POST', '/crm/v3/objects/contacts', contact('commit@example.com'));
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(mock.objects('contacts').map((o) => o.properties['email'])).toEqual(['commit@example.com']);
    expect(mock.log[0]?.fault).toBe('serverError:afterCommit');
    mock.setFaults({ serverError: 1, afterCommit: 0 });
    await api('POST', '/crm/v3/objects/contacts', contact('nocommit@example.com'));
    expect(mock.objects('contacts')).toHaveLength(1);
  });

  it('times out as a network error after timeoutMs, optionally after commit', async () => {
    const { api, mock } = setup({ faults: { timeout: 1, timeoutMs: 5, afterCommit: 1 } });
    await expect(api('POST', '/crm/v3/objects/companies', { properties: { name: 'T' } })).rejects.toThrow();
    expect(mock.objects('companies')).toHaveLength(1);
    expect(mock.log[0]).toMatchObject({ status: 0, fault: 'timeout:afterCommit' });
    mock.setFaults({ timeout: 1, timeoutMs: 5 });
    await expect(api('GET', '/crm/v3/objects/companies')).rejects.toThrow();
    expect(mock.log.map((e) => e.fault)).toEqual(['timeout:afterCommit', 'timeout']);
  });

  it('applies faults only to matching requests and never to the token endpoint by default', async () => {
    const { api, mock } = setup({
      oauth: { clientId: 'c', clientSecret: 's', refreshTokens: ['r'] },
      faults: { serverError: 1, match: ({ method, path }) => method === 'POST' && path.endsWith('/batch/create') },
    });
    expect((await api('GET', '/crm/v3/objects/contacts')).status).toBe(200);
    expect((await api('POST', '/crm/v3/objects/contacts/batch/create', { inputs: [] })).status).toBeGreaterThanOrEqual(500);
    mock.setFaults({ serverError: 1 });
    const tok = await fetch(`${BASE}/oauth/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=r',
    });
    expect(tok.status).toBe(200);
  });

  it('is deterministic for a seed: same ids, same order, same faults', async () => {
    const run = async () => {
      const { api, mock } = setup({ seed: 7, faults: { serverError: 0.3, locked: 0.2 } });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++)
        statuses.push((await api('POST', '/crm/v3/objects/companies', { properties: { name: `c${i}` } })).status);
      const batch = await api('POST', '/crm/v3/objects/contacts/batch/create', {
        inputs: [0, 1, 2, 3].map((i) => contact(`d${i}@example.com`)),
      });
      server.resetHandlers();
      return {
        statuses,
        ids: mock.objects('companies').map((o) => o.id),
        order: (batch.body['results'] as Body[] | undefined)?.map((x) => x['properties']['email']),
      };
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(new Set(a.statuses).size).toBeGreaterThan(1);
  });
});

describe('direct api', () => {
  it('listen() starts its own msw server', async () => {
    server.close();
    const mock = createHubSpotMock({ rateLimit: false });
    const own = mock.listen();
    try {
      const r = await fetch(`${BASE}/crm/v3/objects/companies`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.status).toBe(200);
      expect(mock.stats().requests).toBe(1);
    } finally {
      own.close();
      server.listen({ onUnhandledRequest: 'error' });
    }
  });

  it('seeds, edits, archives and resets without HTTP', async () => {
    const { mock, advance } = setup();
    const c = mock.create('contacts', { email: 'seed@example.com' });
    advance(1000);
    const u = mock.update('contacts', c.id, { firstname: 'S' });
    expect(u.updatedAt).not.toBe(c.updatedAt);
    expect(u.properties['lastmodifieddate']).toBe(u.updatedAt);
    expect(() => mock.create('contacts', { email: 'SEED@example.com' })).toThrow(/409/);
    expect(() => mock.create('contacts', { bogus: 'x' })).toThrow(/400/);
    mock.archive('contacts', c.id);
    expect(mock.get('contacts', c.id)).toMatchObject({ archived: true, archivedAt: expect.any(String) });
    const before = c.id;
    mock.reset();
    expect(mock.objects('contacts')).toHaveLength(0);
    expect(mock.log).toHaveLength(0);
    expect(mock.create('contacts', { email: 'seed@example.com' }).id).toBe(before);
  });
});
