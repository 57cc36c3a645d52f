import { describe, expect, it } from 'vitest';
import { CrmValidationError } from '../errors/index.js';
import { languageScore, localeFallbacks } from '../services/routing.js';
import { setup } from './helpers.js';

const staff = [
  { id: 'sam', name: 'Sam', languages: ['en'], capacity: 10 },
  { id: 'linda', name: 'Linda', languages: ['en', 'zh-TW'], capacity: 2 },
  { id: 'wei', name: 'Wei', languages: ['zh-Hant'], capacity: 10 },
  { id: 'li', name: 'Li', languages: ['zh-CN'], capacity: 10 },
  { id: 'aisyah', name: 'Aisyah', languages: ['ms'], capacity: 10, active: false },
];

describe('language fallbacks', () => {
  it('go from the tag to its script to its language', () => {
    expect(localeFallbacks('zh-TW')).toEqual(['zh-TW', 'zh-Hant', 'zh']);
    expect(localeFallbacks('zh-CN')).toEqual(['zh-CN', 'zh-Hans', 'zh']);
    expect(localeFallbacks('zh-Hant')).toEqual(['zh-Hant', 'zh']);
    expect(localeFallbacks('ms-MY')).toEqual(['ms-MY', 'ms']);
    expect(localeFallbacks('it')).toEqual(['it']);
  });

  it('score a staff language against the customer’s: exact, same script, same language, none', () => {
    expect(languageScore('zh-TW', 'zh-TW')).toBe(3);
    expect(languageScore('zh-Hant', 'zh-TW')).toBe(2);
    expect(languageScore('zh-HK', 'zh-TW')).toBe(2);
    expect(languageScore('zh', 'zh-TW')).toBe(1);
    expect(languageScore('zh-CN', 'zh-TW')).toBe(1);
    expect(languageScore('en', 'zh-TW')).toBe(0);
    expect(languageScore('ms', 'ms-MY')).toBe(1);
    expect(languageScore('it', 'it')).toBe(1);
  });
});

describe('routing complaints opened without an owner', () => {
  it('prefers the customer’s own account owner while they have room, and records why', async () => {
    const { crm } = setup({ staff });
    const c = await crm.customers.create({ name: 'Ann', locale: 'zh-TW', ownerId: 'sam' });
    const k = await crm.complaints.open({ customerId: c.id, subject: 'Late', channel: 'call' });
    expect(k.ownerId).toBe('sam');
    expect(k.activity[1]).toMatchObject({
      type: 'assigned',
      from: null,
      to: 'sam',
      reason: "routed: the customer's own account owner; 0 open of 10",
    });
  });

  it('else the best speaker of the customer’s language with room (zh-TW, then zh-Hant, then zh), least loaded first', async () => {
    const { crm } = setup({ staff });
    const mei = await crm.customers.create({ name: '林美', locale: 'zh-TW' });
    const open = () => crm.complaints.open({ customerId: mei.id, subject: '包裝破損', channel: 'call' });
    const owners: string[] = [];
    const reasons: string[] = [];
    for (let i = 0; i < 4; i++) {
      const k = await open();
      owners.push(k.ownerId!);
      reasons.push((k.activity[1] as { reason: string }).reason);
    }
    // Linda speaks zh-TW but has room for 2; then Wei (zh-Hant) takes the rest.
    expect(owners).toEqual(['linda', 'linda', 'wei', 'wei']);
    expect(reasons).toEqual([
      'routed: speaks zh-TW; 0 open of 2',
      'routed: speaks zh-TW; 1 open of 2',
      'routed: speaks zh-Hant (for zh-TW); 0 open of 10',
      'routed: speaks zh-Hant (for zh-TW); 1 open of 10',
    ]);
    // Resolving frees Linda again.
    const first = (await crm.complaints.list({ ownerId: 'linda', limit: 1 })).items[0]!;
    await crm.complaints.resolve(first.id, {});
    expect((await open()).ownerId).toBe('linda');
  });

  it('falls back to anyone with room, then to the least loaded when everyone is full; inactive staff get nothing', async () => {
    const { crm } = setup({ staff: [staff[0]!, { ...staff[1]!, capacity: 1 }, staff[4]!] });
    const siti = await crm.customers.create({ name: 'Siti', locale: 'ms-MY' });
    const k = await crm.complaints.open({ customerId: siti.id, subject: 'Bil', channel: 'email' });
    expect(k.ownerId).toBe('sam'); // Aisyah speaks Malay but is inactive.
    expect((k.activity[1] as { reason: string }).reason).toBe('routed: no one with room speaks ms-MY; 0 open of 10');
    const full = setup({
      staff: [
        { id: 'a', name: 'A', capacity: 1 },
        { id: 'b', name: 'B', capacity: 1 },
      ],
    });
    const c = await full.crm.customers.create({ name: 'Zed' });
    const owners = [];
    for (let i = 0; i < 3; i++) owners.push((await full.crm.complaints.open({ customerId: c.id, subject: 'x', channel: 'call' })).ownerId);
    expect(owners).toEqual(['a', 'b', 'a']);
  });

  it('an explicit owner is kept; without a staff directory or with routing: false nobody is routed', async () => {
    const { crm } = setup({ staff });
    const c = await crm.customers.create({ name: 'Ann', locale: 'zh-TW' });
    expect((await crm.complaints.open({ customerId: c.id, subject: 'x', channel: 'call', ownerId: 'sam' })).activity[1]).toMatchObject({
      to: 'sam',
      reason: 'owner when opened',
    });
    const none = setup();
    const d = await none.crm.customers.create({ name: 'Dee' });
    expect((await none.crm.complaints.open({ customerId: d.id, subject: 'x', channel: 'call' })).ownerId).toBeUndefined();
    const off = setup({ staff, routing: false });
    const e = await off.crm.customers.create({ name: 'Eve' });
    expect((await off.crm.complaints.open({ customerId: e.id, subject: 'x', channel: 'call' })).ownerId).toBeUndefined();
  });

  it('a custom routing function decides, and its answer is checked against the directory', async () => {
    const { crm } = setup({
      staff,
      routing: ({ complaint }) => (complaint.priority === 'urgent' ? { ownerId: 'li', reasons: ['urgent: duty manager'] } : null),
    });
    const c = await crm.customers.create({ name: 'Ann' });
    const urgent = await crm.complaints.open({ customerId: c.id, subject: 'Fire', channel: 'call', priority: 'urgent' });
    expect(urgent.ownerId).toBe('li');
    expect((urgent.activity[1] as { reason: string }).reason).toBe('routed: urgent: duty manager');
    expect((await crm.complaints.open({ customerId: c.id, subject: 'Meh', channel: 'call' })).ownerId).toBeUndefined();

    const bad = setup({ staff, routing: () => ({ ownerId: 'nobody', reasons: ['guess'] }) });
    const b = await bad.crm.customers.create({ name: 'Bo' });
    await expect(bad.crm.complaints.open({ customerId: b.id, subject: 'x', channel: 'call' })).rejects.toThrowErrorMatchingInlineSnapshot(
      `[CrmValidationError: Invalid routing decision: ownerId: is not in the staff directory]`,
    );
    expect((await bad.crm.complaints.list()).items).toEqual([]);
    expect(() => setup({ routing: 'round-robin' as never })).toThrow(CrmValidationError);
  });
});
