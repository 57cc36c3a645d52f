import { describe, expect, it } from 'vitest';
import type { Channel } from '../schemas/primitives.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import { memoryStore } from '../store/memoryStore.js';
import type { HistoryItem } from '../store/types.js';
import {
  contractTime,
  createOp,
  describeStoreContract,
  makeActivity,
  makeComplaint,
  makeCustomer,
  makeTouchpoint,
} from '../testing/index.js';

await describeStoreContract('memoryStore', (setup) => memoryStore(setup));

/** A small deterministic pseudo-random generator (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const newestFirst = (a: { at: string; id: string }, b: { at: string; id: string }) =>
  a.at !== b.at ? (a.at < b.at ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

describe('memoryStore specifics', () => {
  it('pages through 10,000 touchpoints of one customer among others, in time order, from any cursor', async () => {
    const store = memoryStore();
    const next = random(42);
    const channels: Channel[] = ['call', 'email', 'letter', 'chat'];
    const [target, ...others] = [makeCustomer({ name: 'Target' }), makeCustomer(), makeCustomer()];
    await store.write([target!, ...others].map((c) => createOp('customers', c)));
    const mine: Touchpoint[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const ops = [];
      for (let i = 0; i < 600; i++) {
        // Minutes drawn from a small range, so many touchpoints share an instant and ties are by id.
        const owner = i % 6 === 5 ? others[i % 2]! : target!;
        const t = makeTouchpoint(owner.id, {
          occurredAt: contractTime(Math.floor(next() * 3000) - 1500),
          channel: channels[Math.floor(next() * 4)]!,
        });
        if (owner === target) mine.push(t);
        ops.push(createOp('touchpoints', t));
      }
      await store.write(ops);
    }
    expect(mine).toHaveLength(10_000);
    const expected = mine
      .map((t) => ({ at: t.occurredAt, id: t.id }))
      .sort(newestFirst)
      .map((t) => t.id);

    const walked: string[] = [];
    const cursors: (string | null)[] = [null];
    for (let cursor: string | null = null, pages = 0; pages < 100; pages++) {
      const page: { items: HistoryItem[]; nextCursor: string | null } = await store.history(target!.id, { limit: 500, cursor });
      walked.push(...page.items.map((i) => i.id));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
      cursors.push(cursor);
    }
    expect(walked).toEqual(expected);
    expect(cursors).toHaveLength(20);
    // Starting again from a cursor deep in the middle gives exactly the rest.
    const deep = await store.history(target!.id, { limit: 7, cursor: cursors[13] });
    expect(deep.items.map((i) => i.id)).toEqual(expected.slice(13 * 500, 13 * 500 + 7));

    const calls = mine
      .filter((t) => t.channel === 'call')
      .map((t) => ({ at: t.occurredAt, id: t.id }))
      .sort(newestFirst)
      .map((t) => t.id);
    const firstCalls = await store.history(target!.id, { limit: 100, channels: ['call'] });
    expect(firstCalls.items.map((i) => i.id)).toEqual(calls.slice(0, 100));

    const listed: string[] = [];
    for (let cursor: string | null = null, pages = 0; pages < 100; pages++) {
      const page: { items: Touchpoint[]; nextCursor: string | null } = await store.list('touchpoints', {
        filter: { customerId: target!.id },
        limit: 500,
        cursor,
      });
      listed.push(...page.items.map((t) => t.id));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(listed).toEqual(mine.map((t) => t.id).reverse());
    await store.close();
  });

  it('freezes the records it keeps, so a stray mutation throws instead of corrupting the store', async () => {
    const store = memoryStore();
    const customer = makeCustomer({ tags: ['a'] });
    const complaint = makeComplaint(customer.id, { activity: [makeActivity({ type: 'opened' })] });
    await store.write([createOp('customers', customer), createOp('complaints', complaint)]);
    const got = (await store.get('customers', customer.id))!;
    expect(Object.isFrozen(got)).toBe(true);
    expect(Object.isFrozen(got.tags)).toBe(true);
    expect(() => got.tags.push('b')).toThrow(TypeError);
    const k = (await store.get('complaints', complaint.id))!;
    expect(Object.isFrozen(k.activity[0])).toBe(true);
    await store.close();
  });

  it('calls subscribers before write resolves', async () => {
    const store = memoryStore();
    const seqs: number[] = [];
    store.subscribe!((changes) => seqs.push(...changes.map((c) => c.seq)));
    const c = makeCustomer();
    const written = store.write([createOp('customers', c), createOp('touchpoints', makeTouchpoint(c.id))]);
    const { lastSeq } = await written;
    expect(seqs).toEqual([1, 2]);
    expect(lastSeq).toBe(2);
    await store.close();
  });
});

describe('listPage and historyPage', () => {
  it('make the cursors that checkListQuery and checkHistoryQuery read back, and none on a last page', async () => {
    const { listPage, historyPage, checkListQuery, checkHistoryQuery } = await import('../store/queries.js');
    const customer = makeCustomer();
    const page = listPage('customers', [customer], true);
    expect(checkListQuery('customers', { cursor: page.nextCursor! }).after).toBe(customer.id);
    expect(() => checkListQuery('touchpoints', { cursor: page.nextCursor! })).toThrow(/cursor/);
    expect(listPage('customers', [customer], false).nextCursor).toBeNull();
    expect(listPage('customers', [], true).nextCursor).toBeNull();
    const tp = makeTouchpoint(customer.id);
    const history = historyPage([{ type: 'touchpoint', id: tp.id, at: tp.occurredAt, touchpoint: tp }], true);
    expect(checkHistoryQuery({ cursor: history.nextCursor! }).afterKey).toBe(tp.occurredAt + tp.id);
    expect(historyPage([], true).nextCursor).toBeNull();
  });
});
