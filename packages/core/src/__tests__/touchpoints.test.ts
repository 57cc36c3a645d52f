import { describe, expect, it } from 'vitest';
import * as fc from 'fast-check';
import { CrmValidationError } from '../errors/index.js';
import { TouchpointInputSchema } from '../schemas/touchpoint.js';
import { fastTouchpointInput } from '../schemas/touchpointFastPath.js';
import { CHANNELS } from '../schemas/primitives.js';
import { setup, snapshot } from './helpers.js';

describe('crm.touchpoints', () => {
  it('logs a contact with who, whom, what came of it and the next step', async () => {
    const { crm } = setup();
    const c = await crm.customers.create({ name: 'Siti', locale: 'ms-MY' });
    const t = await crm.touchpoints.log({
      customerId: c.id,
      channel: 'visit',
      direction: 'outbound',
      actorId: 'sam',
      participants: [{ name: 'Siti Aminah', role: 'Pengurus' }],
      department: 'sales',
      subject: 'Lawatan bulanan',
      summary: 'Pelanggan berpuas hati dengan penghantaran.',
      outcome: 'follow_up',
      nextStep: 'Hantar sebut harga minggu depan',
      sentiment: 0.6,
      durationSeconds: 1800,
    });
    expect(t).toMatchObject({
      customerId: c.id,
      occurredAt: '2026-03-02T09:00:00.000Z',
      participants: [{ name: 'Siti Aminah', role: 'Pengurus' }],
      outcome: 'follow_up',
      version: 1,
    });
    expect(await crm.touchpoints.get(t.id)).toEqual(t);
    expect((await crm.touchpoints.list({ customerId: c.id })).items).toEqual([t]);
  });

  it('normalises occurredAt with an offset to UTC', async () => {
    const { crm } = setup();
    const c = await crm.customers.create({ name: 'Wang' });
    const t = await crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'inbound', occurredAt: '2026-03-02T17:30:00+08:00' });
    expect(t.occurredAt).toBe('2026-03-02T09:30:00.000Z');
    await expect(
      crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'inbound', occurredAt: '2026-02-30T10:00:00Z' }),
    ).rejects.toThrow('occurredAt: invalid date-time');
    await expect(crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'inbound', occurredAt: '2026-03-02 10:00' })).rejects.toThrow(
      'occurredAt: invalid date-time',
    );
  });

  it('rejects references to records that do not exist or belong to someone else', async () => {
    const { crm, store } = setup({ staff: [{ id: 'sam', name: 'Sam' }] });
    const a = await crm.customers.create({ name: 'A', addresses: [{ lines: ['1 Main St'] }] });
    const b = await crm.customers.create({ name: 'B' });
    const complaintOfB = await crm.complaints.open({ customerId: b.id, subject: 'x', channel: 'email' });
    const before = await snapshot(store);
    const base = { customerId: a.id, channel: 'letter' as const, direction: 'outbound' as const };
    await expect(crm.touchpoints.log({ ...base, customerId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' })).rejects.toThrow(
      'Invalid touchpoint input: customerId: no customer with this id',
    );
    await expect(crm.touchpoints.log({ ...base, complaintId: complaintOfB.id })).rejects.toThrow('complaintId: no complaint with this id for this customer');
    await expect(crm.touchpoints.log({ ...base, addressId: 'nope' })).rejects.toThrow('addressId: no address with this id for this customer');
    await expect(crm.touchpoints.log({ ...base, actorId: 'mallory' })).rejects.toThrow('actorId: unknown staff member "mallory"');
    await expect(crm.touchpoints.log({ ...base, customerId: "1' OR '1'='1" })).rejects.toThrow('customerId: invalid id');
    expect(await snapshot(store)).toBe(before);
    const ok = await crm.touchpoints.log({ ...base, addressId: a.addresses[0]!.id, actorId: 'sam' });
    expect(ok.addressId).toBe(a.addresses[0]!.id);
  });

  it('rejects unknown fields and out-of-range values with their paths', async () => {
    const { crm } = setup();
    const c = await crm.customers.create({ name: 'x' });
    const error = await crm.touchpoints
      .log({ customerId: c.id, channel: 'fax', direction: 'inbound', sentiment: 3, participants: [{ name: '' }], colour: 'red' } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmValidationError);
    expect((error as Error).message).toMatchInlineSnapshot(
      `"Invalid touchpoint input: channel: expected one of "call", "email", "meeting", "visit", "letter", "chat", "sms", "web_form", "self_service"; participants[0].name: must not be empty; sentiment: must be between -1 and 1; colour: unknown field"`,
    );
  });

  it('accepts a 20,000-character summary and refuses one longer', async () => {
    const { crm } = setup();
    const c = await crm.customers.create({ name: 'x' });
    const long = '長'.repeat(20_000);
    const t = await crm.touchpoints.log({ customerId: c.id, channel: 'email', direction: 'inbound', summary: long });
    expect((await crm.touchpoints.get(t.id)).summary).toBe(long);
    await expect(crm.touchpoints.log({ customerId: c.id, channel: 'email', direction: 'inbound', summary: `${long}!` })).rejects.toThrow(
      'summary: must be at most 20000 characters',
    );
  });
});

describe('fastTouchpointInput (the ingest fast path)', () => {
  /** Mostly valid values, sometimes a bad one: most inputs reach the fast path, some must not. */
  const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad, weight: 1 });
  const id = mostly(fc.constantFrom('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'sam', 'a_b-C'), fc.constantFrom('bad id!', '', 'x'.repeat(65), 42));
  const text = mostly(fc.string({ minLength: 1, maxLength: 30 }), fc.constantFrom(' padded ', '', 'a\u0000b', '\uD800', 'x'.repeat(20_001), 7));
  const input = fc.record(
    {
      customerId: id,
      channel: mostly(fc.constantFrom(...CHANNELS), fc.constant('fax')),
      direction: mostly(fc.constantFrom('inbound', 'outbound'), fc.constant('sideways')),
      occurredAt: mostly(
        fc.oneof(
          fc.date({ min: new Date(0), max: new Date(4_000_000_000_000), noInvalidDate: true }),
          fc.date({ min: new Date(0), max: new Date(4_000_000_000_000), noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        fc.oneof(
          fc.date({ min: new Date(-70_000_000_000_000), max: new Date(260_000_000_000_000), noInvalidDate: false }),
          fc.constantFrom('2026-02-29T10:00:00.000Z', '2024-02-29T10:00:00.000Z', '2026-03-02T10:00:00+08:00', '2026-03-02T10:00Z', '0050-01-01T00:00:00.000Z', '2026-01-01T24:00:00.000Z', 'yesterday'),
        ),
      ),
      durationSeconds: mostly(fc.integer({ min: 0, max: 604_800 }), fc.oneof(fc.integer({ min: -5, max: -1 }), fc.constant(604_801), fc.double())),
      actorId: id,
      complaintId: id,
      subject: text,
      summary: mostly(fc.string({ maxLength: 60 }), fc.constantFrom(' x', 'a\u0000b')),
      department: text,
      nextStep: text,
      outcome: mostly(fc.constantFrom('resolved', 'order', 'complaint', 'no_answer'), fc.constant('maybe')),
      sentiment: mostly(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(Number.NaN, 1.5, -3, '0.5')),
      participants: mostly(
        fc.array(
          fc.record(
            {
              name: mostly(fc.constantFrom('Linda', '林美', 'Siti Aminah'), fc.constantFrom('', ' Linda', 'x'.repeat(201))),
              role: mostly(fc.constantFrom('Pengurus', 'buyer'), fc.constantFrom('', 'x'.repeat(101))),
              email: mostly(fc.constantFrom('Linda@Example.COM', 'a.b+c@x.io'), fc.constantFrom('no-at', ' x@y.zz', 'a@b', `${'x'.repeat(250)}@y.zz`)),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
        fc.constantFrom('nobody', [{ name: 'A', age: 3 }], Array.from({ length: 51 }, () => ({ name: 'x' }))),
      ),
      externalIds: mostly(fc.constant({}), fc.constantFrom({ hubspot: '42' }, null)),
      extra: fc.constant('unknown field'),
    },
    { requiredKeys: ['customerId', 'channel', 'direction'] },
  ).map((raw) => {
    // The unknown field comes along only now and then.
    const { extra, ...rest } = raw as Record<string, unknown>;
    const length = JSON.stringify(rest).length;
    // Now and then a field is present but undefined, as apps often write optional fields.
    if (length % 5 === 0) return { ...rest, summary: undefined, actorId: undefined };
    if (length % 23 === 0) return { ...rest, extra: undefined };
    return length % 17 === 0 ? { ...rest, extra } : rest;
  });

  it('accepts only what zod accepts, with exactly zod’s output', () => {
    let accepted = 0;
    fc.assert(
      fc.property(input, (raw) => {
        const fast = fastTouchpointInput(raw);
        const slow = TouchpointInputSchema.safeParse(raw);
        if (fast === undefined) return;
        accepted++;
        expect(slow.success).toBe(true);
        expect(fast).toEqual(slow.data);
      }),
      { numRuns: 5000 },
    );
    // The generator must reach the fast path often enough for the property to mean something.
    expect(accepted).toBeGreaterThan(20);
  });

  it('takes the common shapes of ingest', () => {
    const raw = { customerId: 'C1', channel: 'call', direction: 'inbound', occurredAt: '2026-03-02T10:00:00.000Z', summary: 'hello', outcome: 'resolved', actorId: 'sam' };
    expect(fastTouchpointInput(raw)).toEqual(TouchpointInputSchema.parse(raw));
    expect(fastTouchpointInput({ ...raw, occurredAt: new Date('2026-03-02T10:00:00Z') })).toEqual({ ...TouchpointInputSchema.parse(raw) });
    const withPeople = { ...raw, participants: [{ name: '林美', role: '老闆', email: 'Mei@Example.TW' }] };
    expect(fastTouchpointInput(withPeople)).toEqual(TouchpointInputSchema.parse(withPeople));
    expect(fastTouchpointInput(withPeople)?.participants[0]?.email).toBe('mei@example.tw');
    // Optional fields set to undefined stay on the fast path; an unknown one, even undefined, goes to zod (which rejects it).
    expect(fastTouchpointInput({ ...raw, summary: undefined, nextStep: undefined })).toEqual(TouchpointInputSchema.parse({ ...raw, summary: undefined }));
    expect(fastTouchpointInput({ ...raw, extra: undefined })).toBeUndefined();
    expect(TouchpointInputSchema.safeParse({ ...raw, extra: undefined }).success).toBe(false);
    expect(fastTouchpointInput({ ...raw, customerId: undefined })).toBeUndefined();
  });
});
