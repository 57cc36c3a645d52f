import { describe, expect, it } from 'vitest';
import { CrmConflictError, CrmValidationError } from '../errors/index.js';
import { COMPLAINT_TRANSITIONS } from '../services/complaints.js';
import { ComplaintSchema } from '../schemas/complaint.js';
import { setup, snapshot } from './helpers.js';

const STAFF = [
  { id: 'sam', name: 'Sam', languages: ['en'] },
  { id: 'linda', name: 'Linda', languages: ['en', 'zh-TW'] },
  { id: 'giulia', name: 'Giulia', languages: ['it'] },
];

async function withCustomer(options: Parameters<typeof setup>[0] = { staff: STAFF }) {
  const env = setup(options);
  const customer = await env.crm.customers.create({ name: '林美', locale: 'zh-TW' });
  return { ...env, customer };
}

describe('crm.complaints', () => {
  it('opens a new complaint with its owner, the customer locale and an activity log', async () => {
    const { crm, customer } = await withCustomer();
    const c = await crm.complaints.open({ customerId: customer.id, subject: '退款太慢', channel: 'call', priority: 'high', ownerId: 'sam' });
    expect(c).toMatchObject({ status: 'new', priority: 'high', ownerId: 'sam', locale: 'zh-TW', version: 1 });
    expect(c.activity.map((a) => a.type)).toEqual(['opened', 'assigned']);
    expect(c.activity[1]).toMatchObject({ from: null, to: 'sam', reason: 'owner when opened' });
    expect(ComplaintSchema.safeParse(c).success).toBe(true);
  });

  it('runs the whole lifecycle, recording each step', async () => {
    const { crm, clock, customer } = await withCustomer();
    const c = await crm.complaints.open({ customerId: customer.id, subject: 'Refund', channel: 'email', ownerId: 'sam' });
    clock.advance(60_000);
    let x = await crm.complaints.respond(c.id, { actorId: 'sam', message: 'We are on it', channel: 'email' });
    expect(x.status).toBe('open');
    x = await crm.complaints.setStatus(c.id, 'pending_customer', { actorId: 'sam', note: 'Asked for the receipt' });
    x = await crm.complaints.respond(c.id, { direction: 'inbound', message: 'Receipt attached' });
    expect(x.status).toBe('open');
    x = await crm.complaints.assign(c.id, 'linda', { reason: 'Customer prefers Mandarin', actorId: 'sam' });
    expect(x.ownerId).toBe('linda');
    x = await crm.complaints.setPriority(c.id, 'urgent', { reason: 'Second contact' });
    clock.advance(3_600_000);
    x = await crm.complaints.resolve(c.id, { actorId: 'linda', note: 'Refunded', satisfaction: 4 });
    expect(x).toMatchObject({ status: 'resolved', resolvedAt: '2026-03-02T10:01:00.000Z', satisfaction: 4, priority: 'urgent' });
    x = await crm.complaints.reopen(c.id, { reason: 'Refund bounced', actorId: 'linda' });
    expect(x.status).toBe('reopened');
    expect(x).not.toHaveProperty('resolvedAt');
    x = await crm.complaints.resolve(c.id);
    x = await crm.complaints.setStatus(c.id, 'closed');
    x = await crm.complaints.addNote(c.id, 'Customer thanked us', { actorId: 'linda' });
    expect(x.activity.map((a) => (a.type === 'status_changed' ? `${a.from}>${a.to}` : a.type))).toEqual([
      'opened',
      'assigned',
      'responded',
      'new>open',
      'open>pending_customer',
      'responded',
      'pending_customer>open',
      'assigned',
      'priority_changed',
      'open>resolved',
      'satisfaction_recorded',
      'resolved>reopened',
      'reopened>resolved',
      'resolved>closed',
      'note',
    ]);
    expect(x.activity.find((a) => a.type === 'assigned' && a.from === 'sam')).toMatchObject({ to: 'linda', reason: 'Customer prefers Mandarin', actorId: 'sam' });
    expect(new Set(x.activity.map((a) => a.id)).size).toBe(x.activity.length);
    expect(x.version).toBe(11); // one write per call (open + 10 changes), even for calls that add two entries
    expect(ComplaintSchema.safeParse(x).success).toBe(true);
  });

  it('refuses transitions the lifecycle does not allow, naming both ends', async () => {
    const { crm, customer } = await withCustomer();
    const c = await crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'chat' });
    await expect(crm.complaints.reopen(c.id, { reason: 'why not' })).rejects.toThrow(
      'Invalid complaint reopening: status: cannot go from "new" to "reopened" (allowed: "open", "pending_customer", "resolved")',
    );
    await crm.complaints.resolve(c.id);
    await crm.complaints.setStatus(c.id, 'closed');
    await expect(crm.complaints.setStatus(c.id, 'open')).rejects.toThrow('cannot go from "closed" to "open" ("closed" is final)');
    await expect(crm.complaints.respond(c.id, { message: 'late' })).rejects.toThrow('status: the complaint is closed');
    await expect(crm.complaints.setStatus(c.id, 'done' as never)).rejects.toThrow('expected one of "new", "open"');
    expect(COMPLAINT_TRANSITIONS.closed).toEqual([]);
  });

  it('requires a reason for every hand-off and an owner from the directory', async () => {
    const { crm, store, customer } = await withCustomer();
    const c = await crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'chat', ownerId: 'sam' });
    const before = await snapshot(store);
    await expect(crm.complaints.assign(c.id, 'linda', {} as never)).rejects.toThrow('Invalid complaint assignment: reason: is required');
    await expect(crm.complaints.assign(c.id, 'linda', { reason: '  ' })).rejects.toThrow('reason: must not be empty');
    await expect(crm.complaints.assign(c.id, 'mallory', { reason: 'x' })).rejects.toThrow('ownerId: unknown staff member "mallory"');
    await expect(crm.complaints.assign(c.id, 'sam', { reason: 'x' })).rejects.toThrow('ownerId: "sam" already owns this complaint');
    await expect(crm.complaints.open({ customerId: customer.id, subject: 'y', channel: 'chat', ownerId: 'mallory' })).rejects.toThrow(
      'ownerId: unknown staff member "mallory"',
    );
    expect(await snapshot(store)).toBe(before);
  });

  it('opens a complaint together with the touchpoint it came from, atomically', async () => {
    const { crm, customer } = await withCustomer();
    const c = await crm.complaints.open({
      customerId: customer.id,
      subject: 'Pacco danneggiato',
      channel: 'email',
      touchpoint: { channel: 'email', direction: 'inbound', summary: 'Foto allegate', actorId: 'giulia' },
    });
    const t = await crm.touchpoints.get(c.touchpointId!);
    expect(t).toMatchObject({ customerId: customer.id, complaintId: c.id, outcome: 'complaint', summary: 'Foto allegate' });
    expect(c.activity[0]).toMatchObject({ type: 'opened', touchpointId: t.id });
  });

  it('writes neither the complaint nor the touchpoint when either is invalid', async () => {
    const { crm, store, customer } = await withCustomer();
    const before = await snapshot(store);
    await expect(
      crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'email', touchpoint: { channel: 'email', direction: 'up' } as never }),
    ).rejects.toThrow('touchpoint.direction: expected one of "inbound", "outbound"');
    await expect(
      crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'email', touchpoint: { channel: 'email', direction: 'inbound', actorId: 'mallory' } }),
    ).rejects.toThrow('actorId: unknown staff member "mallory"');
    await expect(crm.complaints.open({ customerId: customer.id, subject: '', channel: 'email', touchpoint: { channel: 'email', direction: 'inbound' } })).rejects.toThrow(
      'subject: must not be empty',
    );
    expect(await snapshot(store)).toBe(before);
    expect((await crm.complaints.list({ customerId: customer.id })).items).toEqual([]);
    expect((await crm.touchpoints.list({ customerId: customer.id })).items).toEqual([]);
  });

  it('links an existing touchpoint, and only one of the same customer without a complaint', async () => {
    const { crm, customer } = await withCustomer();
    const other = await crm.customers.create({ name: 'Other' });
    const t = await crm.touchpoints.log({ customerId: customer.id, channel: 'call', direction: 'inbound', summary: '又打來了' });
    const foreign = await crm.touchpoints.log({ customerId: other.id, channel: 'call', direction: 'inbound' });
    await expect(crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'call', touchpointId: foreign.id })).rejects.toThrow(
      'touchpointId: no touchpoint with this id for this customer',
    );
    const c = await crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'call', touchpointId: t.id });
    expect(await crm.touchpoints.get(t.id)).toMatchObject({ complaintId: c.id, version: 2 });
    await expect(crm.complaints.open({ customerId: customer.id, subject: 'y', channel: 'call', touchpointId: t.id })).rejects.toThrow(
      `touchpointId: the touchpoint already belongs to complaint "${c.id}"`,
    );
    await expect(
      crm.complaints.open({ customerId: customer.id, subject: 'y', channel: 'call', touchpointId: t.id, touchpoint: { channel: 'call', direction: 'inbound' } }),
    ).rejects.toThrow('give either touchpoint or touchpointId, not both');
  });

  it('links a response to a touchpoint of the same customer only', async () => {
    const { crm, customer } = await withCustomer();
    const other = await crm.customers.create({ name: 'Other' });
    const c = await crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'email' });
    const mine = await crm.touchpoints.log({ customerId: customer.id, channel: 'email', direction: 'outbound', complaintId: c.id });
    const theirs = await crm.touchpoints.log({ customerId: other.id, channel: 'email', direction: 'outbound' });
    await expect(crm.complaints.respond(c.id, { touchpointId: theirs.id })).rejects.toThrow(
      'Invalid complaint response: touchpointId: no touchpoint with this id for this customer',
    );
    await expect(crm.complaints.respond(c.id, { touchpointId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' })).rejects.toThrow('touchpointId: no touchpoint');
    const x = await crm.complaints.respond(c.id, { touchpointId: mine.id, channel: 'email', message: 'Sent the label' });
    expect(x.activity.find((a) => a.type === 'responded')).toMatchObject({ touchpointId: mine.id, channel: 'email' });
  });

  it('fails with CrmConflictError on a stale version and leaves the log as it was', async () => {
    const { crm, customer } = await withCustomer();
    const c = await crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'chat', ownerId: 'sam' });
    await crm.complaints.respond(c.id, { actorId: 'sam' });
    await expect(crm.complaints.assign(c.id, 'linda', { reason: 'x', version: c.version })).rejects.toBeInstanceOf(CrmConflictError);
    const now = await crm.complaints.get(c.id);
    expect(now.ownerId).toBe('sam');
    expect(now.activity.map((a) => a.type)).toEqual(['opened', 'assigned', 'responded', 'status_changed']);
  });

  it('lists by status (one or several), owner and priority', async () => {
    const { crm, customer } = await withCustomer();
    const a = await crm.complaints.open({ customerId: customer.id, subject: 'a', channel: 'chat', ownerId: 'sam', priority: 'low' });
    const b = await crm.complaints.open({ customerId: customer.id, subject: 'b', channel: 'chat', ownerId: 'linda' });
    const c = await crm.complaints.open({ customerId: customer.id, subject: 'c', channel: 'chat', ownerId: 'sam' });
    await crm.complaints.setStatus(b.id, 'pending_customer');
    await crm.complaints.resolve(c.id);
    const ids = async (q: Parameters<typeof crm.complaints.list>[0]) => (await crm.complaints.list(q)).items.map((x) => x.subject);
    expect(await ids({ status: 'new' })).toEqual(['a']);
    expect(await ids({ status: ['new', 'pending_customer'] })).toEqual(['b', 'a']);
    expect(await ids({ ownerId: 'sam' })).toEqual(['c', 'a']);
    expect(await ids({ priority: 'low' })).toEqual(['a']);
    expect(await ids({ status: ['resolved'], customerId: customer.id })).toEqual(['c']);
    await expect(crm.complaints.list({ status: 'nope' } as never)).rejects.toThrow(CrmValidationError);
  });

  it('rates only resolved complaints, with a whole score from 1 to 5', async () => {
    const { crm, customer } = await withCustomer();
    const c = await crm.complaints.open({ customerId: customer.id, subject: 'x', channel: 'chat' });
    await expect(crm.complaints.rate(c.id, 5)).rejects.toThrow('only a resolved or closed complaint can be rated');
    await crm.complaints.resolve(c.id);
    await expect(crm.complaints.rate(c.id, 6)).rejects.toThrow('satisfaction: must be a whole number from 1 to 5');
    await expect(crm.complaints.rate(c.id, 2.5)).rejects.toThrow('satisfaction: must be a whole number from 1 to 5');
    const rated = await crm.complaints.rate(c.id, 5, { comment: 'Grazie!' });
    expect(rated.satisfaction).toBe(5);
    expect(rated.activity.at(-1)).toMatchObject({ type: 'satisfaction_recorded', score: 5, comment: 'Grazie!' });
  });
});
