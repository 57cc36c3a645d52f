/**
 * The HubSpot adapter through the sync engine, against the HubSpot mock (msw handlers written apart
 * from the adapter, from the API reference): what lands in HubSpot, what comes back, and what a
 * crash or a fault in the middle leaves behind.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCrm, memoryStore, type CrmStore, type Touchpoint } from '@crm/core';
import { createSync, type SyncStepEvent } from '../sync/index.js';
import { hubspotAdapter, type HubSpotAdapterOptions } from '../hubspot/index.js';
import { createHubSpotMock, type HubSpotMockOptions } from '../hubspot/testing/index.js';
import { listAll } from './hubspotFaultRun.js';

const TOKEN = 'pat-na1-mock-token';
const fast = { retry: { limit: 6, baseMs: 2, maxMs: 50 } };
/** The mock's rate limits are off unless a test turns them on: the client need not space requests. */
const unthrottled = { limits: { burst: { max: 1_000, intervalMs: 1_000 }, search: { max: 100, intervalMs: 1_000 }, concurrency: 4 } };

let closing: (() => void)[] = [];
afterEach(() => {
  for (const close of closing) close();
  closing = [];
});

function world(mockOptions: HubSpotMockOptions = {}, adapterOptions: Partial<HubSpotAdapterOptions> = {}) {
  const mock = createHubSpotMock({ searchLagMs: 0, rateLimit: false, ...mockOptions });
  const server = mock.listen();
  closing.push(() => server.close());
  const hubspot = hubspotAdapter({ accessToken: TOKEN, ...fast, ...(mockOptions.rateLimit ? {} : unthrottled), ...adapterOptions });
  return { mock, hubspot };
}

async function seed(store: CrmStore, customers: number, touchpointsEach: number) {
  const crm = createCrm({ store });
  const made = await crm.customers.createMany(Array.from({ length: customers }, (_, i) => ({ name: `Customer Number${i}`, emails: [`c${i}@example.com`], kind: i % 3 === 0 ? ('prospect' as const) : ('customer' as const) })));
  const channels = ['call', 'email', 'meeting', 'letter', 'visit'] as const;
  const logs = made.flatMap((c, i) =>
    Array.from({ length: touchpointsEach }, (_, j) => ({ customerId: c.id, channel: channels[(i + j) % channels.length]!, direction: 'inbound' as const, subject: `About ${i}.${j}`, summary: `talked ${i}.${j}` })),
  );
  for (let i = 0; i < logs.length; i += 500) await crm.touchpoints.logMany(logs.slice(i, i + 500));
  return { crm, customers: made };
}

const ENGAGEMENTS = ['calls', 'emails', 'meetings', 'notes'] as const;

/** HubSpot holds exactly one live twin of every local record, associated with its parents' twins. */
async function expectMirror(store: CrmStore, mock: ReturnType<typeof createHubSpotMock>) {
  const customers = await listAll<{ id: string; emails: string[] }>(store, 'customers');
  const contacts = mock.objects('contacts');
  const contactOf = new Map<string, string>();
  for (const contact of contacts) {
    const ours = contact.properties.crm_record_id;
    expect(ours, `contact ${contact.id} without our id`).toBeTruthy();
    expect(contactOf.has(ours!), `customer ${ours} duplicated`).toBe(false);
    contactOf.set(ours!, contact.id);
  }
  expect(new Set(contactOf.keys())).toEqual(new Set(customers.map((c) => c.id)));

  const touchpoints = await listAll<{ id: string; customerId: string; complaintId?: string }>(store, 'touchpoints');
  const twins = new Map<string, { type: string; id: string }>();
  for (const type of ENGAGEMENTS) {
    for (const object of mock.objects(type)) {
      const ours = object.properties.crm_record_id!;
      expect(twins.has(ours), `touchpoint ${ours} duplicated (${type} ${object.id})`).toBe(false);
      twins.set(ours, { type, id: object.id });
    }
  }
  expect(new Set(twins.keys()), 'touchpoints missing or extra').toEqual(new Set(touchpoints.map((t) => t.id)));
  for (const touchpoint of touchpoints) {
    const twin = twins.get(touchpoint.id)!;
    expect(mock.associations(twin.type, twin.id, 'contacts')).toEqual([contactOf.get(touchpoint.customerId)]);
  }
}

describe('hubspotAdapter: setup', () => {
  it('creates our id property, unique where HubSpot allows it, and finds it there the second time', async () => {
    const { hubspot } = world();
    const first = await hubspot.setup();
    expect(first.created).toContain('contacts.crm_record_id');
    expect(first.created).toContain('tickets.crm_detail');
    expect(first.notUnique.sort()).toEqual(['calls', 'emails', 'meetings', 'notes']);
    expect(hubspot.upserts('customers')).toBe(true);
    expect(hubspot.upserts('touchpoints')).toBe(false);
    const again = await hubspot.setup();
    expect(again.created).toEqual([]);
    expect(again.existing).toHaveLength(first.created.length);
  });

  it('upserts engagements too where the portal makes their id property unique', async () => {
    const { hubspot } = world({ uniqueCapable: ['contacts', 'tickets', 'calls', 'emails', 'meetings', 'notes'] });
    const report = await hubspot.setup();
    expect(report.notUnique).toEqual([]);
    expect(hubspot.upserts('touchpoints')).toBe(true);
  });
});

describe('hubspotAdapter: push', () => {
  it('sends customers, complaints and touchpoints in full batches, associated with their contacts and tickets', async () => {
    const { mock, hubspot } = world();
    await hubspot.setup();
    const store = memoryStore();
    const { crm, customers } = await seed(store, 150, 2);
    const complaint = await crm.complaints.open({ customerId: customers[0]!.id, subject: 'Bill charged twice', channel: 'call', priority: 'urgent' });
    await crm.touchpoints.log({ customerId: customers[0]!.id, complaintId: complaint.id, channel: 'call', direction: 'outbound', summary: 'called back about the bill' });
    const before = mock.stats().requests;
    const report = await createSync({ local: store, remote: hubspot }).push();
    expect(report.failed).toBe(0);
    expect(report.byEntity).toMatchObject({ customers: { pushed: 150 }, complaints: { pushed: 1 }, touchpoints: { pushed: 301 } });
    await expectMirror(store, mock);
    const upserts = mock.log.slice(before).filter((entry) => entry.path.endsWith('/batch/upsert'));
    expect(upserts.map((entry) => entry.inputs)).toEqual([100, 50, 1]);
    const ticket = mock.objects('tickets')[0]!;
    expect(ticket.properties).toMatchObject({ subject: 'Bill charged twice', hs_pipeline_stage: '1', hs_ticket_priority: 'HIGH', crm_record_id: complaint.id });
    expect(mock.associations('tickets', ticket.id, 'contacts')).toHaveLength(1);
    const call = mock.objects('calls').find((c) => c.properties.hs_call_body?.includes('called back'))!;
    expect(mock.associations('calls', call.id, 'tickets')).toEqual([ticket.id]);
    // Nothing new: nothing sent.
    const quiet = mock.stats().requests;
    expect((await createSync({ local: store, remote: hubspot }).push()).pushed).toBe(0);
    expect(mock.stats().requests).toBe(quiet);
  });

  it('matches update results by HubSpot’s own ids when they echo neither our id nor the trace id (engagements are calls/<id> in the map)', async () => {
    // A HubSpot that answers batch updates without the properties it was sent, nor the trace ids (whether it fills them in is unconfirmed).
    const bare: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.endsWith('/batch/update') || !response.ok) return response;
      const body = (await response.json()) as { results?: { properties: Record<string, unknown>; objectWriteTraceId?: string }[] };
      for (const result of body.results ?? []) {
        delete result.properties.crm_record_id;
        delete result.objectWriteTraceId;
      }
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    };
    const { mock, hubspot } = world({}, { fetch: bare });
    await hubspot.setup();
    const store = memoryStore();
    await seed(store, 2, 1);
    const sync = createSync({ local: store, remote: hubspot });
    await sync.push();
    const [touchpoint] = await listAll<Touchpoint>(store, 'touchpoints');
    await store.write([{ type: 'update', entity: 'touchpoints', record: { ...touchpoint!, summary: 'corrected summary', version: touchpoint!.version + 1 }, expectedVersion: touchpoint!.version }]);
    const report = await sync.push();
    expect(report).toMatchObject({ pushed: 1, failed: 0, queued: 0 });
    expect(ENGAGEMENTS.flatMap((type) => mock.objects(type)).filter((o) => o.properties.crm_record_id === touchpoint!.id)).toHaveLength(1);
  });

  it('links a customer to the HubSpot contact that already has its email (409 Existing ID) instead of failing', async () => {
    const { mock, hubspot } = world();
    await hubspot.setup();
    const existing = mock.create('contacts', { email: 'Known@Example.com', firstname: 'Known' });
    const store = memoryStore();
    const crm = createCrm({ store });
    const mine = await crm.customers.create({ name: 'Known Person', emails: ['known@example.com'] });
    await crm.customers.create({ name: 'Someone Else', emails: ['else@example.com'] });
    const report = await createSync({ local: store, remote: hubspot }).push();
    expect(report.failed).toBe(0);
    expect(mock.objects('contacts')).toHaveLength(2);
    expect(mock.get('contacts', existing.id)!.properties).toMatchObject({ crm_record_id: mine.id, lastname: 'Person' });
  });

  it('reports two customers sharing one email as a conflict to resolve, and sends the others', async () => {
    const { mock, hubspot } = world();
    await hubspot.setup();
    const store = memoryStore();
    const crm = createCrm({ store });
    await crm.customers.createMany([{ name: 'Twin A', emails: ['twin@example.com'] }, { name: 'Twin B', emails: ['twin@example.com'] }, { name: 'Other', emails: ['other@example.com'] }]);
    const report = await createSync({ local: store, remote: hubspot }).push();
    expect(report.pushed).toBe(2);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.error).toMatchObject({ code: 'CONFLICT', retryable: false });
    expect(report.failures[0]!.error.hint).toMatch(/two customers share the email/);
    expect(mock.objects('contacts')).toHaveLength(2);
  });

  it('archives in HubSpot what was deleted here', async () => {
    const { mock, hubspot } = world();
    await hubspot.setup();
    const store = memoryStore();
    const { crm, customers } = await seed(store, 3, 1);
    const sync = createSync({ local: store, remote: hubspot });
    await sync.push();
    await crm.customers.erase(customers[0]!.id, { reason: 'asked to be forgotten' });
    const report = await sync.push();
    expect(report.deleted).toBe(2);
    expect(mock.objects('contacts')).toHaveLength(2);
    expect(mock.objects('contacts', { archived: true })).toHaveLength(1);
    await expectMirror(store, mock);
  });
});

describe('hubspotAdapter: crashes and faults', () => {
  it('a customer deleted here after an upsert whose answers were all lost: found by a read on our id, and archived', async () => {
    const { mock, hubspot } = world();
    await hubspot.setup();
    const store = memoryStore();
    const crm = createCrm({ store });
    const gone = await crm.customers.create({ name: 'Short Lived', emails: ['short@example.com'] });
    mock.setFaults({ serverError: 1, afterCommit: 1, match: (req) => req.path.endsWith('/contacts/batch/upsert') });
    const sync = createSync({ local: store, remote: hubspot, drainWaitMs: 0, retryBaseMs: 1 });
    expect((await sync.push()).queued).toBe(1);
    mock.setFaults(null);
    expect(mock.objects('contacts')).toHaveLength(1); // applied, though no answer said so
    await crm.customers.erase(gone.id, { reason: 'asked to be forgotten' });
    for (let round = 0; round < 3 && (await sync.state.queueStats()).pending > 0; round++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await sync.push();
    }
    expect(mock.objects('contacts')).toHaveLength(0);
    expect(mock.objects('contacts', { archived: true })).toHaveLength(1);
    expect(mock.log.some((entry) => entry.path === '/crm/v3/objects/contacts/batch/read')).toBe(true);
  });

  it.each(['push:before-request', 'push:after-response'] as const)('a crash at %s of the touchpoints, restarted while search still lags: nothing duplicated', async (crashAt) => {
    let t = Date.parse('2026-03-02T09:00:00Z');
    const now = () => t;
    const { mock, hubspot } = world({ searchLagMs: 300_000, now }, { now });
    await hubspot.setup();
    const store = memoryStore();
    await seed(store, 40, 3);
    const onStep = (event: SyncStepEvent) => {
      if (event.step === crashAt && event.entity === 'touchpoints') throw new Error('crash');
    };
    await expect(createSync({ local: store, remote: hubspot, onStep, now: () => new Date(t), worker: 'w1', drainWaitMs: 0 }).push()).rejects.toThrow('crash');
    t += 150_000; // the crashed worker's lease runs out; the search index is still 5 minutes behind
    const restarted = createSync({ local: store, remote: hubspot, now: () => new Date(t), worker: 'w2', drainWaitMs: 0 });
    for (let round = 0; round < 5 && (await restarted.state.queueStats()).pending > 0; round++) {
      await restarted.push();
      t += 5_000;
    }
    expect(await restarted.state.queueStats()).toMatchObject({ pending: 0, failed: 0 });
    await expectMirror(store, mock);
  });

  it('5xx, 429s and timeouts, before and after the write, seeded: everything lands once', async () => {
    const { mock, hubspot } = world({ seed: 7, searchLagMs: { min: 500, max: 2_000 } }, { timeoutMs: 150, lookupSettleMs: 300 });
    await hubspot.setup();
    mock.setFaults({ serverError: 0.1, rateLimited: 0.05, timeout: 0.03, timeoutMs: 400, afterCommit: 0.5 });
    const store = memoryStore();
    await seed(store, 200, 3);
    const sync = createSync({ local: store, remote: hubspot, drainWaitMs: 0, retryBaseMs: 1 });
    for (let round = 0; round < 60 && ((await sync.state.queueStats()).pending > 0 || round === 0); round++) {
      await sync.push();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    mock.setFaults(null);
    expect(await sync.state.queueStats()).toMatchObject({ pending: 0, failed: 0 });
    await expectMirror(store, mock);
    const faults = mock.log.filter((entry) => entry.fault);
    expect(faults.length).toBeGreaterThan(2);
  }, 60_000);
});

describe('hubspotAdapter: pull', () => {
  it('brings in contacts, tickets and engagements made in HubSpot, their changes, and their archiving', async () => {
    let t = Date.parse('2026-03-02T09:00:00Z');
    const now = () => t;
    const { mock, hubspot } = world({ now }, { now });
    await hubspot.setup();
    const contact = mock.create('contacts', { email: 'new@example.com', firstname: 'Nur', lastname: 'Aini', lifecyclestage: 'lead' });
    const ticket = mock.create('tickets', { subject: 'Repair delayed again', hs_pipeline: '0', hs_pipeline_stage: '1', hs_ticket_priority: 'HIGH' }, { associations: [{ toType: 'contacts', toId: contact.id, typeId: 16 }] });
    mock.create('calls', { hs_timestamp: String(t - 60_000), hs_call_direction: 'INBOUND', hs_call_title: 'Where is my repair?', hs_call_duration: '120000' }, { associations: [{ toType: 'contacts', toId: contact.id, typeId: 194 }, { toType: 'tickets', toId: ticket.id, typeId: 220 }] });
    mock.create('notes', { hs_timestamp: String(t), hs_note_body: '<p>internal: check stock</p>' }, { associations: [{ toType: 'contacts', toId: contact.id, typeId: 202 }] });
    t += 1_000;
    const store = memoryStore();
    const sync = createSync({ local: store, remote: hubspot });
    const first = await sync.pull();
    expect(first.byEntity).toMatchObject({ customers: { pulled: 1 }, complaints: { pulled: 1 }, touchpoints: { pulled: 1 } });
    const [customer] = await listAll<{ id: string; name: string; kind: string; emails: string[]; externalIds: Record<string, string> }>(store, 'customers');
    expect(customer).toMatchObject({ name: 'Nur Aini', kind: 'prospect', emails: ['new@example.com'], externalIds: { hubspot: contact.id } });
    const [complaint] = await listAll<{ customerId: string; subject: string; priority: string; status: string }>(store, 'complaints');
    expect(complaint).toMatchObject({ customerId: customer!.id, subject: 'Repair delayed again', priority: 'high', status: 'new' });
    const [call] = await listAll<{ channel: string; direction: string; durationSeconds: number; customerId: string }>(store, 'touchpoints');
    expect(call).toMatchObject({ channel: 'call', direction: 'inbound', durationSeconds: 120, customerId: customer!.id });

    t += 60_000;
    mock.update('contacts', contact.id, { lastname: 'Aini Binti Ali' });
    t += 1_000;
    expect((await sync.pull()).byEntity.customers.pulled).toBe(1);
    expect((await store.get('customers', customer!.id))!).toMatchObject({ name: 'Nur Aini Binti Ali' });

    t += 60_000;
    mock.archive('contacts', contact.id);
    t += 1_000;
    expect((await sync.pull()).byEntity.customers.deleted).toBe(1);
    expect(await store.get('customers', customer!.id)).toBeNull();
  });

  it('sees its own pushes as echoes, and sends nothing back for what it pulled', async () => {
    const { mock, hubspot } = world();
    await hubspot.setup();
    const store = memoryStore();
    await seed(store, 30, 2);
    const sync = createSync({ local: store, remote: hubspot });
    await sync.push();
    const pulled = await sync.pull();
    expect(pulled.pulled).toBe(0);
    expect(pulled.unchanged).toBe(90);
    const before = mock.stats().requests;
    expect((await sync.push()).pushed).toBe(0);
    expect(mock.stats().requests).toBe(before);
  });

  it('pages past the search cap by record id within a fixed window', async () => {
    const { mock, hubspot } = world({ searchCap: 50 }, { pageSize: 20 });
    await hubspot.setup();
    for (let i = 0; i < 130; i++) mock.create('contacts', { email: `bulk${i}@example.com`, firstname: `Bulk${i}` });
    const store = memoryStore();
    const report = await createSync({ local: store, remote: hubspot }).pull();
    expect(report.byEntity.customers.pulled).toBe(130);
    expect(mock.log.filter((entry) => entry.path.endsWith('/search') && entry.status !== 200)).toEqual([]);
  });
});

describe('hubspotAdapter: auth and limits', () => {
  it('refreshes an expired OAuth token once and goes on', async () => {
    const oauth = { clientId: 'client-1', clientSecret: 'secret-1', refreshToken: 'refresh-1' };
    const mock = createHubSpotMock({ searchLagMs: 0, rateLimit: false, accessTokens: [], oauth: { clientId: oauth.clientId, clientSecret: oauth.clientSecret, refreshTokens: [oauth.refreshToken] } });
    const server = mock.listen();
    closing.push(() => server.close());
    const hubspot = hubspotAdapter({ oauth, ...fast, ...unthrottled });
    await hubspot.setup();
    const store = memoryStore();
    await seed(store, 10, 0);
    await createSync({ local: store, remote: hubspot }).push();
    mock.expireAccessTokens();
    const crm = createCrm({ store });
    await crm.customers.create({ name: 'After Expiry', emails: ['late@example.com'] });
    const report = await createSync({ local: store, remote: hubspot }).push();
    expect(report.pushed).toBe(1);
    expect(mock.log.filter((entry) => entry.status === 401)).toHaveLength(1);
    expect(mock.objects('contacts')).toHaveLength(11);
  });

  it('keeps under the burst window it learns from the headers: no 429 once it knows', async () => {
    const { mock, hubspot } = world({ rateLimit: { max: 20, intervalMs: 1_000 } }, { limits: { burst: { max: 20, intervalMs: 1_000 }, concurrency: 4 } });
    await hubspot.setup();
    const store = memoryStore();
    await seed(store, 60, 10);
    const report = await createSync({ local: store, remote: hubspot }).push();
    expect(report.failed).toBe(0);
    expect(mock.stats().rateLimited).toBe(0);
    await expectMirror(store, mock);
  }, 30_000);
});

describe('the HubSpot mock’s log', () => {
  it('keeps each request’s method, URL, body and status, and the response’s body (tokens left out)', async () => {
    const { mock, hubspot } = world();
    await hubspot.setup();
    const store = memoryStore();
    await createCrm({ store }).customers.create({ name: 'Logged Person', emails: ['logged@example.com'] });
    await createSync({ local: store, remote: hubspot }).push();
    const upsert = mock.log.find((entry) => entry.path === '/crm/v3/objects/contacts/batch/upsert')!;
    expect(upsert).toMatchObject({ method: 'POST', status: 200, url: 'https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert', inputs: 1 });
    expect(upsert.requestBody).toMatchObject({ inputs: [{ idProperty: 'crm_record_id', properties: { email: 'logged@example.com' } }] });
    expect(upsert.responseBody).toMatchObject({ status: 'COMPLETE', results: [{ new: true, properties: { email: 'logged@example.com' } }] });
    expect(JSON.stringify(mock.log)).not.toContain(TOKEN);
  });
});
