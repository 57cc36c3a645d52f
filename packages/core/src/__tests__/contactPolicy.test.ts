import { describe, expect, it } from 'vitest';
import { CrmPolicyError, CrmValidationError } from '../errors/index.js';
import type { Channel } from '../schemas/primitives.js';
import { setup, snapshot } from './helpers.js';

// The clock starts on Monday 2026-03-02 at 09:00 UTC.
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function customerWith(crm: ReturnType<typeof setup>['crm'], extra: Record<string, unknown> = {}) {
  return crm.customers.create({ name: 'Nur Aisyah', timeZone: 'Asia/Kuala_Lumpur', ...extra });
}

describe('crm.contactPolicy.check', () => {
  it('counts outbound contacts in a rolling window, per channel and overall, and says when the next one is allowed', async () => {
    const { crm, clock } = setup({
      contactPolicy: {
        limits: [
          { max: 3, window: 'P7D' },
          { channel: 'sms', max: 1, window: 'P1D' },
        ],
      },
    });
    const c = await customerWith(crm);
    const log = (channel: Channel, direction: 'inbound' | 'outbound' = 'outbound') =>
      crm.touchpoints.log({ customerId: c.id, channel, direction });
    await log('sms');
    expect(await crm.contactPolicy.check(c.id, { channel: 'sms' })).toEqual({
      allowed: false,
      rule: 'max_per_window',
      reason: '1 outbound sms contact in the last 1 day (at most 1)',
      allowedAt: new Date('2026-03-03T09:00:00.000Z'),
    });
    expect(await crm.contactPolicy.check(c.id, { channel: 'email' })).toEqual({ allowed: true });
    clock.advance(2 * HOUR);
    await log('email');
    await log('call', 'inbound'); // Inbound contacts don't count.
    clock.advance(2 * HOUR);
    await log('call');
    const full = await crm.contactPolicy.check(c.id, { channel: 'email' });
    expect(full).toEqual({
      allowed: false,
      rule: 'max_per_window',
      reason: '3 outbound contacts in the last 7 days (at most 3)',
      // The first (the sms at 09:00) leaves the window seven days later.
      allowedAt: new Date('2026-03-09T09:00:00.000Z'),
    });
    // Asked about a later instant, the answer follows the window.
    expect(await crm.contactPolicy.check(c.id, { channel: 'email', at: '2026-03-09T09:00:00Z' })).toEqual({ allowed: true });
    expect((await crm.contactPolicy.check(c.id, { channel: 'email', at: '2026-03-09T08:59:59.999Z' })).allowed).toBe(false);
  });

  it('honours opted-out channels (never allowed) and quiet hours in the customer’s own time zone', async () => {
    const { crm } = setup({ contactPolicy: { quietHours: { start: '21:00', end: '08:00' } } });
    const c = await customerWith(crm, { contactPreferences: { optedOutChannels: ['sms'] } });
    expect(await crm.contactPolicy.check(c.id, { channel: 'sms' })).toEqual({
      allowed: false,
      rule: 'opted_out',
      reason: 'the customer opted out of sms',
      allowedAt: null,
    });
    // 09:00 UTC is 17:00 in Kuala Lumpur: fine. 14:00 UTC is 22:00 there: quiet until 08:00 (00:00 UTC).
    expect(await crm.contactPolicy.check(c.id, { channel: 'call' })).toEqual({ allowed: true });
    expect(await crm.contactPolicy.check(c.id, { channel: 'call', at: '2026-03-02T14:00:00Z' })).toEqual({
      allowed: false,
      rule: 'quiet_hours',
      reason: "it is within the customer's quiet hours (21:00–08:00, Asia/Kuala_Lumpur)",
      allowedAt: new Date('2026-03-03T00:00:00.000Z'),
    });
    // The customer's own quiet hours win over the policy's.
    const owl = await customerWith(crm, { contactPreferences: { quietHours: { start: '02:00', end: '10:00' } } });
    expect((await crm.contactPolicy.check(owl.id, { channel: 'call', at: '2026-03-02T14:00:00Z' })).allowed).toBe(true);
    expect(await crm.contactPolicy.check(owl.id, { channel: 'call', at: '2026-03-02T19:00:00Z' })).toMatchObject({
      rule: 'quiet_hours',
      allowedAt: new Date('2026-03-03T02:00:00.000Z'),
    });
  });

  it('quiet hours follow DST: 21:00–08:00 in Rome is 20:00–07:00 UTC in winter and 19:00–06:00 in summer', async () => {
    const { crm } = setup({ contactPolicy: { quietHours: { start: '21:00', end: '08:00' } } });
    const c = await crm.customers.create({ name: 'Giulia', timeZone: 'Europe/Rome' });
    expect(await crm.contactPolicy.check(c.id, { channel: 'call', at: '2026-03-02T20:30:00Z' })).toMatchObject({
      allowedAt: new Date('2026-03-03T07:00:00.000Z'),
    });
    expect(await crm.contactPolicy.check(c.id, { channel: 'call', at: '2026-07-01T19:30:00Z' })).toMatchObject({
      allowedAt: new Date('2026-07-02T06:00:00.000Z'),
    });
    expect((await crm.contactPolicy.check(c.id, { channel: 'call', at: '2026-07-01T18:59:00Z' })).allowed).toBe(true);
  });

  it('after a complaint is resolved allows the follow-ups, then nothing until the quiet period ends', async () => {
    const { crm, clock } = setup({ contactPolicy: { afterResolution: { followUps: 1, quietFor: 'P14D' } } });
    const c = await customerWith(crm);
    const complaint = await crm.complaints.open({ customerId: c.id, subject: 'Bil dua kali', channel: 'web_form' });
    await crm.complaints.respond(complaint.id, { message: 'Kami semak' });
    clock.advance(DAY);
    await crm.complaints.resolve(complaint.id, {});
    const resolvedAt = clock.now().getTime();
    expect(await crm.contactPolicy.check(c.id, { channel: 'email' })).toEqual({ allowed: true });
    clock.advance(HOUR);
    await crm.touchpoints.log({ customerId: c.id, channel: 'email', direction: 'outbound', subject: 'Adakah semuanya baik?' });
    expect(await crm.contactPolicy.check(c.id, { channel: 'call' })).toEqual({
      allowed: false,
      rule: 'after_resolution',
      reason: 'a complaint was resolved less than 14 days ago and 1 follow-up was made (at most 1)',
      allowedAt: new Date(resolvedAt + 14 * DAY),
    });
  });

  it('the earliest allowed instant satisfies every rule at once', async () => {
    // One contact per 20 hours, and quiet from 16:00 to 09:00 in Kuala Lumpur (08:00–01:00 UTC).
    const { crm, clock } = setup({
      contactPolicy: { limits: [{ max: 1, window: 'PT20H' }], quietHours: { start: '16:00', end: '09:00' } },
    });
    clock.set('2026-03-02T01:30:00Z'); // 09:30 local
    const c = await customerWith(crm);
    await crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'outbound' });
    clock.set('2026-03-02T02:00:00Z');
    expect(await crm.contactPolicy.check(c.id, { channel: 'call' })).toEqual({
      allowed: false,
      rule: 'max_per_window',
      reason: '1 outbound contact in the last 20 hours (at most 1)',
      // The window frees a slot at 21:30 UTC (05:30 local), inside quiet hours: so 09:00 local, 01:00 UTC.
      allowedAt: new Date('2026-03-03T01:00:00.000Z'),
    });
  });

  it('without a policy, checks only the customer’s own preferences', async () => {
    const { crm } = setup();
    const c = await customerWith(crm, { contactPreferences: { optedOutChannels: ['email'] } });
    expect(crm.contactPolicy.policy).toBeNull();
    expect((await crm.contactPolicy.check(c.id, { channel: 'email' })).allowed).toBe(false);
    expect(await crm.contactPolicy.check(c.id, { channel: 'call' })).toEqual({ allowed: true });
  });

  it('names bad input', async () => {
    const { crm } = setup();
    const c = await customerWith(crm);
    await expect(crm.contactPolicy.check(c.id, { channel: 'fax' as Channel })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[CrmValidationError: Invalid contact check: channel: expected one of call, email, meeting, visit, letter, chat, sms, web_form, self_service]`,
    );
    await expect(crm.contactPolicy.check(c.id, { channel: 'call', at: 'yesterday' })).rejects.toBeInstanceOf(CrmValidationError);
    await expect(crm.contactPolicy.check('01HZZZZZZZZZZZZZZZZZZZZZZZ', { channel: 'call' })).rejects.toThrow(/No customer/);
    expect(() => setup({ contactPolicy: { limits: [{ max: 2, window: '-P1D' }] } })).toThrow(
      /contactPolicy: limits\[0\]\.window: expected a non-negative number of minutes/,
    );
    expect(() => setup({ contactPolicy: { limits: [{ max: -1, window: 'P1D' }] } })).toThrowErrorMatchingInlineSnapshot(
      `[CrmValidationError: Invalid createCrm options.contactPolicy: limits[0].max: must be a whole number, 0 or more]`,
    );
  });
});

describe('crm.touchpoints.log under a contact policy', () => {
  it('refuses an outbound contact that breaks the policy, writing nothing, and says why and when', async () => {
    const { crm, store } = setup({ contactPolicy: { limits: [{ channel: 'call', max: 1, window: 'P1D' }] } });
    const c = await customerWith(crm);
    await crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'outbound' });
    const before = await snapshot(store);
    const error = await crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'outbound' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmPolicyError);
    expect(error).toMatchObject({ code: 'POLICY', rule: 'max_per_window', allowedAt: new Date('2026-03-03T09:00:00.000Z') });
    expect((error as Error).message).toBe(
      `Contact policy: cannot log an outbound call contact with customer "${c.id}": 1 outbound call contact in the last 1 day (at most 1); allowed from 2026-03-03T09:00:00.000Z. To log it anyway, pass policyOverride: { reason }`,
    );
    expect(await snapshot(store)).toBe(before);
    // Inbound contacts, other channels and records of the past are not refused.
    await crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'inbound' });
    await crm.touchpoints.log({ customerId: c.id, channel: 'email', direction: 'outbound' });
    await crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'outbound', occurredAt: '2026-02-20T10:00:00Z' });
  });

  it('logs it with an explicit override, and records the reason and the rule overridden', async () => {
    const { crm } = setup({ contactPolicy: { limits: [{ max: 1, window: 'P1D' }] } });
    const c = await customerWith(crm);
    const first = await crm.touchpoints.log({
      customerId: c.id,
      channel: 'call',
      direction: 'outbound',
      policyOverride: { reason: 'Not needed' },
    });
    expect(first.policyOverride).toBeUndefined(); // It overrode nothing.
    const second = await crm.touchpoints.log({
      customerId: c.id,
      channel: 'call',
      direction: 'outbound',
      policyOverride: { reason: 'Customer asked us to call back today' },
    });
    expect(second.policyOverride).toEqual({ reason: 'Customer asked us to call back today', rule: 'max_per_window' });
    expect((await crm.touchpoints.get(second.id)).policyOverride).toEqual(second.policyOverride);
    await expect(
      crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'outbound', policyOverride: { reason: '' } }),
    ).rejects.toThrow(/policyOverride\.reason/);
  });
});

describe('evaluateContact against a minute-by-minute reference', () => {
  const MINUTE = 60_000;
  const CH: Channel[] = ['sms', 'email', 'call'];
  /** Brute force: every rule checked on every contact at each whole minute from `at` on. */
  function reference(limits: { channel?: Channel; max: number; window: number }[], times: number[], channels: Channel[], channel: Channel, at: number, resolvedAt: number, after: { followUps: number; quietFor: number } | null) {
    const blocked = (t: number) => {
      if (after && t < resolvedAt + after.quietFor * MINUTE) {
        const since = times.filter((x) => x > resolvedAt && x <= t).length;
        if (since >= after.followUps) return 'after_resolution';
      }
      for (const l of limits) {
        if (l.channel !== undefined && l.channel !== channel) continue;
        const n = times.filter((x, i) => x > t - l.window * MINUTE && x <= t && (l.channel === undefined || channels[i] === l.channel)).length;
        if (n >= l.max) return 'max_per_window';
      }
      return null;
    };
    const rule = blocked(at);
    if (!rule) return { allowed: true };
    for (let t = at; t < at + 40 * DAY; t += MINUTE) if (!blocked(t)) return { rule, allowedAt: t };
    return { rule, allowedAt: null };
  }

  it('gives the same rule and the same earliest instant for random histories and policies', async () => {
    const { evaluateContact, ContactTimes } = await import('../policy/contactPolicy.js');
    let seed = 3;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const at = Date.parse('2026-03-02T09:00:00.000Z');
    let blockedCases = 0;
    for (let run = 0; run < 150; run++) {
      const n = Math.floor(rand() * 25);
      // Whole minutes, so the reference's minute steps land on every boundary.
      const times = Array.from({ length: n }, () => at - Math.floor(rand() * 20 * 1440) * MINUTE).sort((a, b) => a - b);
      const channels = times.map(() => CH[Math.floor(rand() * CH.length)]!);
      const limits = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({
        ...(rand() < 0.5 ? { channel: CH[Math.floor(rand() * CH.length)]! } : {}),
        max: 1 + Math.floor(rand() * 4),
        window: (1 + Math.floor(rand() * 10)) * 1440,
      }));
      const resolvedAt = rand() < 0.5 ? at - Math.floor(rand() * 5 * 1440) * MINUTE : Number.NEGATIVE_INFINITY;
      const after = Number.isFinite(resolvedAt) ? { followUps: Math.floor(rand() * 3), quietFor: 7 * 1440 } : null;
      const channel = CH[Math.floor(rand() * CH.length)]!;
      const contacts = new ContactTimes();
      for (let i = n - 1; i >= 0; i--) contacts.addNewest(new Date(times[i]!).toISOString(), channels[i]!);
      const complaints = Number.isFinite(resolvedAt)
        ? [{ activity: [{ type: 'status_changed', to: 'resolved', at: new Date(resolvedAt).toISOString() }] }]
        : [];
      const policy = { limits, respectOptOuts: true, ...(after ? { afterResolution: after } : {}) };
      const got = evaluateContact(policy as never, {}, contacts.seal(), complaints as never, channel, at);
      const want = reference(limits, times, channels, channel, at, resolvedAt, after);
      if (!want.allowed) blockedCases++;
      expect(got.allowed ? { allowed: true } : { rule: got.rule, allowedAt: got.allowedAt?.getTime() ?? null }, `run ${run}`).toEqual(want);
    }
    expect(blockedCases).toBeGreaterThan(40);
  });
});
