/**
 * The fault scenario of issue 13, at any size: customers, complaints and touchpoints pushed through
 * the HubSpot mock while it answers with 5xx, 429s and timeouts (before and after applying writes),
 * the sync process "crashing" at one step of one batch, then resumed by a new process; then a pull
 * of HubSpot into an empty store. The tests run it small over several seeds and at every step of one
 * batch; `npm run faults` runs it at full size (10,000 customers, 30,000 touchpoints).
 */
import { createCrm, memoryStore, type Complaint, type CrmStore, type Customer, type Touchpoint } from '@crm/core';
import { setupServer } from 'msw/node';
import { createSync, type SyncReport, type SyncStep, type SyncStepEvent } from '../sync/index.js';
import { hubspotAdapter } from '../hubspot/index.js';
import { createHubSpotMock, type HubSpotFaults } from '../hubspot/testing/index.js';
import { createPrng } from '../hubspot/testing/prng.js';

export const PUSH_STEPS: readonly SyncStep[] = ['push:claimed', 'push:before-request', 'push:after-response', 'push:after-complete'];

export interface FaultRunOptions {
  seed: number;
  customers: number;
  touchpointsEach: number;
  /** Where the first process dies: a step and which batch of touchpoints (0-based), or `random` (from the seed). */
  crash: { step: SyncStep; batch: number } | 'random';
  faults?: HubSpotFaults;
  /** Complaints opened, one in `badEvery` with a priority the portal doesn't have (a record HubSpot rejects). */
  complaints?: number;
  badEvery?: number;
}

export interface FaultRunResult {
  crashedAt: { step: SyncStep; batch: number };
  crashed: boolean;
  rounds: number;
  requests: number;
  faults: number;
  rateLimited: number;
  /** Problems found: missing, duplicated, mis-associated, or different after the pull. Empty when all is well. */
  problems: string[];
  rejected: number;
  ms: number;
}

/** Every record of an entity in a store, page by page. */
export async function listAll<T>(store: CrmStore, entity: 'customers' | 'touchpoints' | 'complaints'): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: unknown[]; nextCursor: string | null } = await store.list(entity, { limit: 500, cursor });
    out.push(...(page.items as T[]));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

const TOKEN = 'pat-na1-fault-token';
const SEARCH_LAG = { min: 200, max: 1500 };
const CHANNELS = ['call', 'email', 'meeting', 'visit', 'letter', 'sms'] as const;

export async function runFaultScenario(options: FaultRunOptions): Promise<FaultRunResult> {
  const started = Date.now();
  const prng = createPrng(options.seed, 7);
  const random = () => prng.next();
  const faults = options.faults ?? { serverError: 0.1, rateLimited: 0.05, timeout: 0.02, timeoutMs: 300, afterCommit: 0.5 };
  // Sends of touchpoints (each step event is one): one per 400, a full batch of each of the four engagement types side by side.
  const batches = Math.ceil((options.customers * options.touchpointsEach) / 400);
  const crashAt = options.crash === 'random' ? { step: PUSH_STEPS[Math.floor(random() * PUSH_STEPS.length)]!, batch: Math.floor(random() * Math.max(1, batches)) } : options.crash;

  const store = memoryStore();
  const crm = createCrm({ store });
  const customers: Customer[] = [];
  for (let i = 0; i < options.customers; i += 1000) {
    customers.push(...(await crm.customers.createMany(Array.from({ length: Math.min(1000, options.customers - i) }, (_, j) => ({ name: `Fault Customer${i + j}`, emails: [`f${i + j}@fault.example`] })))));
  }
  const complaintCount = options.complaints ?? 20;
  const badEvery = options.badEvery ?? 5;
  const complaints: Complaint[] = [];
  for (let i = 0; i < complaintCount; i++) {
    complaints.push(await crm.complaints.open({ customerId: customers[i % customers.length]!.id, subject: `Complaint ${i}`, channel: 'call', priority: i % badEvery === 0 ? 'urgent' : 'high' }));
  }
  const logs = customers.flatMap((c, i) =>
    Array.from({ length: options.touchpointsEach }, (_, j) => ({ customerId: c.id, channel: CHANNELS[Math.floor(random() * CHANNELS.length)]!, direction: random() < 0.5 ? ('inbound' as const) : ('outbound' as const), summary: `contact ${i}.${j}` })),
  );
  for (let i = 0; i < logs.length; i += 1000) await crm.touchpoints.logMany(logs.slice(i, i + 1000));

  const mock = createHubSpotMock({ accessTokens: [TOKEN], rateLimit: false, searchLagMs: SEARCH_LAG, seed: options.seed, logBodies: false });
  const server = setupServer(...mock.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  const problems: string[] = [];
  let rounds = 0;
  let rejected = 0;
  try {
    // The portal has no URGENT priority: urgent complaints are records HubSpot rejects.
    const adapterOptions = {
      accessToken: TOKEN,
      priorities: { urgent: 'URGENT' },
      limits: { burst: { max: 1_000, intervalMs: 1_000 }, search: { max: 100, intervalMs: 1_000 }, concurrency: 4 },
      retry: { limit: 4, baseMs: 5, maxMs: 100 },
      timeoutMs: 150,
      lookupSettleMs: 1_000,
    };
    const setup = hubspotAdapter(adapterOptions);
    await setup.setup();
    mock.setFaults(faults);

    // The first process, which dies at the chosen step of the chosen batch of touchpoints.
    let seen = -1;
    let crashed = false;
    const onStep = (event: SyncStepEvent) => {
      if (event.entity !== 'touchpoints' || event.step !== crashAt.step) return;
      seen++;
      if (seen === crashAt.batch) {
        crashed = true;
        throw new Error(`crash at ${crashAt.step}, batch ${crashAt.batch}`);
      }
    };
    const first = createSync({ local: store, remote: hubspotAdapter(adapterOptions), onStep, worker: 'first', leaseMs: 1_500, drainWaitMs: 0, retryBaseMs: 5 });
    try {
      await first.push();
    } catch (error) {
      if (!crashed) throw error;
    }
    // A new process, once the dead one's leases ran out.
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const second = createSync({ local: store, remote: hubspotAdapter(adapterOptions), worker: 'second', drainWaitMs: 2_000, retryBaseMs: 5 });
    let report: SyncReport;
    do {
      // A push returns when what is left isn't due yet (a backoff, a look-up waiting for the index): come back shortly.
      if (rounds > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      report = await second.push();
      rounds++;
      rejected = (await second.state.failures(500)).length;
    } while (report.queued > 0 && rounds < 50);
    if (report.queued > 0) problems.push(`${report.queued} records still queued after ${rounds} rounds`);
    mock.setFaults(null);

    // HubSpot holds exactly the local records, once each, with their associations.
    const rejectedIds = new Set((await second.state.failures(500)).map((f) => f.localId));
    const badComplaints = complaints.filter((c) => c.priority === 'urgent');
    if (rejectedIds.size !== badComplaints.length || !badComplaints.every((c) => rejectedIds.has(c.id))) problems.push(`rejected ${[...rejectedIds].length} records, expected exactly the ${badComplaints.length} urgent complaints`);
    const contactOf = new Map<string, string>();
    for (const contact of mock.objects('contacts')) {
      const ours = contact.properties.crm_record_id;
      if (!ours) problems.push(`contact ${contact.id} has no record id`);
      else if (contactOf.has(ours)) problems.push(`customer ${ours} duplicated`);
      else contactOf.set(ours, contact.id);
    }
    for (const c of customers) if (!contactOf.has(c.id)) problems.push(`customer ${c.id} missing`);
    if (contactOf.size !== customers.length) problems.push(`${contactOf.size} contacts for ${customers.length} customers`);
    const ticketOf = new Map<string, string>();
    for (const ticket of mock.objects('tickets')) {
      const ours = ticket.properties.crm_record_id!;
      if (ticketOf.has(ours)) problems.push(`complaint ${ours} duplicated`);
      ticketOf.set(ours, ticket.id);
      const complaint = complaints.find((c) => c.id === ours);
      if (!complaint) problems.push(`ticket ${ticket.id} is no complaint of ours`);
      else if (mock.associations('tickets', ticket.id, 'contacts').join() !== contactOf.get(complaint.customerId)) problems.push(`ticket ${ticket.id} not associated with its contact`);
    }
    if (ticketOf.size !== complaints.length - badComplaints.length) problems.push(`${ticketOf.size} tickets for ${complaints.length - badComplaints.length} good complaints`);
    const touchpoints = await listAll<Touchpoint>(store, 'touchpoints');
    const twinOf = new Map<string, { type: string; id: string }>();
    for (const type of ['calls', 'emails', 'meetings', 'notes']) {
      for (const object of mock.objects(type)) {
        const ours = object.properties.crm_record_id!;
        if (twinOf.has(ours)) problems.push(`touchpoint ${ours} duplicated`);
        twinOf.set(ours, { type, id: object.id });
      }
    }
    for (const t of touchpoints) {
      const twin = twinOf.get(t.id);
      if (!twin) problems.push(`touchpoint ${t.id} missing`);
      else if (mock.associations(twin.type, twin.id, 'contacts').join() !== contactOf.get(t.customerId)) problems.push(`touchpoint ${t.id} not associated with its contact`);
    }
    if (twinOf.size !== touchpoints.length) problems.push(`${twinOf.size} engagements for ${touchpoints.length} touchpoints`);

    // A pull of the same data into an empty store ends with the same records (once the search index caught up with the last writes).
    await new Promise((resolve) => setTimeout(resolve, SEARCH_LAG.max + 100));
    const empty = memoryStore();
    const pulled = await createSync({ local: empty, remote: hubspotAdapter({ ...adapterOptions, overlapMs: 0 }) }).pull();
    if (pulled.failed > 0) problems.push(`pull: ${pulled.failed} failed: ${JSON.stringify(pulled.failures.slice(0, 2))}`);
    const back = new Map((await listAll<Customer>(empty, 'customers')).map((c) => [c.id, c]));
    for (const c of customers) {
      const twin = back.get(c.id);
      if (!twin || twin.name !== c.name || twin.emails.join() !== c.emails.join() || twin.kind !== c.kind) problems.push(`pulled customer ${c.id} differs`);
    }
    if (back.size !== customers.length) problems.push(`pulled ${back.size} customers for ${customers.length}`);
    const backTouchpoints = new Map((await listAll<Touchpoint>(empty, 'touchpoints')).map((t) => [t.id, t]));
    for (const t of touchpoints) {
      const twin = backTouchpoints.get(t.id);
      if (!twin || twin.channel !== t.channel || twin.direction !== t.direction || twin.customerId !== t.customerId || twin.summary !== t.summary || twin.occurredAt !== t.occurredAt) problems.push(`pulled touchpoint ${t.id} differs: ${JSON.stringify(twin && { channel: [t.channel, twin.channel], direction: [t.direction, twin.direction], customer: [t.customerId, twin.customerId], summary: [t.summary, twin.summary], at: [t.occurredAt, twin.occurredAt] })}`);
    }
    if (backTouchpoints.size !== touchpoints.length) problems.push(`pulled ${backTouchpoints.size} touchpoints for ${touchpoints.length}`);
    const backComplaints = await listAll<Complaint>(empty, 'complaints');
    if (backComplaints.length !== ticketOf.size) problems.push(`pulled ${backComplaints.length} complaints for ${ticketOf.size} tickets`);

    const stats = mock.stats();
    return {
      crashedAt: crashAt,
      crashed,
      rounds,
      requests: stats.requests,
      faults: mock.log.filter((entry) => entry.fault).length,
      rateLimited: stats.rateLimited,
      problems: problems.slice(0, 20),
      rejected,
      ms: Date.now() - started,
    };
  } finally {
    server.close();
  }
}
