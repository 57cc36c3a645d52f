/**
 * The service-level suite: what an app sees of a `Crm` — customers, touchpoints, the complaint
 * lifecycle, history paging, errors, events and `subscribe` — run against every way of getting
 * one: `createCrm(...)` in process, and `remoteCrm(...)` → `createCrmHandler` → `createCrm(...)`
 * over a loopback HTTP port. Tests act as staff member `linda` (the remote's principal) and give
 * her as the actor wherever a write takes one, since the service API makes the caller the actor.
 *
 * Events are awaited (`until`), never expected synchronously: a local CRM announces its own
 * writes before the call resolves, a remote one a moment later, from its event stream.
 */
import {
  CrmConflictError,
  CrmNotFoundError,
  CrmPolicyError,
  CrmValidationError,
  manualClock,
  type Change,
  type Crm,
  type CrmEventName,
  type CrmEvents,
  type CrmOptions,
  type ManualClock,
  type SlaPolicyInput,
} from '@crm/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** Makes the CRM under test from `createCrm` options (the clock included). */
export type ServiceFactory = (options: CrmOptions & { clock: ManualClock }) => Crm | Promise<Crm>;

export const STAFF = [
  { id: 'linda', name: 'Linda', languages: ['en', 'it'], departments: ['support'], capacity: 20 },
  { id: 'giulia', name: 'Giulia', languages: ['it'], departments: ['support'], capacity: 20 },
];

// Monday to Friday, 09:00–17:00 UTC. 2026-03-02 is a Monday.
const OFFICE = { timeZone: 'UTC', hours: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] } };
export const STANDARD: SlaPolicyInput = {
  id: 'standard',
  name: 'Standard',
  calendar: OFFICE as unknown as SlaPolicyInput['calendar'],
  targets: { normal: { firstResponse: 'PT2H', resolution: 'PT16H' }, high: { firstResponse: 60, resolution: 'PT8H' } },
};

export const until = async (check: () => boolean, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** The error a promise rejects with (failing when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

const fieldsOf = (error: unknown) => (error as CrmValidationError).issues.map((issue) => `${issue.field} ${issue.code}`);

export function describeServiceSuite(name: string, make: ServiceFactory): void {
  describe(`service suite: ${name}`, () => {
    let crm: Crm;
    let clock: ManualClock;
    const opened: Crm[] = [];
    const open = async (options: CrmOptions = {}) => {
      clock = manualClock('2026-03-02T09:00:00Z');
      crm = await make({ staff: STAFF, ...options, clock });
      opened.push(crm);
      return crm;
    };
    beforeEach(() => open());
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
    });

    /** Records every occurrence of the given events. */
    const record = (...events: CrmEventName[]) => {
      const seen: { event: CrmEventName; payload: CrmEvents[CrmEventName] }[] = [];
      for (const event of events) crm.on(event, (payload) => seen.push({ event, payload }));
      return seen;
    };

    describe('customers', () => {
      it('creates, reads, updates, lists and finds customers', async () => {
        const mei = await crm.customers.create({ name: '林美', emails: ['Mei@Example.tw'], locale: 'zh-TW', tags: ['vip'], kind: 'customer' });
        const sam = await crm.customers.create({ name: 'Sam Lee', emails: ['sam@example.com'], company: 'Lee & Co', kind: 'prospect' });
        expect(mei).toMatchObject({ name: '林美', locale: 'zh-TW', version: 1, tags: ['vip'] });
        expect(await crm.customers.get(mei.id)).toEqual(mei);

        const updated = await crm.customers.update(sam.id, { company: null, tags: ['b2b'] }, { version: 1 });
        expect(updated.version).toBe(2);
        expect(updated).not.toHaveProperty('company');
        expect(updated.tags).toEqual(['b2b']);

        expect((await crm.customers.list()).items.map((c) => c.id)).toEqual([sam.id, mei.id]);
        expect((await crm.customers.list({ order: 'asc', limit: 1 })).items.map((c) => c.id)).toEqual([mei.id]);
        expect((await crm.customers.list({ tag: 'vip' })).items.map((c) => c.id)).toEqual([mei.id]);
        expect((await crm.customers.list({ kind: 'customer' })).items.map((c) => c.id)).toEqual([mei.id]);
        expect((await crm.customers.findByEmail('mei@example.TW')).map((c) => c.id)).toEqual([mei.id]);
        expect(await crm.customers.findByEmail('nobody@example.com')).toEqual([]);
      });

      it('pages through customers with a cursor, without repeats', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await crm.customers.create({ name: `Customer ${i}` })).id);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<Crm['customers']['list']>> = await crm.customers.list({ limit: 2, cursor, order: 'asc' });
          seen.push(...page.items.map((c) => c.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual(ids);
      });

      it('gives the overview of a customer: open complaints and last contact', async () => {
        const ada = await crm.customers.create({ name: 'Ada' });
        expect(await crm.customers.overview(ada.id)).toEqual({ customer: ada, openComplaints: [], lastContact: null });
        const call = await crm.touchpoints.log({ customerId: ada.id, channel: 'call', direction: 'inbound', actorId: 'linda' });
        const complaint = await crm.complaints.open({ customerId: ada.id, subject: 'Late delivery', channel: 'call' });
        const overview = await crm.customers.overview(ada.id);
        expect(overview.lastContact?.id).toBe(call.id);
        expect(overview.openComplaints.map((c) => c.id)).toEqual([complaint.id]);
      });

      it('creates many customers in one atomic write, or none', async () => {
        const writes: (readonly Change[])[] = [];
        crm.subscribe((changes) => writes.push(changes));
        const bad = await failure(crm.customers.createMany([{ name: 'Good' }, { name: 'Bad', emails: ['not-an-email'] }, { name: '' }]));
        expect(bad).toBeInstanceOf(CrmValidationError);
        expect(fieldsOf(bad)).toEqual(expect.arrayContaining([expect.stringMatching(/^\[1\]\.emails\[0\] /), expect.stringMatching(/^\[2\]\.name /)]));
        expect((await crm.customers.list()).items).toEqual([]);

        const created = await crm.customers.createMany([{ name: 'One' }, { name: 'Two' }, { name: 'Three' }], { origin: 'import:csv' });
        expect(created.map((c) => c.name)).toEqual(['One', 'Two', 'Three']);
        await until(() => writes.length === 1);
        expect(writes[0]!.map((c) => [c.entity, c.op, c.id, c.origin])).toEqual(created.map((c) => ['customers', 'create', c.id, 'import:csv']));
        expect(new Set(writes[0]!.map((c) => c.writeId)).size).toBe(1);
      });

      it('erases a customer with their touchpoints and complaints', async () => {
        const erased = record('customer.erased');
        const ada = await crm.customers.create({ name: 'Ada Lovelace', emails: ['ada@example.com'] });
        await crm.touchpoints.log({ customerId: ada.id, channel: 'email', direction: 'inbound', actorId: 'linda' });
        await crm.complaints.open({ customerId: ada.id, subject: 'Broken', channel: 'email' });
        expect(await crm.customers.erase(ada.id, { reason: 'GDPR request #4411' })).toEqual({
          customerId: ada.id,
          touchpoints: 1,
          complaints: 1,
          reason: 'GDPR request #4411',
        });
        expect(await failure(crm.customers.get(ada.id))).toBeInstanceOf(CrmNotFoundError);
        expect((await crm.complaints.list()).items).toEqual([]);
        expect(await crm.customers.findByEmail('ada@example.com')).toEqual([]);
        await until(() => erased.length === 1);
        expect(erased[0]!.payload).toMatchObject({ customerId: ada.id });
        expect(fieldsOf(await failure(crm.customers.erase(ada.id, { reason: '' })))).toEqual(['reason invalid']);
      });
    });

    describe('errors', () => {
      it('rejects invalid input with a CrmValidationError naming each field, and writes nothing', async () => {
        const error = await failure(crm.customers.create({ name: 'X', emails: ['nope'], locale: 'xx-??', shoeSize: 42 } as never));
        expect(error).toBeInstanceOf(CrmValidationError);
        expect(error.code).toBe('VALIDATION');
        expect(error.message).toMatch(/^Invalid customer input: /);
        expect(fieldsOf(error)).toEqual(expect.arrayContaining([expect.stringMatching(/^emails\[0\] /), expect.stringMatching(/^locale /)]));
        // The unknown key: named by the local CRM; over HTTP by its place only (a key name is the client's, and can be personal data).
        expect(fieldsOf(error).filter((f) => f.endsWith('unknown_field'))).toEqual([expect.stringMatching(/^(shoeSize)? ?unknown_field$/)]);
        expect((await crm.customers.list()).items).toEqual([]);
        // An unknown filter: named by the local CRM; over HTTP by its position only (a parameter name is the client's, and can be personal data).
        const unknown = await failure(crm.customers.list({ colour: 'red' } as never));
        expect(unknown).toBeInstanceOf(CrmValidationError);
        expect((unknown as unknown as CrmValidationError).issues.map((issue) => issue.code)).toEqual(['unknown_field']);
      });

      it('says which record is missing with a CrmNotFoundError', async () => {
        const missing = '01HZZZZZZZZZZZZZZZZZZZZZZZ';
        for (const [call, entity] of [
          [() => crm.customers.get(missing), 'customer'],
          [() => crm.touchpoints.get(missing), 'touchpoint'],
          [() => crm.complaints.get(missing), 'complaint'],
          [() => crm.complaints.resolve(missing), 'complaint'],
          [() => crm.history(missing), 'customer'],
        ] as const) {
          const error = await failure(call());
          expect(error).toBeInstanceOf(CrmNotFoundError);
          expect(error).toMatchObject({ code: 'NOT_FOUND', entity, id: '01HZZZZZZZZZZZZZZZZZZZZZZZ' });
        }
        expect(await failure(crm.customers.get(''))).toBeInstanceOf(CrmValidationError);
      });

      it('refuses a stale version with a CrmConflictError and keeps the newer record', async () => {
        const ada = await crm.customers.create({ name: 'Ada' });
        await crm.customers.update(ada.id, { name: 'Ada L.' });
        const error = await failure(crm.customers.update(ada.id, { name: 'Ada B.' }, { version: 1 }));
        expect(error).toBeInstanceOf(CrmConflictError);
        expect(error).toMatchObject({ code: 'CONFLICT', id: ada.id, expectedVersion: 1, currentVersion: 2 });
        expect((await crm.customers.get(ada.id)).name).toBe('Ada L.');
      });
    });

    describe('touchpoints', () => {
      it('logs, reads and lists touchpoints', async () => {
        const ada = await crm.customers.create({ name: 'Ada' });
        const call = await crm.touchpoints.log({ customerId: ada.id, channel: 'call', direction: 'inbound', actorId: 'linda', summary: 'Asked about the refund', outcome: 'follow_up' });
        clock.advance(60_000);
        const mail = await crm.touchpoints.log({ customerId: ada.id, channel: 'email', direction: 'outbound', actorId: 'linda' });
        expect(call).toMatchObject({ customerId: ada.id, actorId: 'linda', occurredAt: '2026-03-02T09:00:00.000Z', version: 1 });
        expect(await crm.touchpoints.get(call.id)).toEqual(call);
        expect((await crm.touchpoints.list({ customerId: ada.id })).items.map((t) => t.id)).toEqual([mail.id, call.id]);
        expect((await crm.touchpoints.list({ channel: 'email' })).items.map((t) => t.id)).toEqual([mail.id]);
        expect(fieldsOf(await failure(crm.touchpoints.log({ customerId: '01HZZZZZZZZZZZZZZZZZZZZZZZ', channel: 'call', direction: 'inbound', actorId: 'linda' })))).toEqual([
          'customerId unknown_reference',
        ]);
      });

      it('logs many touchpoints in one write, or none, naming the bad items', async () => {
        const ada = await crm.customers.create({ name: 'Ada' });
        const item = { customerId: ada.id, channel: 'call', direction: 'inbound', actorId: 'linda' } as const;
        const error = await failure(crm.touchpoints.logMany([item, { ...item, channel: 'pigeon' as never }]));
        expect(fieldsOf(error)).toEqual([expect.stringMatching(/^\[1\]\.channel /)]);
        expect((await crm.touchpoints.list()).items).toEqual([]);
        const logged = await crm.touchpoints.logMany([item, { ...item, channel: 'sms' }]);
        expect(logged.map((t) => t.channel)).toEqual(['call', 'sms']);
      });

      it('blocks an outbound contact the contact policy forbids with a CrmPolicyError, and says so beforehand', async () => {
        await open({ contactPolicy: { limits: [{ max: 1, window: 'P7D' }] } });
        const ada = await crm.customers.create({ name: 'Ada' });
        expect(await crm.contactPolicy.check(ada.id, { channel: 'email' })).toEqual({ allowed: true });
        await crm.touchpoints.log({ customerId: ada.id, channel: 'email', direction: 'outbound', actorId: 'linda' });
        const check = await crm.contactPolicy.check(ada.id, { channel: 'email' });
        expect(check).toMatchObject({ allowed: false, rule: 'max_per_window' });
        expect(!check.allowed && check.allowedAt).toEqual(new Date('2026-03-09T09:00:00.000Z'));
        const error = await failure(crm.touchpoints.log({ customerId: ada.id, channel: 'sms', direction: 'outbound', actorId: 'linda' }));
        expect(error).toBeInstanceOf(CrmPolicyError);
        expect(error).toMatchObject({ code: 'POLICY', rule: 'max_per_window', allowedAt: new Date('2026-03-09T09:00:00.000Z') });
        const overridden = await crm.touchpoints.log({ customerId: ada.id, channel: 'sms', direction: 'outbound', actorId: 'linda', policyOverride: { reason: 'Customer asked' } });
        expect(overridden.policyOverride).toEqual({ reason: 'Customer asked', rule: 'max_per_window' });
      });
    });

    describe('complaints', () => {
      it('goes through the lifecycle, every step in the activity log', async () => {
        const ada = await crm.customers.create({ name: 'Ada', locale: 'it' });
        let complaint = await crm.complaints.open({
          customerId: ada.id,
          subject: 'Pacco arrivato danneggiato',
          channel: 'email',
          priority: 'high',
          ownerId: 'giulia',
          touchpoint: { channel: 'email', direction: 'inbound', actorId: 'linda', summary: 'Foto allegate' },
        });
        expect(complaint).toMatchObject({ status: 'new', ownerId: 'giulia', priority: 'high', locale: 'it' });
        expect((await crm.touchpoints.list({ complaintId: complaint.id })).items).toHaveLength(1);
        complaint = await crm.complaints.respond(complaint.id, { actorId: 'linda', message: 'Ci scusiamo' });
        expect(complaint.status).toBe('open');
        complaint = await crm.complaints.setStatus(complaint.id, 'pending_customer', { actorId: 'linda' });
        complaint = await crm.complaints.respond(complaint.id, { direction: 'inbound', message: 'Ecco le foto' });
        expect(complaint.status).toBe('open');
        complaint = await crm.complaints.assign(complaint.id, 'linda', { actorId: 'linda', reason: 'Giulia is away' });
        expect(complaint.ownerId).toBe('linda');
        complaint = await crm.complaints.setPriority(complaint.id, 'urgent', { actorId: 'linda', reason: 'Second time' });
        complaint = await crm.complaints.addNote(complaint.id, 'Courier notified', { actorId: 'linda' });
        complaint = await crm.complaints.resolve(complaint.id, { actorId: 'linda', note: 'Replaced', satisfaction: 4 });
        expect(complaint).toMatchObject({ status: 'resolved', satisfaction: 4 });
        complaint = await crm.complaints.reopen(complaint.id, { actorId: 'linda', reason: 'Replacement broken too' });
        expect(complaint.status).toBe('reopened');
        complaint = await crm.complaints.resolve(complaint.id, { actorId: 'linda' });
        complaint = await crm.complaints.rate(complaint.id, 5, { actorId: 'linda', comment: 'Thanks' });
        expect(complaint.activity.map((entry) => (entry.type === 'status_changed' ? `${entry.type}:${entry.to}` : entry.type))).toEqual([
          'opened',
          'assigned',
          'responded',
          'status_changed:open',
          'status_changed:pending_customer',
          'responded',
          'status_changed:open',
          'assigned',
          'priority_changed',
          'note',
          'status_changed:resolved',
          'satisfaction_recorded',
          'status_changed:reopened',
          'status_changed:resolved',
          'satisfaction_recorded',
        ]);
        expect(await crm.complaints.get(complaint.id)).toEqual(complaint);
        expect((await crm.complaints.list({ status: ['resolved', 'closed'] })).items.map((c) => c.id)).toEqual([complaint.id]);
        expect((await crm.complaints.list({ status: 'open' })).items).toEqual([]);
        expect((await crm.complaints.list({ customerId: ada.id, ownerId: 'linda' })).items).toHaveLength(1);
      });

      it('refuses a transition the lifecycle does not allow, and a stale version', async () => {
        const ada = await crm.customers.create({ name: 'Ada' });
        const complaint = await crm.complaints.open({ customerId: ada.id, subject: 'Broken', channel: 'call' });
        const error = await failure(crm.complaints.setStatus(complaint.id, 'closed', { actorId: 'linda' }));
        expect(error).toBeInstanceOf(CrmValidationError);
        expect(fieldsOf(error)).toEqual(['status invalid_transition']);
        expect(fieldsOf(await failure(crm.complaints.assign(complaint.id, 'nobody', { actorId: 'linda', reason: 'x' })))).toEqual(['ownerId unknown_reference']);
        expect(await failure(crm.complaints.respond(complaint.id, { actorId: 'linda', version: 7 }))).toBeInstanceOf(CrmConflictError);
        expect((await crm.complaints.get(complaint.id)).version).toBe(1);
      });

      it('tells where the SLA targets stand, with instants as Dates', async () => {
        await open({ slaPolicies: [STANDARD] });
        const ada = await crm.customers.create({ name: 'Ada' });
        const complaint = await crm.complaints.open({ customerId: ada.id, subject: 'Broken', channel: 'call', priority: 'high' });
        clock.advance(30 * 60_000);
        const status = await crm.sla.status(complaint.id);
        expect(status).toMatchObject({ complaintId: complaint.id, policyId: 'standard', priority: 'high', at: new Date('2026-03-02T09:30:00.000Z') });
        expect(status.targets.firstResponse).toMatchObject({ state: 'running', targetMinutes: 60, elapsedMinutes: 30, dueAt: new Date('2026-03-02T10:00:00.000Z') });
        expect(status.targets.firstResponse!.startedAt).toBeInstanceOf(Date);
        const later = await crm.sla.status(complaint.id, '2026-03-02T11:00:00Z');
        expect(later.targets.firstResponse!.state).toBe('breached');
      });

      it('lists, accepts and dismisses suggested complaints', async () => {
        await open({ signals: {} });
        const ada = await crm.customers.create({ name: 'Ada' });
        const angry = await crm.touchpoints.log({ customerId: ada.id, channel: 'call', direction: 'inbound', actorId: 'linda', outcome: 'complaint', subject: 'Refund never came' });
        const sour = await crm.touchpoints.log({ customerId: ada.id, channel: 'chat', direction: 'inbound', actorId: 'linda', sentiment: -0.9 });
        expect((await crm.complaints.suggestions()).items.map((t) => t.id)).toEqual([sour.id, angry.id]);
        const complaint = await crm.complaints.acceptSuggestion(angry.id, { actorId: 'linda', priority: 'high' });
        expect(complaint).toMatchObject({ subject: 'Refund never came', touchpointId: angry.id, priority: 'high' });
        const dismissed = await crm.complaints.dismissSuggestion(sour.id, { actorId: 'linda', reason: 'Just tired' });
        expect(dismissed.signal).toMatchObject({ state: 'dismissed', note: 'Just tired', decidedBy: 'linda' });
        expect((await crm.complaints.suggestions({ customerId: ada.id })).items).toEqual([]);
      });
    });

    describe('history', () => {
      it('pages through a customer’s history newest first, without repeats or gaps, and filters it', async () => {
        const ada = await crm.customers.create({ name: 'Ada' });
        const expected: string[] = [];
        for (const channel of ['call', 'email', 'sms', 'call'] as const) {
          clock.advance(60_000);
          expected.unshift((await crm.touchpoints.log({ customerId: ada.id, channel, direction: 'inbound', actorId: 'linda' })).id);
        }
        clock.advance(60_000);
        const complaint = await crm.complaints.open({ customerId: ada.id, subject: 'Broken', channel: 'call' });
        clock.advance(60_000);
        await crm.complaints.respond(complaint.id, { actorId: 'linda' });
        const all: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: Awaited<ReturnType<Crm['history']>> = await crm.history(ada.id, { limit: 2, cursor });
          all.push(...page.items.map((item) => `${item.type}:${item.type === 'touchpoint' ? item.id : item.activity.type}`));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBe(4);
        // Routing gave the complaint an owner when it was opened (with the staff directory).
        expect(all.slice(0, 4)).toEqual([
          'complaint_activity:status_changed',
          'complaint_activity:responded',
          'complaint_activity:assigned',
          'complaint_activity:opened',
        ]);
        expect(all.slice(4)).toEqual(expected.map((id) => `touchpoint:${id}`));
        const calls = await crm.history(ada.id, { channels: ['call'], types: ['touchpoint'] });
        expect(calls.items.map((item) => item.id)).toEqual([expected[0], expected[3]]);
        expect(fieldsOf(await failure(crm.history(ada.id, { limit: 0 })))).toEqual([expect.stringMatching(/^limit /)]);
      });
    });

    describe('analytics', () => {
      it('reports health, customers at risk and KPIs', async () => {
        const ada = await crm.customers.create({ name: 'Ada' });
        const bob = await crm.customers.create({ name: 'Bob' });
        for (let i = 0; i < 3; i++) await crm.complaints.open({ customerId: bob.id, subject: `Broken ${i}`, channel: 'call' });
        expect(await crm.health(ada.id)).toMatchObject({ customerId: ada.id, level: 'healthy', score: 100, reasons: [] });
        const bobHealth = await crm.health(bob.id);
        expect(bobHealth.level).not.toBe('healthy');
        expect(bobHealth.reasons[0]).toMatchObject({ code: 'open_complaints' });
        expect((await crm.atRisk({ limit: 5 })).map((h) => h.customerId)).toEqual([bob.id]);
        const report = await crm.kpis({ from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', groupBy: 'channel' });
        expect(report).toMatchObject({ complaints: 3, customers: 2, from: '2026-03-01T00:00:00.000Z' });
        expect(report.groups?.[0]).toMatchObject({ key: 'call', complaints: 3 });
        expect(await failure(crm.health('01HZZZZZZZZZZZZZZZZZZZZZZZ'))).toBeInstanceOf(CrmNotFoundError);
      });
    });

    describe('events and subscribe', () => {
      it('announces each write: its changes to subscribers, its events to handlers', async () => {
        const writes: (readonly Change[])[] = [];
        const stop = crm.subscribe((changes) => writes.push(changes));
        const seen = record('customer.created', 'touchpoint.logged', 'complaint.opened', 'complaint.status_changed', 'complaint.resolved', 'customer.updated');
        const ada = await crm.customers.create({ name: 'Ada' });
        const complaint = await crm.complaints.open({ customerId: ada.id, subject: 'Broken', channel: 'call', touchpoint: { channel: 'call', direction: 'inbound', actorId: 'linda' } });
        await crm.complaints.resolve(complaint.id, { actorId: 'linda' });
        await until(() => seen.some((e) => e.event === 'complaint.resolved') && writes.length === 3);
        expect(seen.map((e) => e.event)).toEqual(['customer.created', 'touchpoint.logged', 'complaint.opened', 'complaint.status_changed', 'complaint.resolved']);
        expect(seen.every((e) => (e.payload as { origin?: string }).origin === 'app')).toBe(true);
        expect((seen[2]!.payload as CrmEvents['complaint.opened']).touchpoint?.complaintId).toBe(complaint.id);
        expect((seen[3]!.payload as CrmEvents['complaint.status_changed'])).toMatchObject({ from: 'new', to: 'resolved' });
        expect(writes.map((w) => w.map((c) => `${c.entity}:${c.op}`))).toEqual([['customers:create'], ['complaints:create', 'touchpoints:create'], ['complaints:update']]);
        for (const write of writes) {
          expect(write.every((c) => c.writeId === write[write.length - 1]!.seq && c.origin === 'app' && typeof c.at === 'string')).toBe(true);
        }
        stop();
        await crm.customers.update(ada.id, { name: 'Ada L.' });
        await until(() => seen.some((e) => e.event === 'customer.updated'));
        expect(writes).toHaveLength(3);
      });

      it('calls a once handler once, and no handler after off', async () => {
        let once = 0;
        let on = 0;
        const handler = () => on++;
        crm.once('customer.created', () => once++);
        crm.on('customer.created', handler);
        await crm.customers.create({ name: 'One' });
        await until(() => on === 1);
        crm.off('customer.created', handler);
        const last: string[] = [];
        crm.on('customer.created', ({ customer }) => last.push(customer.name));
        await crm.customers.create({ name: 'Two' });
        await until(() => last.length === 1);
        expect({ once, on, last }).toEqual({ once: 1, on: 1, last: ['Two'] });
      });

      it('announces bulk writes in one notification, each item its event', async () => {
        const writes: (readonly Change[])[] = [];
        crm.subscribe((changes) => writes.push(changes));
        const logged: string[] = [];
        crm.on('touchpoint.logged', ({ touchpoint, origin }) => logged.push(`${touchpoint.channel}:${origin}`));
        const ada = await crm.customers.create({ name: 'Ada' });
        const item = { customerId: ada.id, direction: 'inbound', actorId: 'linda' } as const;
        await crm.touchpoints.logMany([{ ...item, channel: 'call' }, { ...item, channel: 'sms' }, { ...item, channel: 'chat' }], { origin: 'sync:hubspot' });
        await until(() => logged.length === 3 && writes.length === 2);
        expect(logged).toEqual(['call:sync:hubspot', 'sms:sync:hubspot', 'chat:sync:hubspot']);
        expect(writes[1]!.map((c) => c.origin)).toEqual(['sync:hubspot', 'sync:hubspot', 'sync:hubspot']);
      });
    });
  });
}
