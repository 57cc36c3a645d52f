/**
 * Tests for mutants that survived the suite (issue 17): each one fails when its mutant is put
 * back in `policy/contactPolicy.ts`.
 */
import { describe, expect, it } from 'vitest';
import { ContactTimes, evaluateContact } from '../policy/contactPolicy.js';
import type { ContactPolicy } from '../schemas/contactPolicy.js';
import { setup } from './helpers.js';

// The helpers' clock starts on Monday 2026-03-02 at 09:00 UTC.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.parse('2026-03-02T09:00:00Z');

/** Outbound emails at the instants given (epoch ms, oldest first), as the service hands them to the rules. */
function emailsAt(times: number[]): ContactTimes {
  const contacts = new ContactTimes();
  for (const t of [...times].reverse()) contacts.addNewest(new Date(t).toISOString(), 'email');
  return contacts.seal();
}

describe('max_per_window: the earliest allowed instant when the window holds more than max (`timeOf(list, end - limit.max)`)', () => {
  it('3 contacts with max 2: allowed when the second leaves the window, not the first', async () => {
    const { crm, clock } = setup({ contactPolicy: { limits: [{ max: 2, window: 'P1D' }] } });
    const c = await crm.customers.create({ name: 'Nur Aisyah' });
    const log = (at: string) => crm.touchpoints.log({ customerId: c.id, channel: 'email', direction: 'outbound', occurredAt: at });
    // Records of the past are never refused, so the window can hold three.
    await log('2026-03-01T10:00:00.000Z');
    await log('2026-03-01T12:00:00.000Z');
    await log('2026-03-01T14:00:00.000Z');
    clock.set('2026-03-01T15:00:00Z');
    const check = await crm.contactPolicy.check(c.id, { channel: 'email' });
    expect(check).toEqual({
      allowed: false,
      rule: 'max_per_window',
      reason: '3 outbound contacts in the last 1 day (at most 2)',
      allowedAt: new Date('2026-03-02T12:00:00.000Z'),
    });
    expect((await crm.contactPolicy.check(c.id, { channel: 'email', at: '2026-03-02T12:00:00Z' })).allowed).toBe(true);
    expect((await crm.contactPolicy.check(c.id, { channel: 'email', at: '2026-03-02T11:59:59.999Z' })).allowed).toBe(false);
  });

  it('many more contacts than max: the answer comes from the window at once, not one contact per round', () => {
    // 60 emails an hour apart in the last 60 hours, at most 2 a week: the window frees a slot
    // when the 59th (one before the last) is a week old. Had the rule answered from the oldest
    // contact, the search would move one contact per round and stop short after its 50 rounds.
    const policy: ContactPolicy = { limits: [{ max: 2, window: 7 * 24 * 60 }], respectOptOuts: true };
    const times = Array.from({ length: 60 }, (_, i) => START - (60 - i) * HOUR);
    const at = START;
    const check = evaluateContact(policy, {}, emailsAt(times), [], 'email', at);
    expect(check).toMatchObject({ allowed: false, rule: 'max_per_window', reason: '60 outbound contacts in the last 7 days (at most 2)' });
    const allowedAt = (check as { allowedAt: Date }).allowedAt.getTime();
    expect(allowedAt).toBe(times[58]! + 7 * DAY);
    expect(evaluateContact(policy, {}, emailsAt(times), [], 'email', allowedAt)).toEqual({ allowed: true });
    expect(evaluateContact(policy, {}, emailsAt(times), [], 'email', allowedAt - 1).allowed).toBe(false);
  });
});

describe('after_resolution: only resolutions up to the instant asked about count (`t <= at &&`)', () => {
  it('a check at an instant before a later resolution is not blocked by it', async () => {
    const { crm, clock } = setup({ contactPolicy: { afterResolution: { followUps: 0, quietFor: 'P7D' } } });
    const c = await crm.customers.create({ name: 'Giulia' });
    const complaint = await crm.complaints.open({ customerId: c.id, subject: 'Fattura errata', channel: 'email' });
    await crm.complaints.respond(complaint.id, {});
    clock.advance(DAY);
    await crm.complaints.resolve(complaint.id); // Tuesday 09:00
    // Before the resolution: allowed. After it: quiet for 7 days.
    expect(await crm.contactPolicy.check(c.id, { channel: 'email', at: '2026-03-03T08:59:59.999Z' })).toEqual({ allowed: true });
    expect(await crm.contactPolicy.check(c.id, { channel: 'email', at: '2026-03-02T10:00:00Z' })).toEqual({ allowed: true });
    expect(await crm.contactPolicy.check(c.id, { channel: 'email', at: '2026-03-03T09:00:00Z' })).toEqual({
      allowed: false,
      rule: 'after_resolution',
      reason: 'a complaint was resolved less than 7 days ago and 0 follow-ups were made (at most 0)',
      allowedAt: new Date('2026-03-10T09:00:00.000Z'),
    });
  });

  it('an earlier resolution still counts when a later one comes after the instant asked about', async () => {
    const { crm, clock } = setup({ contactPolicy: { afterResolution: { followUps: 0, quietFor: 'P2D' } } });
    const c = await crm.customers.create({ name: 'Ana' });
    const k = await crm.complaints.open({ customerId: c.id, subject: 'Cargo duplicado', channel: 'email' });
    await crm.complaints.resolve(k.id); // Monday 09:00
    clock.advance(5 * DAY);
    await crm.complaints.reopen(k.id, { reason: 'Otra vez' });
    await crm.complaints.resolve(k.id); // Saturday 09:00
    // Asked about Tuesday: quiet until Wednesday 09:00, from Monday's resolution alone.
    expect(await crm.contactPolicy.check(c.id, { channel: 'email', at: '2026-03-03T09:00:00Z' })).toMatchObject({
      allowed: false,
      rule: 'after_resolution',
      allowedAt: new Date('2026-03-04T09:00:00.000Z'),
    });
  });
});

// Mutants Stryker found surviving in policy/contactPolicy.ts (`npm run mutate -- policy`).
describe('quiet hours, limits and resolutions at their edges', () => {
  it('quiet hours from a time to the same time are none', async () => {
    const { crm } = setup({ contactPolicy: { quietHours: { start: '09:00', end: '09:00' } } });
    const c = await crm.customers.create({ name: 'Ana', timeZone: 'Europe/Madrid' });
    for (const at of ['2026-03-02T08:00:00Z', '2026-03-02T08:30:00Z', '2026-03-02T20:00:00Z']) {
      expect(await crm.contactPolicy.check(c.id, { channel: 'call', at })).toEqual({ allowed: true });
    }
  });

  it('quiet hours within a day leave the hours after midnight open, and may start at midnight', async () => {
    const { crm } = setup({ contactPolicy: { quietHours: { start: '02:00', end: '10:00' } } });
    const c = await crm.customers.create({ name: 'Ana' }); // no time zone: UTC
    expect(await crm.contactPolicy.check(c.id, { channel: 'call', at: '2026-03-02T01:00:00Z' })).toEqual({ allowed: true });
    expect(await crm.contactPolicy.check(c.id, { channel: 'call', at: '2026-03-02T02:00:00Z' })).toEqual({
      allowed: false,
      rule: 'quiet_hours',
      reason: "it is within the customer's quiet hours (02:00–10:00, UTC)",
      allowedAt: new Date('2026-03-02T10:00:00.000Z'),
    });
    const fromMidnight = setup({ contactPolicy: { quietHours: { start: '00:00', end: '08:00' } } });
    const d = await fromMidnight.crm.customers.create({ name: 'Bo' });
    expect(await fromMidnight.crm.contactPolicy.check(d.id, { channel: 'call', at: '2026-03-02T03:00:00Z' })).toMatchObject({
      rule: 'quiet_hours',
      allowedAt: new Date('2026-03-02T08:00:00.000Z'),
    });
    expect(await fromMidnight.crm.contactPolicy.check(d.id, { channel: 'call', at: '2026-03-02T23:59:00Z' })).toEqual({ allowed: true });
  });

  it('says windows that are not whole hours in minutes', async () => {
    const { crm } = setup({ contactPolicy: { limits: [{ max: 1, window: 'PT90M' }] } });
    const c = await crm.customers.create({ name: 'Ana' });
    await crm.touchpoints.log({ customerId: c.id, channel: 'email', direction: 'outbound' });
    expect(await crm.contactPolicy.check(c.id, { channel: 'email' })).toEqual({
      allowed: false,
      rule: 'max_per_window',
      reason: '1 outbound contact in the last 90 minutes (at most 1)',
      allowedAt: new Date('2026-03-02T10:30:00.000Z'),
    });
  });

  it('a limit of 0 is never lifted, also when another rule blocks first', async () => {
    const { crm, clock } = setup({
      contactPolicy: { limits: [{ channel: 'sms', max: 0, window: 'P1D' }], afterResolution: { followUps: 0, quietFor: 'P1D' } },
    });
    const c = await crm.customers.create({ name: 'Ana' });
    expect(await crm.contactPolicy.check(c.id, { channel: 'sms' })).toEqual({
      allowed: false,
      rule: 'max_per_window',
      reason: '0 outbound sms contacts in the last 1 day (at most 0)',
      allowedAt: null,
    });
    const k = await crm.complaints.open({ customerId: c.id, subject: 'x', channel: 'sms' });
    await crm.complaints.resolve(k.id);
    clock.advance(HOUR);
    // Quiet after the resolution first; when that ends, the limit of 0 still blocks: never.
    expect(await crm.contactPolicy.check(c.id, { channel: 'sms' })).toMatchObject({ rule: 'after_resolution', allowedAt: null });
    expect(await crm.contactPolicy.check(c.id, { channel: 'email' })).toMatchObject({
      rule: 'after_resolution',
      allowedAt: new Date('2026-03-03T09:00:00.000Z'),
    });
  });

  it("the quiet period follows the customer's latest resolution, whichever complaint it was", async () => {
    const { crm, clock } = setup({ contactPolicy: { afterResolution: { followUps: 0, quietFor: 'P2D' } } });
    const c = await crm.customers.create({ name: 'Ana' });
    const older = await crm.complaints.open({ customerId: c.id, subject: 'first', channel: 'email' });
    clock.advance(HOUR);
    const newer = await crm.complaints.open({ customerId: c.id, subject: 'second', channel: 'email' });
    await crm.complaints.resolve(older.id); // 10:00
    clock.advance(HOUR);
    await crm.complaints.resolve(newer.id); // 11:00, the later resolution
    clock.advance(HOUR);
    await crm.complaints.reopen(older.id, { reason: 'again' });
    clock.set('2026-03-02T12:00:00Z');
    expect(await crm.contactPolicy.check(c.id, { channel: 'email' })).toMatchObject({
      rule: 'after_resolution',
      allowedAt: new Date('2026-03-04T11:00:00.000Z'),
    });
    // Resolved older first, newer later, in the other order of creation.
    const other = setup({ contactPolicy: { afterResolution: { followUps: 0, quietFor: 'P2D' } } });
    const d = await other.crm.customers.create({ name: 'Bo' });
    const first = await other.crm.complaints.open({ customerId: d.id, subject: 'first', channel: 'email' });
    other.clock.advance(HOUR);
    const second = await other.crm.complaints.open({ customerId: d.id, subject: 'second', channel: 'email' });
    await other.crm.complaints.resolve(second.id); // 10:00
    other.clock.advance(HOUR);
    await other.crm.complaints.resolve(first.id); // 11:00
    expect(await other.crm.contactPolicy.check(d.id, { channel: 'email' })).toMatchObject({
      rule: 'after_resolution',
      allowedAt: new Date('2026-03-04T11:00:00.000Z'),
    });
  });
});
