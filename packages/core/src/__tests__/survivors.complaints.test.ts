/**
 * Tests for mutants Stryker found surviving in services/complaints.ts (`npm run mutate --
 * complaints`): the messages that name what was wrong, and the fields each step sets or clears.
 */
import { describe, expect, it } from 'vitest';
import { setup } from './helpers.js';

const STAFF = [
  { id: 'sam', name: 'Sam', languages: ['en'] },
  { id: 'linda', name: 'Linda', languages: ['en'] },
];

async function env() {
  const e = setup({ staff: STAFF });
  const customer = await e.crm.customers.create({ name: 'Nur Aisyah' });
  const open = (extra: Record<string, unknown> = {}) =>
    e.crm.complaints.open({ customerId: customer.id, subject: 'Bil salah', channel: 'email', ...extra });
  return { ...e, customer, open };
}

/** The message a call fails with. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => String(e),
  );

describe('every refusal names its call and the field', () => {
  it('open', async () => {
    const { crm, customer, open } = await env();
    const tp = await crm.touchpoints.log({ customerId: customer.id, channel: 'email', direction: 'inbound' });
    expect(await failure(open({ touchpoint: { channel: 'email', direction: 'inbound' }, touchpointId: tp.id }))).toBe(
      'CrmValidationError: Invalid complaint input: touchpointId: give either touchpoint or touchpointId, not both',
    );
    expect(await failure(open({ customerId: '01JUNKNOWN0000000000000000' }))).toBe(
      'CrmValidationError: Invalid complaint input: customerId: no customer with this id',
    );
    expect(await failure(open({ ownerId: 'nobody' }))).toMatch(/^CrmValidationError: Invalid complaint input: ownerId: /);
    expect(await failure(open({ subject: '' }))).toMatch(/^CrmValidationError: Invalid complaint input: subject: /);
    expect(await failure(open({ touchpointId: '01JUNKNOWN0000000000000000' }))).toBe(
      'CrmValidationError: Invalid complaint input: touchpointId: no touchpoint with this id for this customer',
    );
    await open({ touchpointId: tp.id });
    expect(await failure(open({ touchpointId: tp.id }))).toMatch(/^CrmValidationError: Invalid complaint input: touchpointId: the touchpoint already belongs to complaint "/);
    expect(await failure(open({ touchpoint: { channel: 'fax', direction: 'inbound' } }))).toMatch(
      /^CrmValidationError: Invalid complaint input: touchpoint\.channel: /,
    );
  });

  it('respond, assign, setStatus, resolve, reopen, setPriority, rate, addNote', async () => {
    const { crm, customer, open } = await env();
    const c = await open({ ownerId: 'sam' });
    const other = await crm.customers.create({ name: 'Bo' });
    const foreign = await crm.touchpoints.log({ customerId: other.id, channel: 'call', direction: 'inbound' });
    expect(await failure(crm.complaints.respond(c.id, { touchpointId: foreign.id }))).toBe(
      'CrmValidationError: Invalid complaint response: touchpointId: no touchpoint with this id for this customer',
    );
    expect(await failure(crm.complaints.respond(c.id, { actorId: 'nobody' }))).toMatch(/^CrmValidationError: Invalid complaint response: actorId: /);
    expect(await failure(crm.complaints.respond(c.id, { direction: 'sideways' as never }))).toMatch(/^CrmValidationError: Invalid complaint response: direction: /);
    expect(await failure(crm.complaints.assign(c.id, 'sam', { reason: 'x' }))).toBe(
      'CrmValidationError: Invalid complaint assignment: ownerId: "sam" already owns this complaint',
    );
    expect(await failure(crm.complaints.assign(c.id, 'nobody', { reason: 'x' }))).toMatch(/^CrmValidationError: Invalid complaint assignment: ownerId: /);
    expect(await failure(crm.complaints.assign(c.id, 'linda', { reason: 'x', actorId: 'nobody' }))).toMatch(
      /^CrmValidationError: Invalid complaint assignment: actorId: /,
    );
    expect(await failure(crm.complaints.assign(c.id, '', { reason: 'x' }))).toMatch(/^CrmValidationError: Invalid complaint assignment/);
    expect(await failure(crm.complaints.setStatus(c.id, 'done' as never))).toMatch(/^CrmValidationError: Invalid complaint status: /);
    expect(await failure(crm.complaints.setStatus(c.id, 'open', { note: '' }))).toMatch(/^CrmValidationError: Invalid complaint status change: note: /);
    expect(await failure(crm.complaints.setStatus(c.id, 'reopened'))).toMatch(/^CrmValidationError: Invalid complaint status change: status: cannot go/);
    expect(await failure(crm.complaints.resolve(c.id, { satisfaction: 9 }))).toMatch(/^CrmValidationError: Invalid complaint resolution: satisfaction: /);
    expect(await failure(crm.complaints.reopen(c.id, { reason: '' }))).toMatch(/^CrmValidationError: Invalid complaint reopening: reason: /);
    expect(await failure(crm.complaints.setPriority(c.id, 'extreme' as never))).toMatch(/^CrmValidationError: Invalid complaint priority: /);
    expect(await failure(crm.complaints.setPriority(c.id, 'high', { reason: '' }))).toMatch(/^CrmValidationError: Invalid complaint priority change: reason: /);
    expect(await failure(crm.complaints.setPriority(c.id, 'normal'))).toBe(
      'CrmValidationError: Invalid complaint priority change: priority: the priority is already "normal"',
    );
    expect(await failure(crm.complaints.rate(c.id, 4))).toBe(
      'CrmValidationError: Invalid complaint rating: status: only a resolved or closed complaint can be rated',
    );
    const refused = await crm.complaints.rate(c.id, 4).catch((e: { issues: unknown }) => e.issues);
    expect(refused).toEqual([expect.objectContaining({ path: ['status'], code: 'invalid_transition' })]);
    expect(await failure(crm.complaints.rate(c.id, 0))).toMatch(/^CrmValidationError: Invalid complaint rating: satisfaction: /);
    expect(await failure(crm.complaints.rate(c.id, 3, { comment: '' }))).toMatch(/^CrmValidationError: Invalid complaint rating: comment: /);
    expect(await failure(crm.complaints.addNote(c.id, ''))).toMatch(/^CrmValidationError: Invalid complaint note: text: /);
    expect(await failure(crm.complaints.addNote(c.id, 'ok', { actorId: 5 as never }))).toMatch(/^CrmValidationError: Invalid complaint note: actorId: /);
    expect((await crm.complaints.addNote(c.id, 'no options')).activity.at(-1)).toMatchObject({ type: 'note', text: 'no options' });
    // Closed: every change but a rating or a note is refused, naming the call.
    await crm.complaints.resolve(c.id);
    await crm.complaints.setStatus(c.id, 'closed');
    for (const [call, subject] of [
      [() => crm.complaints.respond(c.id, {}), 'complaint response'],
      [() => crm.complaints.assign(c.id, 'linda', { reason: 'x' }), 'complaint assignment'],
      [() => crm.complaints.setPriority(c.id, 'high'), 'complaint priority change'],
    ] as const) {
      expect(await failure(call())).toBe(`CrmValidationError: Invalid ${subject}: status: the complaint is closed`);
    }
    expect((await crm.complaints.rate(c.id, 5)).satisfaction).toBe(5);
    void customer;
  });
});

describe('what each step records', () => {
  it('setStatus sets resolvedAt on resolving, clears it on reopening, and records a note only when given', async () => {
    const { crm, clock, open } = await env();
    const c = await open();
    let x = await crm.complaints.setStatus(c.id, 'open');
    expect(x.activity.at(-1)).not.toHaveProperty('note');
    expect(x).not.toHaveProperty('resolvedAt');
    clock.advance(60_000);
    x = await crm.complaints.setStatus(c.id, 'resolved', { note: 'Refunded' });
    expect(x.resolvedAt).toBe('2026-03-02T09:01:00.000Z');
    expect(x.activity.at(-1)).toMatchObject({ type: 'status_changed', from: 'open', to: 'resolved', note: 'Refunded' });
    x = await crm.complaints.setStatus(c.id, 'reopened');
    expect(x).not.toHaveProperty('resolvedAt');
    expect(x.activity.at(-1)).not.toHaveProperty('note');
    x = await crm.complaints.setStatus(c.id, 'pending_customer');
    expect(x).not.toHaveProperty('resolvedAt');
    const reopened = await crm.complaints.reopen((await crm.complaints.resolve(c.id)).id, { reason: 'Again', actorId: 'sam' });
    expect(reopened.activity.at(-1)).toMatchObject({ type: 'status_changed', to: 'reopened', note: 'Again', actorId: 'sam' });
  });

  it('respond moves the status only from new or reopened (outbound) and pending_customer (inbound)', async () => {
    const { crm, open } = await env();
    const cases = [
      // [status before, direction, status after]
      ['new', 'outbound', 'open'],
      ['new', 'inbound', 'new'],
      ['open', 'outbound', 'open'],
      ['open', 'inbound', 'open'],
      ['pending_customer', 'outbound', 'pending_customer'],
      ['pending_customer', 'inbound', 'open'],
      ['reopened', 'outbound', 'open'],
      ['reopened', 'inbound', 'reopened'],
      ['resolved', 'outbound', 'resolved'],
    ] as const;
    for (const [before, direction, after] of cases) {
      const c = await open();
      if (before === 'reopened') await crm.complaints.reopen((await crm.complaints.resolve(c.id)).id, { reason: 'x' });
      else if (before !== 'new') await crm.complaints.setStatus(c.id, before);
      const x = await crm.complaints.respond(c.id, { direction });
      expect(x.status, `${before} + ${direction}`).toBe(after);
      expect(x.activity.at(-1)!.type).toBe(before === after ? 'responded' : 'status_changed');
    }
  });

  it('open: no assignment without an owner, no locale without one, touchpoint.logged only for a new touchpoint', async () => {
    // No staff, so no routing: the complaint has no owner.
    const { crm } = setup();
    const customer = await crm.customers.create({ name: 'Nur Aisyah' });
    const open = (extra: Record<string, unknown> = {}) =>
      crm.complaints.open({ customerId: customer.id, subject: 'Bil salah', channel: 'email', ...extra });
    const logged: string[] = [];
    crm.on('touchpoint.logged', (e) => logged.push(e.touchpoint.id));
    const bare = await open();
    expect(bare.activity.map((a) => a.type)).toEqual(['opened']);
    expect(bare).not.toHaveProperty('locale');
    expect(bare).not.toHaveProperty('slaPolicyId');
    expect(bare).not.toHaveProperty('ownerId');
    const tp = await crm.touchpoints.log({ customerId: customer.id, channel: 'email', direction: 'inbound' });
    expect(logged).toEqual([tp.id]);
    const linked = await open({ touchpointId: tp.id, locale: 'ms' });
    expect(linked).toMatchObject({ touchpointId: tp.id, locale: 'ms' });
    expect(logged).toEqual([tp.id]); // linking logs nothing new
    const withNew = await open({ touchpoint: { channel: 'call', direction: 'inbound', summary: 'Called' } });
    expect(logged).toEqual([tp.id, withNew.touchpointId]);
  });

  it('open: routing gets the complaint locale, or else the customer’s', async () => {
    const e = setup({
      staff: [
        { id: 'ms', name: 'Aisyah', languages: ['ms'] },
        { id: 'en', name: 'Sam', languages: ['en'] },
      ],
    });
    const customer = await e.crm.customers.create({ name: 'Nur', locale: 'ms' });
    const a = await e.crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'email' });
    const b = await e.crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'email', locale: 'en' });
    expect([a.ownerId, b.ownerId]).toEqual(['ms', 'en']);
  });
});
