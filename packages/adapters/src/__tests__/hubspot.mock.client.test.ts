import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/index.js';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type HubSpotMockOptions, createHubSpotMock } from '../hubspot/testing/index.js';

const BASE = 'https://api.hubapi.com';
const TOKEN = 'pat-na1-mock-token';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

function setup(options: HubSpotMockOptions = {}) {
  const clock = { t: Date.parse('2026-03-02T09:00:00.000Z') };
  const mock = createHubSpotMock({ seed: 3, now: () => clock.t, ...options });
  server.use(...mock.handlers);
  const client = new Client({ accessToken: TOKEN, basePath: BASE });
  return { mock, client, clock };
}

describe('@hubspot/api-client 13.5 against the mock', () => {
  it('batch-creates contacts and pages through them with basicApi.getPage', async () => {
    const { client, mock } = setup();
    for (let chunk = 0; chunk < 3; chunk++) {
      const inputs = Array.from({ length: 50 }, (_, i) => ({
        properties: { email: `c${chunk * 50 + i}@example.com`, firstname: `N${chunk * 50 + i}` },
        associations: [],
      }));
      const res = await client.crm.contacts.batchApi.create({ inputs });
      expect(res.status).toBe('COMPLETE');
      expect(res.results).toHaveLength(50);
    }
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.contacts.basicApi.getPage(100, after, ['email', 'firstname']);
      pages++;
      for (const r of page.results) {
        seen.push(r.id);
        expect(r.properties['email']).toMatch(/@example\.com$/);
      }
      after = page.paging?.next?.after;
    } while (after);
    expect(pages).toBe(2);
    expect(seen).toEqual(mock.objects('contacts').map((o) => o.id));
  });

  it('finds records with searchApi.doSearch once the search lag has passed', async () => {
    const { client, clock } = setup({ searchLagMs: { min: 500, max: 2000 } });
    await client.crm.contacts.basicApi.create({ properties: { email: 'grace@navy.mil', lastname: 'Hopper' }, associations: [] });
    await client.crm.contacts.basicApi.create({ properties: { email: 'alan@math.org', lastname: 'Turing' }, associations: [] });
    const request = {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: FilterOperatorEnum.ContainsToken, value: '*@navy.mil' }] }],
      sorts: [{ propertyName: 'createdate', direction: 'ASCENDING' }] as unknown as string[],
      properties: ['email', 'lastname'],
      limit: 10,
      after: '0',
    };
    expect((await client.crm.contacts.searchApi.doSearch(request)).total).toBe(0);
    clock.t += 2001;
    const found = await client.crm.contacts.searchApi.doSearch(request);
    expect(found.total).toBe(1);
    expect(found.results[0]?.properties['lastname']).toBe('Hopper');
  });

  it('upserts by email with batchApi.upsert', async () => {
    const { client, mock } = setup();
    const existing = mock.create('contacts', { email: 'up@example.com', firstname: 'Old' });
    const res = await client.crm.contacts.batchApi.upsert({
      inputs: [
        { id: 'up@example.com', idProperty: 'email', properties: { firstname: 'New' } },
        { id: 'fresh@example.com', idProperty: 'email', properties: { firstname: 'Fresh' } },
      ],
    });
    const byEmail = new Map(res.results.map((r) => [r.properties['email'], r]));
    expect(byEmail.get('up@example.com')).toMatchObject({ id: existing.id, _new: false });
    expect(byEmail.get('fresh@example.com')?._new).toBe(true);
    expect(mock.get('contacts', existing.id)?.properties['firstname']).toBe('New');
  });

  it('associates with associations.v4 basicApi.create and batchApi.createDefault, reads them back', async () => {
    const { client, mock } = setup();
    const contact = mock.create('contacts', { email: 'a@example.com' });
    const ticket = mock.create('tickets', { subject: 'Broken', hs_pipeline_stage: '1' });
    const company = mock.create('companies', { name: 'Acme' });
    const labels = await client.crm.associations.v4.basicApi.create('tickets', ticket.id, 'contacts', contact.id, [
      { associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 16 },
    ]);
    expect(String(labels.toObjectId)).toBe(contact.id);
    await client.crm.associations.v4.batchApi.createDefault('contacts', 'companies', {
      inputs: [{ _from: { id: contact.id }, to: { id: company.id } }],
    });
    expect(mock.associations('contacts', contact.id, 'companies')).toEqual([company.id]);
    const page = await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'tickets');
    expect(page.results.map((r) => String(r.toObjectId))).toEqual([ticket.id]);
    expect(page.results[0]?.associationTypes[0]?.typeId).toBe(15);
    const read = await client.crm.associations.v4.batchApi.getPage('tickets', 'contacts', { inputs: [{ id: ticket.id }] });
    expect(read.results[0]?._from.id).toBe(ticket.id);
  });

  it('archives, then lists archived records with archived=true', async () => {
    const { client, mock } = setup();
    const a = mock.create('contacts', { email: 'gone@example.com' });
    mock.create('contacts', { email: 'stays@example.com' });
    await client.crm.contacts.basicApi.archive(a.id);
    const archived = await client.crm.contacts.basicApi.getPage(10, undefined, ['email'], undefined, undefined, true);
    expect(archived.results.map((r) => r.id)).toEqual([a.id]);
    expect(archived.results[0]?.archived).toBe(true);
    expect(archived.results[0]?.archivedAt).toBeInstanceOf(Date);
    const live = await client.crm.contacts.basicApi.getPage(10);
    expect(live.results.map((r) => r.properties['email'])).toEqual(['stays@example.com']);
  });

  it('surfaces a duplicate email as ApiException with code 409', async () => {
    const { client, mock } = setup();
    const existing = mock.create('contacts', { email: 'dup@example.com' });
    const err = await client.crm.contacts.basicApi
      .create({ properties: { email: 'dup@example.com' }, associations: [] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 409 });
    expect((err as { body: { message: string } }).body.message).toBe(`Contact already exists. Existing ID: ${existing.id}`);
  });

  it('refreshes an OAuth token with oauth.tokensApi.create and calls the API with it', async () => {
    const { mock } = setup({ oauth: { clientId: 'cid', clientSecret: 'secret', refreshTokens: ['rt-1'] } });
    const anon = new Client({ basePath: BASE });
    const tokens = await anon.oauth.tokensApi.create('refresh_token', undefined, undefined, 'cid', 'secret', 'rt-1');
    expect(tokens.expiresIn).toBe(1800);
    expect(tokens.refreshToken).toBe('rt-1');
    const client = new Client({ accessToken: tokens.accessToken, basePath: BASE });
    const page = await client.crm.contacts.basicApi.getPage();
    expect(page.results).toEqual([]);
    const bad = await anon.oauth.tokensApi.create('refresh_token', undefined, undefined, 'cid', 'secret', 'nope').catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 400 });
    expect(mock.log.filter((e) => e.path === '/oauth/v1/token').map((e) => e.status)).toEqual([200, 400]);
  });

  it('survives a TEN_SECONDLY_ROLLING 429 with numberOfApiCallRetries (10 s wait on fake timers)', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { mock, clock } = setup({ rateLimit: { max: 1, intervalMs: 10_000 } });
    const client = new Client({ accessToken: TOKEN, basePath: BASE, numberOfApiCallRetries: 2 });
    await client.crm.companies.basicApi.getPage();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const pending = client.crm.companies.basicApi.getPage();
      while (mock.log.length < 2) await new Promise((resolve) => setImmediate(resolve));
      expect(mock.log[1]).toMatchObject({ status: 429, policy: 'TEN_SECONDLY_ROLLING' });
      clock.t += 10_001;
      await vi.advanceTimersByTimeAsync(10_000);
      const page = await pending;
      expect(page.results).toEqual([]);
      expect(mock.log.map((e) => e.status)).toEqual([200, 429, 200]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('survives a 429 and a 5xx with numberOfApiCallRetries', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    // Real clock: the client really waits (1 s after a SECONDLY 429, 200 ms after a 5xx).
    const mock = createHubSpotMock({ seed: 3, searchLagMs: 0, rateLimit: { searchPerSecond: 1 } });
    server.use(...mock.handlers);
    const client = new Client({ accessToken: TOKEN, basePath: BASE, numberOfApiCallRetries: 2 });
    await client.crm.contacts.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' });
    const second = await client.crm.contacts.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 1, after: '0' });
    expect(second.total).toBe(0);
    expect(mock.log.map((e) => e.status)).toEqual([200, 429, 200]);
    expect(mock.log[1]?.policy).toBe('SECONDLY');
    let first = true;
    mock.setFaults({ serverError: 1, match: () => (first ? !(first = false) : false) });
    const page = await client.crm.contacts.basicApi.getPage();
    expect(page.results).toEqual([]);
    expect(mock.log.slice(3).map((e) => e.status >= 500)).toEqual([true, false]);
  });
});
