/**
 * Tests for mutants that survived the suite (issue 17): each one fails when its mutant is put
 * back in `services/complaints.ts`.
 */
import { describe, expect, it } from 'vitest';
import { CrmValidationError } from '../errors/index.js';
import type { ComplaintStatus } from '../schemas/complaint.js';
import { COMPLAINT_TRANSITIONS } from '../services/complaints.js';
import { setup, snapshot } from './helpers.js';

const STATUSES: readonly ComplaintStatus[] = ['new', 'open', 'pending_customer', 'resolved', 'closed', 'reopened'];

/**
 * The lifecycle, written out here rather than read from COMPLAINT_TRANSITIONS: a status added to
 * (or dropped from) the code's table must show up as a failing test.
 */
const ALLOWED: Record<ComplaintStatus, readonly ComplaintStatus[]> = {
  new: ['open', 'pending_customer', 'resolved'],
  open: ['pending_customer', 'resolved'],
  pending_customer: ['open', 'resolved'],
  resolved: ['closed', 'reopened'],
  closed: [],
  reopened: ['open', 'pending_customer', 'resolved'],
};

/** How to bring a new complaint to each status, through allowed steps only. */
const PATH: Record<ComplaintStatus, readonly ComplaintStatus[]> = {
  new: [],
  open: ['open'],
  pending_customer: ['pending_customer'],
  resolved: ['resolved'],
  closed: ['resolved', 'closed'],
  reopened: ['resolved', 'reopened'],
};

async function complaintIn(status: ComplaintStatus) {
  const env = setup();
  const customer = await env.crm.customers.create({ name: 'Nur Aisyah' });
  let complaint = await env.crm.complaints.open({ customerId: customer.id, subject: 'Bil salah', channel: 'email' });
  for (const step of PATH[status]) complaint = await env.crm.complaints.setStatus(complaint.id, step);
  expect(complaint.status).toBe(status);
  return { ...env, complaint };
}

const PAIRS = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));
const REFUSED = PAIRS.filter(([from, to]) => !ALLOWED[from].includes(to));
const TAKEN = PAIRS.filter(([from, to]) => ALLOWED[from].includes(to));

describe('the complaint lifecycle, every pair of statuses', () => {
  it('COMPLAINT_TRANSITIONS is the lifecycle written out above', () => {
    expect(COMPLAINT_TRANSITIONS).toEqual(ALLOWED);
    expect(REFUSED).toHaveLength(36 - 12);
  });

  it.each(REFUSED)('refuses %s → %s, writing nothing', async (from, to) => {
    const { crm, store, complaint } = await complaintIn(from);
    const before = await snapshot(store);
    const error = await crm.complaints.setStatus(complaint.id, to).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmValidationError);
    expect((error as CrmValidationError).issues).toMatchObject([{ path: ['status'], code: 'invalid_transition' }]);
    expect((error as Error).message).toContain(`cannot go from "${from}" to "${to}"`);
    // resolve() and reopen() are the same transitions, and refuse the same pairs.
    if (to === 'resolved') await expect(crm.complaints.resolve(complaint.id)).rejects.toThrow(`cannot go from "${from}" to "resolved"`);
    if (to === 'reopened') {
      await expect(crm.complaints.reopen(complaint.id, { reason: 'Again' })).rejects.toThrow(`cannot go from "${from}" to "reopened"`);
    }
    expect(await snapshot(store)).toBe(before);
    expect((await crm.complaints.get(complaint.id)).status).toBe(from);
  });

  it.each(TAKEN)('allows %s → %s', async (from, to) => {
    const { crm, complaint } = await complaintIn(from);
    const after = await crm.complaints.setStatus(complaint.id, to);
    expect(after.status).toBe(to);
    expect(after.activity.at(-1)).toMatchObject({ type: 'status_changed', from, to });
  });
});
