import { describe, expect, it } from 'vitest';
import { CrmNotFoundError } from '../errors/index.js';
import { setup } from './helpers.js';

describe('crm.history', () => {
  it('merges touchpoints and complaint activity newest first, with who did what', async () => {
    const { crm, clock } = setup();
    const c = await crm.customers.create({ name: 'Caller' });
    const other = await crm.customers.create({ name: 'Someone else' });
    await crm.touchpoints.log({ customerId: other.id, channel: 'call', direction: 'inbound' });
    const first = await crm.touchpoints.log({ customerId: c.id, channel: 'call', direction: 'inbound', actorId: 'sam', participants: [{ name: 'Pat' }] });
    clock.advance(60_000);
    const complaint = await crm.complaints.open({ customerId: c.id, subject: 'Billing', channel: 'call', ownerId: 'sam' });
    clock.advance(60_000);
    await crm.complaints.assign(complaint.id, 'linda', { reason: 'Billing specialist', actorId: 'sam' });
    clock.advance(60_000);
    const backdated = await crm.touchpoints.log({ customerId: c.id, channel: 'letter', direction: 'outbound', occurredAt: '2026-01-01T00:00:00Z' });
    const { items, nextCursor } = await crm.history(c.id);
    expect(nextCursor).toBeNull();
    expect(items.map((i) => (i.type === 'touchpoint' ? `tp:${i.touchpoint.channel}` : `c:${i.activity.type}`))).toEqual([
      'c:assigned',
      'c:assigned',
      'c:opened',
      'tp:call',
      'tp:letter',
    ]);
    const handOff = items[0]!;
    expect(handOff).toMatchObject({
      type: 'complaint_activity',
      at: '2026-03-02T09:02:00.000Z',
      complaint: { id: complaint.id, subject: 'Billing', ownerId: 'linda', status: 'new' },
      activity: { from: 'sam', to: 'linda', reason: 'Billing specialist' },
    });
    expect(items[3]).toMatchObject({ type: 'touchpoint', id: first.id, touchpoint: { actorId: 'sam', participants: [{ name: 'Pat' }] } });
    expect(items[4]!.id).toBe(backdated.id);
  });

  it('pages with cursors and filters by channel and type', async () => {
    const { crm, clock } = setup();
    const c = await crm.customers.create({ name: 'x' });
    for (let i = 0; i < 7; i++) {
      clock.advance(1000);
      await crm.touchpoints.log({ customerId: c.id, channel: i % 2 ? 'email' : 'call', direction: 'inbound', subject: `#${i}` });
    }
    const p1 = await crm.history(c.id, { limit: 3 });
    const p2 = await crm.history(c.id, { limit: 3, cursor: p1.nextCursor });
    const p3 = await crm.history(c.id, { limit: 3, cursor: p2.nextCursor });
    const subjects = [...p1.items, ...p2.items, ...p3.items].map((i) => (i.type === 'touchpoint' ? i.touchpoint.subject : ''));
    expect(subjects).toEqual(['#6', '#5', '#4', '#3', '#2', '#1', '#0']);
    expect(p3.nextCursor).toBeNull();
    const emails = await crm.history(c.id, { channels: ['email'] });
    expect(emails.items.map((i) => (i.type === 'touchpoint' ? i.touchpoint.subject : ''))).toEqual(['#5', '#3', '#1']);
    expect((await crm.history(c.id, { types: ['complaint_activity'] })).items).toEqual([]);
  });

  it('checks the customer and the query', async () => {
    const { crm } = setup();
    await expect(crm.history('01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toBeInstanceOf(CrmNotFoundError);
    const c = await crm.customers.create({ name: 'x' });
    await expect(crm.history(c.id, { limit: 10_000 })).rejects.toThrow('Invalid history query: limit: must be a whole number from 1 to 500');
    await expect(crm.history(c.id, { channels: ['pigeon'] } as never)).rejects.toThrow('channels[0]: expected one of');
    await expect(crm.history(c.id, { cursor: 'forged' })).rejects.toThrow('cursor: invalid cursor');
  });
});
