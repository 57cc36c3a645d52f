import { describe, expect, it } from 'vitest';
import { CrmConflictError, CrmNotFoundError, CrmValidationError, isCrmError } from '../errors/index.js';
import { setup, snapshot } from './helpers.js';

describe('crm.customers', () => {
  it('creates a customer with defaults, canonical locale and lower-case emails', async () => {
    const { crm } = setup();
    const mei = await crm.customers.create({ name: ' 林美 ', emails: ['Mei@Example.TW'], locale: 'zh-tw', timeZone: 'Asia/Taipei' });
    expect(mei).toMatchObject({
      kind: 'customer',
      name: '林美',
      emails: ['mei@example.tw'],
      locale: 'zh-TW',
      timeZone: 'Asia/Taipei',
      phones: [],
      tags: [],
      addresses: [],
      externalIds: {},
      version: 1,
      createdAt: '2026-03-02T09:00:00.000Z',
      updatedAt: '2026-03-02T09:00:00.000Z',
    });
    expect(mei.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(await crm.customers.get(mei.id)).toEqual(mei);
  });

  it('names every bad field in one readable message and writes nothing', async () => {
    const { crm, store } = setup();
    const before = await snapshot(store);
    const error = await crm.customers
      .create({ name: 'Sam', emails: ['not-an-email'], locale: 'xx-??', nickname: 'S' } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmValidationError);
    expect((error as Error).message).toMatchInlineSnapshot(
      `"Invalid customer input: emails[0]: invalid email address; locale: unknown language tag: expected a BCP 47 tag such as "en" or "zh-TW"; nickname: unknown field"`,
    );
    expect((error as CrmValidationError).issues.map((i) => [i.field, i.code])).toEqual([
      ['emails[0]', 'invalid_format'],
      ['locale', 'custom'],
      ['nickname', 'unknown_field'],
    ]);
    expect((error as CrmValidationError).fieldErrors()).toEqual({
      'emails[0]': ['invalid email address'],
      locale: ['unknown language tag: expected a BCP 47 tag such as "en" or "zh-TW"'],
      nickname: ['unknown field'],
    });
    expect(await snapshot(store)).toBe(before);
  });

  it('suggests the known field one edit away from an unknown key (email → emails), and only then', async () => {
    const { crm } = setup();
    await expect(crm.customers.create({ name: 'Mei', email: 'mei@example.tw' } as never)).rejects.toThrow(
      'Invalid customer input: email: unknown field; did you mean "emails"?',
    );
    await expect(crm.customers.create({ name: 'Mei', Tags: ['vip'], nmae: 'x' } as never)).rejects.toThrow(
      'Invalid customer input: Tags: unknown field; did you mean "tags"?; nmae: unknown field',
    );
    const nested = await crm.customers.create({ name: 'Mei', addresses: [{ lines: ['1 Main St'], citi: 'Taipei' }] } as never).catch((e: unknown) => e);
    expect(String(nested)).toContain('addresses[0].citi: unknown field; did you mean "city"?');
  });

  it('says what is missing and what type was expected', async () => {
    const { crm } = setup();
    await expect(crm.customers.create({ emails: 'a@b.c', timeZone: 'Mars/Olympus' } as never)).rejects.toThrowErrorMatchingInlineSnapshot(
      `[CrmValidationError: Invalid customer input: name: is required; emails: expected array, received string; timeZone: unknown IANA time zone: expected a name such as "Europe/Rome"]`,
    );
  });

  it('never copies a rejected email into the error (personal data stays out of logs)', async () => {
    const { crm } = setup();
    const error = await crm.customers.create({ name: 'X', emails: ['secret.person@@example.com'] }).catch((e: unknown) => e);
    expect(String(error)).not.toContain('secret.person');
    expect(JSON.stringify((error as CrmValidationError).issues)).not.toContain('secret.person');
  });

  it('keeps HTML as plain text, and rejects text no store could keep', async () => {
    const { crm } = setup();
    const html = await crm.customers.create({ name: '<img src=x onerror=alert(1)>' });
    expect(html.name).toBe('<img src=x onerror=alert(1)>');
    await expect(crm.customers.create({ name: 'a\u0000b' })).rejects.toThrow('name: contains a NUL character or an unpaired surrogate');
    await expect(crm.customers.create({ name: 'a\uD800b' })).rejects.toThrow('name: contains a NUL character or an unpaired surrogate');
    await expect(crm.customers.create({ name: 'x'.repeat(201) })).rejects.toThrow('name: must be at most 200 characters');
    await expect(crm.customers.create({ name: 'x', tags: Array.from({ length: 101 }, (_, i) => `t${i}`) })).rejects.toThrow(
      'tags: must have at most 100 items',
    );
  });

  it('checks external ids per system, naming the system', async () => {
    const { crm } = setup();
    const c = await crm.customers.create({ name: 'x', externalIds: { hubspot: '901', salesforce: '003A000001' } });
    expect(c.externalIds).toEqual({ hubspot: '901', salesforce: '003A000001' });
    expect((await crm.customers.list({ externalId: { system: 'hubspot', id: '901' } })).items).toEqual([c]);
    await expect(crm.customers.create({ name: 'x', externalIds: { HubSpot: '1', salesforce: '' } })).rejects.toThrow(
      'Invalid customer input: externalIds.HubSpot: expected a system name in lower case, such as "hubspot"; externalIds.salesforce: expected an id of 1 to 255 characters without surrounding spaces',
    );
    await expect(crm.customers.create({ name: 'x', externalIds: ['1'] as never })).rejects.toThrow('externalIds: expected an object of ids by system name');
  });

  it('assigns ids to addresses and keeps their freshness fields', async () => {
    const { crm } = setup();
    const c = await crm.customers.create({
      name: 'Giulia Rossi',
      addresses: [{ lines: ['Via Roma 1'], city: 'Roma', country: 'IT', status: 'valid', confirmedAt: '2026-01-10T10:00:00+01:00' }],
    });
    expect(c.addresses[0]).toMatchObject({ lines: ['Via Roma 1'], status: 'valid', confirmedAt: '2026-01-10T09:00:00.000Z' });
    expect(c.addresses[0]!.id).toMatch(/^[0-9A-Z]{26}$/);
    await expect(crm.customers.create({ name: 'x', addresses: [{ lines: ['a'], country: 'Italy' }] })).rejects.toThrow(
      'addresses[0].country: expected an ISO 3166-1 alpha-2 country code such as "IT"',
    );
  });

  it('updates: missing fields stay, null clears, arrays replace, version and updatedAt move', async () => {
    const { crm, clock } = setup();
    const c = await crm.customers.create({ name: 'Ahmad', company: 'Kedai Ahmad', tags: ['vip'], locale: 'ms' });
    clock.advance(60_000);
    const updated = await crm.customers.update(c.id, { company: null, tags: ['vip', 'wholesale'], kind: 'former', notBuyingReason: 'Moved to a competitor' });
    expect(updated).toMatchObject({ name: 'Ahmad', locale: 'ms', tags: ['vip', 'wholesale'], kind: 'former', notBuyingReason: 'Moved to a competitor', version: 2 });
    expect(updated).not.toHaveProperty('company');
    expect(updated.updatedAt).toBe('2026-03-02T09:01:00.000Z');
    expect(updated.createdAt).toBe(c.createdAt);
    expect(await crm.customers.get(c.id)).toEqual(updated);
  });

  it('fails an update on a stale version with CrmConflictError and writes nothing', async () => {
    const { crm, store } = setup();
    const c = await crm.customers.create({ name: 'Linda' });
    await crm.customers.update(c.id, { company: 'ACME' }, { version: 1 });
    const before = await snapshot(store);
    const error = await crm.customers.update(c.id, { company: 'Other' }, { version: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmConflictError);
    expect(error).toMatchObject({ code: 'CONFLICT', expectedVersion: 1, currentVersion: 2 });
    expect((await crm.customers.get(c.id)).company).toBe('ACME');
    expect(await snapshot(store)).toBe(before);
  });

  it('applies concurrent patches without a version to the latest record, losing neither', async () => {
    const { crm } = setup();
    const c = await crm.customers.create({ name: 'Sam' });
    await Promise.all([crm.customers.update(c.id, { company: 'ACME' }), crm.customers.update(c.id, { tags: ['vip'] })]);
    const after = await crm.customers.get(c.id);
    expect(after).toMatchObject({ company: 'ACME', tags: ['vip'], version: 3 });
  });

  it('rejects a bad patch without touching the record', async () => {
    const { crm } = setup();
    const c = await crm.customers.create({ name: 'Sam' });
    await expect(crm.customers.update(c.id, { name: '', emails: ['x'] })).rejects.toThrow(
      'Invalid customer update: name: must not be empty; emails[0]: invalid email address',
    );
    expect(await crm.customers.get(c.id)).toEqual(c);
  });

  it('throws CrmNotFoundError for unknown ids', async () => {
    const { crm } = setup();
    const error = await crm.customers.get('01HZZZZZZZZZZZZZZZZZZZZZZZ').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmNotFoundError);
    expect(isCrmError(error, 'NOT_FOUND')).toBe(true);
    expect((error as Error).message).toBe('No customer with id "01HZZZZZZZZZZZZZZZZZZZZZZZ" exists');
    await expect(crm.customers.update('nope', { name: 'x' })).rejects.toBeInstanceOf(CrmNotFoundError);
  });

  it('finds customers by email, case-insensitively', async () => {
    const { crm } = setup();
    const a = await crm.customers.create({ name: 'A', emails: ['shared@example.com', 'a@example.com'] });
    const b = await crm.customers.create({ name: 'B', emails: ['SHARED@example.com'] });
    expect((await crm.customers.findByEmail('Shared@Example.com')).map((c) => c.id)).toEqual([a.id, b.id]);
    expect(await crm.customers.findByEmail('nobody@example.com')).toEqual([]);
  });

  it('lists with filters and pages, and rejects unknown filters instead of listing everything', async () => {
    const { crm } = setup();
    for (let i = 0; i < 5; i++) await crm.customers.create({ name: `P${i}`, kind: 'prospect', tags: i % 2 ? ['vip'] : [] });
    await crm.customers.create({ name: 'C', kind: 'customer' });
    const first = await crm.customers.list({ kind: 'prospect', limit: 2 });
    expect(first.items.map((c) => c.name)).toEqual(['P4', 'P3']);
    const second = await crm.customers.list({ kind: 'prospect', limit: 2, cursor: first.nextCursor });
    expect(second.items.map((c) => c.name)).toEqual(['P2', 'P1']);
    expect((await crm.customers.list({ tag: 'vip', order: 'asc' })).items.map((c) => c.name)).toEqual(['P1', 'P3']);
    await expect(crm.customers.list({ knd: 'prospect' } as never)).rejects.toThrow('knd: unknown field');
    await expect(crm.customers.list({ limit: 0 })).rejects.toThrow('limit: must be a whole number from 1 to 500');
  });

  it('gives the overview in one call: open complaints and the last contact', async () => {
    const { crm, clock } = setup();
    const c = await crm.customers.create({ name: 'Mei', locale: 'zh-TW' });
    expect(await crm.customers.overview(c.id)).toEqual({ customer: c, openComplaints: [], lastContact: null });
    await crm.touchpoints.log({ customerId: c.id, channel: 'email', direction: 'outbound', occurredAt: '2026-03-01T10:00:00Z' });
    const call = await crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'inbound', occurredAt: '2026-03-02T08:00:00Z' });
    await crm.touchpoints.log({ customerId: c.id, channel: 'letter', direction: 'outbound', occurredAt: '2026-02-01T10:00:00Z' });
    const open = await crm.complaints.open({ customerId: c.id, subject: 'Late refund', channel: 'call' });
    const done = await crm.complaints.open({ customerId: c.id, subject: 'Old issue', channel: 'email' });
    clock.advance(1000);
    await crm.complaints.resolve(done.id);
    const overview = await crm.customers.overview(c.id);
    expect(overview.lastContact?.id).toBe(call.id);
    expect(overview.openComplaints.map((x) => x.id)).toEqual([open.id]);
    expect(overview.openComplaints[0]!.locale).toBe('zh-TW');
  });
});
