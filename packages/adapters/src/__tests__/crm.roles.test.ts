import { createCrm, manualClock, type Change, type Complaint, type Crm } from '@crm/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readServerSentEvents, remoteCrm, type ServerSentEvent } from '../rest/index.js';
import { startCrmServer } from './crmServer.js';
import { failure, STAFF, STANDARD, until } from './serviceSuite.js';

// The roles of the service API hold whatever ids a request sends: customers reach their own
// complaints only, staff act only as themselves, and no tenant reaches another's records.
const crms = new Map<string, Crm>();
const server = await startCrmServer((tenant) => crms.get(tenant)!, { heartbeatMs: 50 });
afterAll(() => server.close());

let run = 0;
let acme: string;
let bolt: string;
let closers: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  run++;
  acme = `acme-${run}`;
  bolt = `bolt-${run}`;
  for (const tenant of [acme, bolt]) {
    const crm = createCrm({ clock: manualClock('2026-03-02T09:00:00Z'), staff: STAFF, slaPolicies: [STANDARD] });
    crms.set(tenant, crm);
    closers.push(() => crm.close());
  }
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const crmOf = (tenant: string) => crms.get(tenant)!;

/** Acme's records: customers Ann and Bob, a complaint each (Ann's with an internal note), and a touchpoint of Ann's. */
async function seed() {
  const crm = crmOf(acme);
  const ann = await crm.customers.create({ name: 'Ann', emails: ['ann@acme.example'] });
  const bob = await crm.customers.create({ name: 'Bob' });
  let annComplaint = await crm.complaints.open({ customerId: ann.id, subject: 'Broken kettle', channel: 'web_form' });
  annComplaint = await crm.complaints.addNote(annComplaint.id, 'Ann is a known serial complainer', { actorId: 'linda' });
  const bobComplaint = await crm.complaints.open({ customerId: bob.id, subject: 'Late parcel', channel: 'email' });
  const touchpoint = await crm.touchpoints.log({ customerId: ann.id, channel: 'call', direction: 'inbound', actorId: 'linda' });
  return { ann, bob, annComplaint, bobComplaint, touchpoint };
}

/** A raw request to the API: status and JSON body. */
async function call(headers: Record<string, string>, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, body: (await response.json()) as Record<string, unknown> & { items?: unknown[] } };
}

/** Opens the event stream as `headers` and collects its messages. */
async function openStream(headers: Record<string, string>) {
  const abort = new AbortController();
  const response = await fetch(`${server.url}/events`, { headers, signal: abort.signal });
  expect(response.status).toBe(200);
  const received: ServerSentEvent[] = [];
  void (async () => {
    try {
      for await (const message of readServerSentEvents(response.body!)) received.push(message);
    } catch {
      // Aborted at the end of the test.
    }
  })();
  closers.push(() => abort.abort());
  await until(() => received.some((m) => m.event === 'ready'));
  const changes = () => received.filter((m) => m.event === 'changes').flatMap((m) => JSON.parse(m.data) as Change[]);
  return { received, changes };
}

/** A problem body without what differs between two requests (the path). */
const sameProblem = (body: Record<string, unknown>) => {
  const { instance: _instance, id: _id, detail, ...rest } = body;
  return { ...rest, detail: String(detail).replace(/"[A-Za-z0-9_-]+"/, '"…"') };
};

describe('authentication', () => {
  it('answers 401 without a principal, and serves the OpenAPI document to anyone', async () => {
    const none = await call({}, 'GET', '/complaints');
    expect(none).toMatchObject({ status: 401, type: 'application/problem+json', body: { type: 'urn:crm:problem:unauthorized', status: 401 } });
    expect((await call({ authorization: 'Bearer nobody' }, 'POST', '/complaints', {})).status).toBe(401);
    const doc = await call({}, 'GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.1');
  });

  it('refuses a malformed authorize() answer as a server error, without details', async () => {
    const errors: unknown[] = [];
    const broken = await startCrmServer(() => crmOf(acme), { authorize: () => ({ tenant: 'acme', principal: { kind: 'admin' } }) as never, onError: (e) => errors.push(e) });
    closers.push(() => broken.close());
    const response = await fetch(`${broken.url}/complaints`);
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).not.toMatch(/admin/);
    expect(String(errors[0])).toMatch(/principal\.kind must be "staff" or "customer"/);
  });
});

describe('a customer principal', () => {
  it('opens a complaint for themselves only, on self-service channels, with the fields a customer may set', async () => {
    const { ann, bob } = await seed();
    const asAnn = server.customer(acme, ann.id);
    const own = await call(asAnn, 'POST', '/complaints', { subject: 'Missing manual', description: 'Not in the box' });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ customerId: ann.id, channel: 'self_service', status: 'new', subject: 'Missing manual' });
    expect((await call(asAnn, 'POST', '/complaints', { customerId: ann.id, subject: 'Also', channel: 'web_form' })).status).toBe(201);

    const before = (await crmOf(acme).complaints.list()).items.length;
    const forged = await call(asAnn, 'POST', '/complaints', { customerId: bob.id, subject: 'On behalf of Bob', channel: 'web_form' });
    expect(forged).toMatchObject({ status: 403, body: { type: 'urn:crm:problem:forbidden', code: 'FORBIDDEN' } });
    expect(forged.body.detail).toMatch(/^customerId: a customer may open complaints only for themselves/);
    // A customer id that exists nowhere is refused the same way: nothing tells which ids exist.
    const unknown = await call(asAnn, 'POST', '/complaints', { customerId: '01HZZZZZZZZZZZZZZZZZZZZZZZ', subject: 'x', channel: 'web_form' });
    expect(sameProblem(unknown.body)).toEqual(sameProblem(forged.body));
    for (const [field, value] of [['ownerId', 'giulia'], ['priority', 'urgent'], ['slaPolicyId', 'standard'], ['touchpoint', { channel: 'web_form', direction: 'inbound' }]] as const) {
      const refused = await call(asAnn, 'POST', '/complaints', { subject: 'x', [field]: value });
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toMatch(new RegExp(`^${field}: a customer may not set this field`));
    }
    const byPhone = await call(asAnn, 'POST', '/complaints', { subject: 'x', channel: 'call' });
    expect(byPhone.status).toBe(403);
    expect(byPhone.body.detail).toMatch(/^channel: /);
    expect((await crmOf(acme).complaints.list()).items.length).toBe(before);
    // Invalid input is still a validation problem, naming the field.
    const invalid = await call(asAnn, 'POST', '/complaints', { subject: '' });
    expect(invalid).toMatchObject({ status: 400, body: { code: 'VALIDATION', issues: [expect.objectContaining({ field: 'subject' })] } });
  });

  it('reads their own complaints and SLA status, without the internal notes', async () => {
    const { ann, annComplaint, bobComplaint } = await seed();
    const asAnn = server.customer(acme, ann.id);
    const own = await call(asAnn, 'GET', `/complaints/${annComplaint.id}`);
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(annComplaint.id);
    expect((own.body as unknown as Complaint).activity.map((entry) => entry.type)).toEqual(['opened', 'assigned']);
    expect(JSON.stringify(own.body)).not.toMatch(/serial complainer/);
    const list = await call(asAnn, 'GET', '/complaints');
    expect(list.body.items!.map((c) => (c as Complaint).id)).toEqual([annComplaint.id]);
    expect(JSON.stringify(list.body)).not.toMatch(/serial complainer/);
    expect((await call(asAnn, 'GET', `/complaints?customerId=${ann.id}&status=new`)).body.items).toHaveLength(1);
    const sla = await call(asAnn, 'GET', `/complaints/${annComplaint.id}/sla`);
    expect(sla).toMatchObject({ status: 200, body: { complaintId: annComplaint.id, policyId: 'standard' } });
    expect(bobComplaint.customerId).not.toBe(ann.id);
  });

  it("can't tell another customer's complaint from one that does not exist", async () => {
    const { ann, bob, bobComplaint } = await seed();
    const asAnn = server.customer(acme, ann.id);
    for (const suffix of ['', '/sla']) {
      const others = await call(asAnn, 'GET', `/complaints/${bobComplaint.id}${suffix}`);
      const none = await call(asAnn, 'GET', `/complaints/01HZZZZZZZZZZZZZZZZZZZZZZZ${suffix}`);
      expect(others.status).toBe(404);
      expect(sameProblem(others.body)).toEqual(sameProblem(none.body));
    }
    const listed = await call(asAnn, 'GET', `/complaints?customerId=${bob.id}`);
    expect(listed).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(sameProblem((await call(asAnn, 'GET', '/complaints?customerId=01HZZZZZZZZZZZZZZZZZZZZZZZ')).body)).toEqual(sameProblem(listed.body));
  });

  it('may do nothing staff do: every other operation is a 403, whatever the ids', async () => {
    const { ann, annComplaint, touchpoint } = await seed();
    const asAnn = server.customer(acme, ann.id);
    const crm = crmOf(acme);
    const before = (await crm.store.changes({ since: 0, limit: 1000 })).lastSeq;
    const attempts: [string, string, unknown?][] = [
      ['GET', '/customers'],
      ['GET', `/customers/${ann.id}`],
      ['GET', '/customers/01HZZZZZZZZZZZZZZZZZZZZZZZ'],
      ['PATCH', `/customers/${ann.id}`, { patch: { name: 'Queen Ann' } }],
      ['POST', '/customers', { name: 'Mallory' }],
      ['POST', '/customers/batch', { inputs: [{ name: 'Mallory' }] }],
      ['GET', `/customers/by-email?email=ann@acme.example`],
      ['GET', `/customers/${ann.id}/overview`],
      ['GET', `/customers/${ann.id}/history`],
      ['GET', `/customers/${ann.id}/health`],
      ['GET', `/customers/${ann.id}/contact-check?channel=email`],
      ['POST', `/customers/${ann.id}/erase`, { reason: 'I want out' }],
      ['GET', '/customers/stale?confirmedBefore=2026-01-01T00:00:00Z'],
      ['POST', '/touchpoints', { customerId: ann.id, channel: 'web_form', direction: 'inbound' }],
      ['POST', '/touchpoints/batch', { inputs: [] }],
      ['GET', `/touchpoints/${touchpoint.id}`],
      ['GET', '/touchpoints'],
      ['POST', `/complaints/${annComplaint.id}/respond`, { direction: 'inbound', message: 'Hello?' }],
      ['POST', `/complaints/${annComplaint.id}/resolve`, {}],
      ['POST', `/complaints/${annComplaint.id}/rating`, { score: 5 }],
      ['POST', `/complaints/${annComplaint.id}/priority`, { priority: 'urgent' }],
      ['POST', `/complaints/${annComplaint.id}/assign`, { ownerId: 'giulia', reason: 'I prefer her' }],
      ['POST', `/complaints/${annComplaint.id}/status`, { status: 'resolved' }],
      ['POST', `/complaints/${annComplaint.id}/reopen`, { reason: 'again' }],
      ['POST', `/complaints/${annComplaint.id}/notes`, { note: 'hi' }],
      ['GET', '/suggestions'],
      ['POST', `/suggestions/${touchpoint.id}/accept`, {}],
      ['POST', `/suggestions/${touchpoint.id}/dismiss`, { reason: 'no' }],
      ['GET', '/kpis?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z'],
      ['GET', '/at-risk'],
    ];
    const bodies = new Set<string>();
    for (const [method, path, body] of attempts) {
      const answer = await call(asAnn, method, path, body);
      expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
      bodies.add(JSON.stringify(sameProblem(answer.body)));
    }
    expect(bodies.size).toBe(1);
    expect((await crm.store.changes({ since: 0, limit: 1000 })).lastSeq).toBe(before);
  });

  it('follows their own complaints live, and nothing else', async () => {
    const { ann, bob, annComplaint, bobComplaint } = await seed();
    const crm = crmOf(acme);
    const stream = await openStream(server.customer(acme, ann.id));
    await crm.complaints.respond(bobComplaint.id, { actorId: 'linda', message: 'Sorry Bob' });
    await crm.customers.update(ann.id, { name: 'Ann B.' });
    await crm.touchpoints.log({ customerId: ann.id, channel: 'sms', direction: 'outbound', actorId: 'linda' });
    await crm.complaints.addNote(annComplaint.id, 'Still a serial complainer', { actorId: 'giulia' });
    await crm.complaints.respond(annComplaint.id, { actorId: 'linda', message: 'We are on it' });
    await crm.complaints.open({ customerId: bob.id, subject: 'Again', channel: 'email' });
    await until(() => stream.changes().length === 2);
    // Skipped writes move the position on (so a reconnection resumes near the end of the feed).
    await until(() => stream.received.some((m) => m.event === 'position'));
    const seen = stream.changes();
    expect(seen.map((c) => [c.entity, c.id])).toEqual([
      ['complaints', annComplaint.id],
      ['complaints', annComplaint.id],
    ]);
    expect(JSON.stringify(stream.received)).not.toMatch(/serial complainer|Sorry Bob|Ann B\./);
    const last = seen[1]!.record as Complaint;
    expect(last.activity.map((entry) => entry.type)).toEqual(['opened', 'assigned', 'responded', 'status_changed']);
    expect(last.activity[2]).toMatchObject({ type: 'responded', message: 'We are on it' });
  });

  it('uses remoteCrm as a customer: opens and follows complaints, and gets FORBIDDEN for the rest', async () => {
    const { ann, bobComplaint } = await seed();
    const crm = remoteCrm({ baseUrl: server.url, headers: server.customer(acme, ann.id) });
    closers.push(() => crm.close());
    const changed: string[] = [];
    crm.on('complaint.status_changed', ({ complaint, to }) => changed.push(`${complaint.subject}:${to}`));
    const opened = await crm.complaints.open({ customerId: ann.id, subject: 'Wobbly lid', channel: 'self_service' });
    await crmOf(acme).complaints.respond(opened.id, { actorId: 'linda' });
    await until(() => changed.length === 1);
    expect(changed).toEqual(['Wobbly lid:open']);
    expect((await crm.complaints.list()).items.map((c) => c.id)).toContain(opened.id);
    expect((await crm.sla.status(opened.id)).at).toBeInstanceOf(Date);
    const staffOnly = await failure(crm.customers.list());
    expect(staffOnly).toMatchObject({ name: 'CrmError', code: 'FORBIDDEN' });
    expect(await failure(crm.complaints.get(bobComplaint.id))).toMatchObject({ code: 'NOT_FOUND', entity: 'complaint' });
    expect(await failure(crm.complaints.resolve(opened.id))).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('a staff principal', () => {
  it('is the actor of every write: a different actorId is refused, a missing one filled in', async () => {
    const { ann, annComplaint } = await seed();
    const asLinda = server.staff(acme, 'linda');
    const logged = await call(asLinda, 'POST', '/touchpoints', { customerId: ann.id, channel: 'call', direction: 'outbound' });
    expect(logged).toMatchObject({ status: 201, body: { actorId: 'linda' } });
    const claimed = await call(asLinda, 'POST', '/touchpoints', { customerId: ann.id, channel: 'call', direction: 'outbound', actorId: 'giulia' });
    expect(claimed).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(claimed.body.detail).toMatch(/^actorId: you act as staff member "linda"/);
    const batch = await call(asLinda, 'POST', '/touchpoints/batch', {
      inputs: [
        { customerId: ann.id, channel: 'call', direction: 'inbound', actorId: 'linda' },
        { customerId: ann.id, channel: 'sms', direction: 'inbound', actorId: 'giulia' },
      ],
    });
    expect(batch.status).toBe(403);
    expect(batch.body.detail).toMatch(/^inputs\[1\]\.actorId: /);
    const opened = await call(asLinda, 'POST', '/complaints', {
      customerId: ann.id,
      subject: 'x',
      channel: 'call',
      touchpoint: { channel: 'call', direction: 'inbound', actorId: 'giulia' },
    });
    expect(opened.body.detail).toMatch(/^touchpoint\.actorId: /);
    const resolved = await call(asLinda, 'POST', `/complaints/${annComplaint.id}/resolve`, { actorId: 'giulia' });
    expect(resolved.status).toBe(403);
    const responded = await call(asLinda, 'POST', `/complaints/${annComplaint.id}/respond`, { message: 'On it' });
    expect((responded.body as unknown as Complaint).activity.at(-2)).toMatchObject({ type: 'responded', actorId: 'linda' });
    const note = await call(asLinda, 'POST', `/complaints/${annComplaint.id}/notes`, { note: 'Called the courier' });
    expect((note.body as unknown as Complaint).activity.at(-1)).toMatchObject({ type: 'note', actorId: 'linda' });
    // Only the touchpoint logged as linda and her response and note were written.
    expect((await crmOf(acme).touchpoints.list({ actorId: 'giulia' })).items).toEqual([]);
  });

  it('an unknown staff id is a validation problem of the service, not a way in', async () => {
    const { ann } = await seed();
    const asStranger = server.staff(acme, 'stranger');
    const answer = await call(asStranger, 'POST', '/touchpoints', { customerId: ann.id, channel: 'call', direction: 'inbound' });
    expect(answer).toMatchObject({ status: 400, body: { issues: [expect.objectContaining({ field: 'actorId', code: 'unknown_reference' })] } });
  });
});

describe('tenancy', () => {
  it("reaches no other tenant's records, whatever ids a request sends", async () => {
    const { ann, annComplaint, touchpoint } = await seed();
    const asBolt = server.staff(bolt, 'linda');
    for (const path of [`/customers/${ann.id}`, `/complaints/${annComplaint.id}`, `/touchpoints/${touchpoint.id}`, `/customers/${ann.id}/history`, `/complaints/${annComplaint.id}/sla`]) {
      expect((await call(asBolt, 'GET', path)).status).toBe(404);
    }
    expect((await call(asBolt, 'GET', '/customers')).body.items).toEqual([]);
    expect((await call(asBolt, 'GET', `/customers/by-email?email=ann@acme.example`)).body).toEqual([] as never);
    expect((await call(asBolt, 'GET', `/complaints?customerId=${ann.id}`)).body.items).toEqual([]);
    expect((await call(asBolt, 'POST', `/complaints/${annComplaint.id}/resolve`, {})).status).toBe(404);
    expect((await call(asBolt, 'POST', `/customers/${ann.id}/erase`, { reason: 'x' })).status).toBe(404);
    expect((await call(asBolt, 'POST', '/touchpoints', { customerId: ann.id, channel: 'call', direction: 'inbound' })).status).toBe(400);
    // A customer of bolt naming acme's customer: refused like any other forged id, and nothing of acme's listed.
    const boltCustomer = server.customer(bolt, ann.id);
    expect((await call(boltCustomer, 'GET', '/complaints')).body.items).toEqual([]);
    expect((await call(boltCustomer, 'GET', `/complaints/${annComplaint.id}`)).status).toBe(404);
    expect((await call(boltCustomer, 'POST', '/complaints', { subject: 'x' })).body).toMatchObject({ code: 'VALIDATION' });
    expect((await crmOf(acme).complaints.get(annComplaint.id)).version).toBe(annComplaint.version);
  });

  it("streams no other tenant's writes", async () => {
    const stream = await openStream(server.staff(bolt, 'linda'));
    await seed();
    await crmOf(bolt).customers.create({ name: 'Bolt customer' });
    await until(() => stream.changes().length === 1);
    expect(stream.changes()[0]).toMatchObject({ entity: 'customers', record: { name: 'Bolt customer' } });
  });
});

describe('problem details never repeat key names a client chose', () => {
  it('an unknown field or an externalIds system named after an email address comes back by position only', async () => {
    const asLinda = server.staff(acme, 'linda');
    const secret = 'mei.private@example.tw';
    const unknown = await call(asLinda, 'POST', '/customers', { name: 'Mei', [secret]: 1, email: 'x' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).not.toContain(secret);
    const fields = (unknown.body.issues as { field: string; message: string }[]).map((i) => `${i.field}: ${i.message}`);
    expect(fields).toContain(': has an unknown key; did you mean "emails"?');
    const system = await call(asLinda, 'POST', '/customers', { name: 'Mei', externalIds: { [secret]: 42 } });
    expect(system.status).toBe(400);
    expect(JSON.stringify(system.body)).not.toContain(secret);
  });
});
