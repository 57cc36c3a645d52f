import { CrmConflictError, memoryStore, type Change, type CrmStore } from '@crm/core';
import { createOp, makeActivity, makeComplaint, makeCustomer, makeTouchpoint, nextVersion, updateOp } from '@crm/core/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readServerSentEvents, restStore, type ServerSentEvent } from '../rest/index.js';
import { perTenant, startRestServer } from './restServer.js';

const server = await startRestServer(perTenant(() => memoryStore()));
afterAll(() => server.close());

let run = 0;
let a: CrmStore;
let b: CrmStore;
const opened: CrmStore[] = [];
beforeEach(() => {
  run++;
  a = restStore({ baseUrl: server.url, headers: server.headersOf(`acme-${run}`) });
  b = restStore({ baseUrl: server.url, headers: server.headersOf(`bolt-${run}`) });
  opened.push(a, b);
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

/** Tenant A's records: a customer with a touchpoint and a complaint. */
async function seedA() {
  const customer = makeCustomer({ name: 'Acme customer', emails: ['ann@acme.example'], tags: ['vip'], externalIds: { hubspot: '1' } });
  const complaint = makeComplaint(customer.id, { status: 'open', ownerId: 'sam' });
  const touchpoint = makeTouchpoint(customer.id, { complaintId: complaint.id, actorId: 'sam' });
  await a.write([createOp('customers', customer), createOp('complaints', complaint), createOp('touchpoints', touchpoint)]);
  return { customer, complaint, touchpoint };
}

/** Reads a raw SSE stream of the API as `tenant`. */
async function openStream(tenant: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const response = await fetch(`${server.url}/changes/stream`, { headers: { ...server.headersOf(tenant), ...headers }, signal: abort.signal });
  expect(response.status).toBe(200);
  const events = readServerSentEvents(response.body!)[Symbol.asyncIterator]();
  const received: ServerSentEvent[] = [];
  void (async () => {
    try {
      for (let next = await events.next(); !next.done; next = await events.next()) received.push(next.value);
    } catch {
      // Aborted at the end of the test.
    }
  })();
  return { received, close: () => abort.abort() };
}

const until = async (check: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('tenancy: no request reaches another tenant’s records, whatever ids it sends', () => {
  it("B can't get, list, filter, or page through A's records", async () => {
    const { customer, complaint, touchpoint } = await seedA();
    expect(await a.get('customers', customer.id)).toEqual(customer);
    expect(await b.get('customers', customer.id)).toBeNull();
    expect(await b.get('complaints', complaint.id)).toBeNull();
    expect(await b.get('touchpoints', touchpoint.id)).toBeNull();
    for (const entity of ['customers', 'touchpoints', 'complaints'] as const) {
      expect(await b.list(entity)).toEqual({ items: [], nextCursor: null });
    }
    expect((await b.list('customers', { filter: { email: 'ann@acme.example' } })).items).toEqual([]);
    expect((await b.list('customers', { filter: { externalId: { system: 'hubspot', id: '1' } } })).items).toEqual([]);
    expect((await b.list('touchpoints', { filter: { customerId: customer.id } })).items).toEqual([]);
    expect((await b.list('complaints', { filter: { customerId: customer.id, status: 'open' } })).items).toEqual([]);
    // A cursor made by A's query gives B nothing of A's.
    await a.write([createOp('customers', makeCustomer())]);
    const cursor = (await a.list('customers', { limit: 1 })).nextCursor;
    expect(cursor).not.toBeNull();
    expect((await b.list('customers', { cursor })).items).toEqual([]);
  });

  it("B sees neither A's history nor A's change feed", async () => {
    const { customer } = await seedA();
    expect((await a.history(customer.id)).items).toHaveLength(2);
    expect(await b.history(customer.id)).toEqual({ items: [], nextCursor: null });
    expect(await b.changes({ since: 0 })).toEqual({ changes: [], lastSeq: 0, head: 0 });
    expect((await a.changes({ since: 0 })).lastSeq).toBe(3);
  });

  it("B's updates of A's ids are conflicts (nothing there) and change nothing of A's", async () => {
    const { customer, complaint } = await seedA();
    const hijack = nextVersion(customer, { name: 'Hijacked', ownerId: 'mallory' });
    const error = await b.write([updateOp('customers', hijack)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmConflictError);
    expect((error as CrmConflictError).currentVersion).toBe(0);
    const closing = nextVersion(complaint, {
      status: 'closed',
      activity: [...complaint.activity, makeActivity({ type: 'note', text: 'closed by B' })],
    });
    await expect(b.write([updateOp('complaints', closing)])).rejects.toBeInstanceOf(CrmConflictError);
    expect(await a.get('customers', customer.id)).toEqual(customer);
    expect(await a.get('complaints', complaint.id)).toEqual(complaint);
    expect((await a.changes({ since: 0 })).lastSeq).toBe(3);
  });

  it("B creating records with A's ids makes B's own records; A's stay as they were", async () => {
    const { customer, touchpoint } = await seedA();
    const forged = makeCustomer({ id: customer.id, name: 'Forged by B' });
    const forgedTouchpoint = makeTouchpoint(customer.id, { id: touchpoint.id, subject: 'Forged' });
    expect(await b.write([createOp('customers', forged), createOp('touchpoints', forgedTouchpoint)])).toEqual({ lastSeq: 2, writeId: 2 });
    expect(await b.get('customers', customer.id)).toEqual(forged);
    expect(await a.get('customers', customer.id)).toEqual(customer);
    expect(await a.get('touchpoints', touchpoint.id)).toEqual(touchpoint);
    expect((await a.history(customer.id)).items).toHaveLength(2);
    expect((await a.changes({ since: 0 })).changes.map((c) => c.record)).not.toContainEqual(forged);
  });

  it('a tenant named in a header or query parameter changes nothing: only the credentials choose it', async () => {
    const { customer } = await seedA();
    const sneaky = await fetch(`${server.url}/customers/${customer.id}?tenant=acme-${run}`, {
      headers: { ...server.headersOf(`bolt-${run}`), 'x-tenant': `acme-${run}` },
    });
    expect(sneaky.status).toBe(400); // "tenant" is not a parameter of this API
    const plain = await fetch(`${server.url}/customers/${customer.id}`, { headers: { ...server.headersOf(`bolt-${run}`), 'x-tenant': `acme-${run}` } });
    expect(plain.status).toBe(404);
  });

  it("B's change stream never carries A's writes; A's does", async () => {
    const streamA = await openStream(`acme-${run}`);
    const streamB = await openStream(`bolt-${run}`);
    try {
      await until(() => streamA.received.length > 0 && streamB.received.length > 0);
      const { customer } = await seedA();
      await a.write([updateOp('customers', nextVersion(customer, { name: 'Renamed' }))]);
      const own = makeCustomer({ name: 'B own' });
      await b.write([createOp('customers', own)]);
      await until(() => streamA.received.filter((e) => e.event === 'changes').length === 2 && streamB.received.some((e) => e.event === 'changes'));
      const bChanges = streamB.received.filter((e) => e.event === 'changes').flatMap((e) => JSON.parse(e.data) as Change[]);
      expect(bChanges.map((c) => c.id)).toEqual([own.id]);
      expect(JSON.stringify(streamB.received)).not.toContain(customer.id);
      const aChanges = streamA.received.filter((e) => e.event === 'changes').map((e) => (JSON.parse(e.data) as Change[]).map((c) => c.seq));
      expect(aChanges).toEqual([[1, 2, 3], [4]]);
    } finally {
      streamA.close();
      streamB.close();
    }
  });

  it("B's subscribe (restStore) hears only B's writes", async () => {
    const heardB: Change[] = [];
    const heardA: Change[] = [];
    const stopB = b.subscribe!((changes) => heardB.push(...changes));
    const stopA = a.subscribe!((changes) => heardA.push(...changes));
    try {
      await seedA();
      const own = makeCustomer();
      await b.write([createOp('customers', own)]);
      await until(() => heardA.length === 3 && heardB.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(heardB.map((c) => c.id)).toEqual([own.id]);
    } finally {
      stopA();
      stopB();
    }
  });
});
