import { describe, expect, it } from 'vitest';
import { createCrm, memoryStore, type CrmStore } from '@crm/core';
import { createSync, type PushInput, type SyncRemote, type SyncStep, type SyncStepEvent } from '../sync/index.js';
import { fakeRemote } from './syncFakeRemote.js';

class Crash extends Error {}

/** A clock the test moves: leases and look-up settling run on it. */
function testClock(start = Date.parse('2026-03-02T09:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), ms: () => t, advance: (ms: number) => void (t += ms) };
}

async function seed(store: CrmStore, customers: number, touchpointsEach: number) {
  const crm = createCrm({ store });
  const made = await crm.customers.createMany(Array.from({ length: customers }, (_, i) => ({ name: `Customer ${i}`, emails: [`c${i}@example.com`] })));
  const logs = made.flatMap((c, i) =>
    Array.from({ length: touchpointsEach }, (_, j) => ({ customerId: c.id, channel: 'call' as const, direction: 'inbound' as const, summary: `call ${i}.${j}` })),
  );
  for (let i = 0; i < logs.length; i += 500) await crm.touchpoints.logMany(logs.slice(i, i + 500));
  return crm;
}

/** The crashed process is gone; a new one starts after its leases ran out and pushes until nothing is queued. */
async function restartUntilDrained(store: CrmStore, remote: SyncRemote, clock: ReturnType<typeof testClock>) {
  clock.advance(121_000);
  const restarted = createSync({ local: store, remote, now: clock.now, worker: 'w2', drainWaitMs: 0 });
  let report = await restarted.push();
  for (let round = 0; report.queued > 0 && round < 5; round++) {
    clock.advance(10_000);
    report = await restarted.push();
  }
  expect(report.queued).toBe(0);
}

/** The remote holds exactly one live twin per local record, with the right parent. */
async function expectMirror(store: CrmStore, fake: ReturnType<typeof fakeRemote>) {
  for (const entity of ['customers', 'touchpoints'] as const) {
    const locals: { id: string; customerId?: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await store.list(entity, { limit: 500, cursor });
      locals.push(...(page.items as { id: string; customerId?: string }[]));
      cursor = page.nextCursor;
    } while (cursor);
    const live = fake.live(entity);
    const counts = new Map<string, number>();
    for (const record of live) counts.set(record.localId!, (counts.get(record.localId!) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1), `${entity} duplicated`).toEqual([]);
    expect(new Set(counts.keys()), `${entity} missing or extra`).toEqual(new Set(locals.map((r) => r.id)));
    if (entity === 'touchpoints') {
      const customerTwin = new Map(fake.live('customers').map((c) => [c.remoteId, c.localId]));
      for (const record of live) expect(customerTwin.get(record.links.customer!)).toBe(locals.find((l) => l.id === record.localId)!.customerId);
    }
  }
}

describe('createSync: push', () => {
  it('sends every record once, in batches of the remote’s size, parents first', async () => {
    const store = memoryStore();
    await seed(store, 250, 2);
    const fake = fakeRemote();
    const sync = createSync({ local: store, remote: fake.remote });
    const report = await sync.push();
    expect(report.pushed).toBe(750);
    expect(report.failed).toBe(0);
    expect(fake.calls.filter((c) => c.method === 'push' && c.entity === 'customers').map((c) => c.count)).toEqual([100, 100, 50]);
    expect(fake.calls.filter((c) => c.method === 'push' && c.entity === 'touchpoints').length).toBe(5);
    await expectMirror(store, fake);
    // Nothing new: the next push sends nothing.
    const again = await sync.push();
    expect(again.pushed).toBe(0);
    expect(fake.calls.filter((c) => c.method === 'push').length).toBe(8);
  });

  it('sends an update of a record already sent to its remote twin, and reports progress', async () => {
    const store = memoryStore();
    const crm = await seed(store, 3, 0);
    const fake = fakeRemote();
    const sync = createSync({ local: store, remote: fake.remote });
    await sync.push();
    const [first] = (await crm.customers.list({ limit: 1, order: 'asc' })).items;
    await crm.customers.update(first!.id, { name: 'Renamed' });
    const seen: number[] = [];
    sync.on('progress', (p) => seen.push(p.done));
    const report = await sync.push();
    expect(report.pushed).toBe(1);
    expect(seen).toEqual([1]);
    expect(fake.live('customers').find((r) => r.localId === first!.id)!.data.name).toBe('Renamed');
    expect(fake.live('customers')).toHaveLength(3);
  });

  it('reports a record the remote rejects, with the reason, and sends the rest', async () => {
    const store = memoryStore();
    const crm = createCrm({ store });
    await crm.customers.createMany([{ name: 'Good' }, { name: 'REJECT me' }, { name: 'Also good' }]);
    const fake = fakeRemote();
    const report = await createSync({ local: store, remote: fake.remote }).push();
    expect(report.pushed).toBe(2);
    expect(report.failed).toBe(1);
    expect(report.failures[0]).toMatchObject({ direction: 'push', entity: 'customers', error: { code: 'VALIDATION_ERROR', hint: 'fix the name', retryable: false } });
    expect((await createSync({ local: store, remote: fake.remote }).state.failures()).map((f) => f.localId)).toEqual([report.failures[0]!.localId]);
  });

  it('archives remotely what was deleted locally, and never sends what was deleted before it was sent', async () => {
    const store = memoryStore();
    const crm = await seed(store, 2, 1);
    const fake = fakeRemote();
    const sync = createSync({ local: store, remote: fake.remote });
    await sync.push();
    const [a, b] = (await crm.customers.list({ order: 'asc' })).items;
    await crm.customers.erase(a!.id, { reason: 'test' });
    const fresh = await crm.customers.create({ name: 'Short-lived' });
    await crm.customers.erase(fresh.id, { reason: 'test' });
    const report = await sync.push();
    expect(report.deleted).toBe(2); // the customer and its touchpoint
    expect(fake.live('customers').map((r) => r.localId)).toEqual([b!.id]);
    expect(fake.live('touchpoints')).toHaveLength(1);
    expect([...fake.records.values()].some((r) => r.localId === fresh.id)).toBe(false);
  });
});

describe('createSync: crashes', () => {
  const steps: SyncStep[] = ['push:claimed', 'push:before-request', 'push:after-response', 'push:after-complete'];

  it.each(steps.flatMap((step) => [0, 1, 2].map((nth) => [step, nth] as const)))(
    'a crash at %s (the %i-th time), then a restart: nothing missing, nothing duplicated',
    async (crashAt, nth) => {
      const store = memoryStore();
      await seed(store, 120, 2);
      const clock = testClock();
      const fake = fakeRemote({ now: clock.ms, settleMs: 5_000 });
      let seen = 0;
      const onStep = (event: SyncStepEvent) => {
        if (event.step === crashAt && seen++ === nth) throw new Crash(`crash at ${crashAt}`);
      };
      const crashed = createSync({ local: store, remote: fake.remote, now: clock.now, onStep, worker: 'w1', drainWaitMs: 0 });
      await expect(crashed.push()).rejects.toBeInstanceOf(Crash);
      await restartUntilDrained(store, fake.remote, clock);
      await expectMirror(store, fake);
    },
  );

  it('a lost response after the remote applied a batch of creates: looked up, not sent twice', async () => {
    const store = memoryStore();
    await seed(store, 5, 4);
    const clock = testClock();
    const fake = fakeRemote({ now: clock.ms, settleMs: 5_000 });
    const sync = createSync({ local: store, remote: fake.remote, now: clock.now, drainWaitMs: 0, retryBaseMs: 1_000 });
    await sync.push({}); // customers only would be simpler; push everything, then fault the touchpoints
    const crm = createCrm({ store });
    const [customer] = (await crm.customers.list({ limit: 1 })).items;
    await crm.touchpoints.logMany(Array.from({ length: 10 }, () => ({ customerId: customer!.id, channel: 'email' as const, direction: 'outbound' as const })));
    fake.fault({ afterCommit: true });
    const first = await sync.push();
    expect(first.queued).toBe(10); // in doubt
    clock.advance(2_000);
    const second = await sync.push(); // too early to trust "absent": the look-up finds them anyway
    expect(second.queued).toBe(0);
    expect(fake.calls.filter((c) => c.method === 'lookup')).toHaveLength(1);
    await expectMirror(store, fake);
  });

  it('a request that failed before the remote applied it: "unknown" until the settle time, then sent once', async () => {
    const store = memoryStore();
    const crm = await seed(store, 2, 0);
    const clock = testClock();
    const fake = fakeRemote({ now: clock.ms, settleMs: 5_000 });
    const sync = createSync({ local: store, remote: fake.remote, now: clock.now, drainWaitMs: 0 });
    await sync.push();
    const [customer] = (await crm.customers.list({ limit: 1 })).items;
    await crm.touchpoints.logMany(Array.from({ length: 3 }, () => ({ customerId: customer!.id, channel: 'call' as const, direction: 'inbound' as const })));
    fake.fault({ afterCommit: false });
    expect((await sync.push()).queued).toBe(3);
    clock.advance(1_500);
    expect((await sync.push()).queued).toBe(3); // the look-up can't tell yet: nothing is sent
    expect(fake.live('touchpoints')).toHaveLength(0);
    clock.advance(6_000);
    const report = await sync.push();
    expect(report.queued).toBe(0);
    expect(fake.calls.filter((c) => c.method === 'lookup')).toHaveLength(2);
    await expectMirror(store, fake);
  });
});

describe('createSync: pull', () => {
  it('a pull of the same data into an empty store ends with the same records', async () => {
    const source = memoryStore();
    await seed(source, 30, 2);
    const fake = fakeRemote();
    await createSync({ local: source, remote: fake.remote }).push();
    const empty = memoryStore();
    const report = await createSync({ local: empty, remote: fake.remote }).pull();
    expect(report.failures).toEqual([]);
    expect(report.pulled).toBe(90);
    expect(report.failed).toBe(0);
    const names = async (store: CrmStore) => (await store.list('customers', { limit: 500 })).items.map((c) => c.name).sort();
    expect(await names(empty)).toEqual(await names(source));
    // Same ids (the remote carries ours), same parents.
    const ids = async (store: CrmStore) => (await store.list('touchpoints', { limit: 500 })).items.map((t) => `${t.id}:${t.customerId}`).sort();
    expect(await ids(empty)).toEqual(await ids(source));
  });

  it('skips its own echo, merges a remote edit, creates what is new there and deletes what was archived there', async () => {
    const store = memoryStore();
    const crm = await seed(store, 3, 1);
    const fake = fakeRemote();
    const sync = createSync({ local: store, remote: fake.remote });
    await sync.push();
    const echo = await sync.pull();
    expect(echo.pulled).toBe(0);
    expect(echo.unchanged).toBe(6);
    const [a, b] = fake.live('customers');
    fake.edit(a!.remoteId, { name: 'Edited in the remote' });
    fake.archive(b!.remoteId);
    const newId = fake.create('customers', { name: 'Made in the remote', emails: [], kind: 'prospect' });
    const head = (await store.changes({ since: 0, limit: 1 })).head;
    const report = await sync.pull();
    expect(report).toMatchObject({ pulled: 2, deleted: 1 });
    expect((await crm.customers.get(a!.localId!)).name).toBe('Edited in the remote');
    expect(await store.get('customers', b!.localId!)).toBeNull();
    const made = (await store.list('customers', { filter: { externalId: { system: 'fake', id: newId } } })).items;
    expect(made).toHaveLength(1);
    // What the pull wrote carries the sync's origin, so the next push skips it.
    const written = await store.changes({ since: head });
    expect(new Set(written.changes.map((c) => c.origin))).toEqual(new Set(['sync:fake']));
    const pushed = await sync.push();
    expect(pushed.pushed).toBe(0);
  });

  it('keeps the local value when the local record is newer, unless the policy gives the field to the remote', async () => {
    const store = memoryStore();
    const crm = await seed(store, 1, 0);
    const clock = testClock(Date.now() - 60_000);
    const fake = fakeRemote({ now: clock.ms });
    const sync = createSync({ local: store, remote: fake.remote });
    await sync.push();
    const [twin] = fake.live('customers');
    fake.edit(twin!.remoteId, { name: 'Older remote name', kind: 'former' }); // stamped a minute ago
    await crm.customers.update(twin!.localId!, { name: 'Newer local name' });
    await sync.pull();
    expect((await crm.customers.get(twin!.localId!)).name).toBe('Newer local name');
    const pinned = createSync({ local: store, remote: fake.remote, conflicts: { fields: { customers: { kind: 'remote' } } } });
    fake.edit(twin!.remoteId, { kind: 'former' });
    await pinned.pull();
    const after = await crm.customers.get(twin!.localId!);
    expect(after).toMatchObject({ name: 'Newer local name', kind: 'former' });
  });
});

describe('createSync: records grouped by the remote’s batch key', () => {
  /** The fake remote, told that touchpoints of each channel go to a request of their own. */
  function keyedRemote(fake: ReturnType<typeof fakeRemote>) {
    const requests: { key: string; count: number }[] = [];
    const remote: SyncRemote = {
      ...fake.remote,
      batchKey: (entity, record) => (entity === 'touchpoints' ? (record as { channel: string }).channel : entity),
      // One request per key, as an adapter writing each key to its own object type makes.
      push: async (entity, inputs, options) => {
        const byKey = new Map<string, PushInput[]>();
        for (const input of inputs) {
          const key = entity === 'touchpoints' ? (input.record as { channel: string }).channel : entity;
          byKey.set(key, [...(byKey.get(key) ?? []), input]);
        }
        const outcomes = [];
        for (const [key, list] of byKey) {
          requests.push({ key, count: list.length });
          outcomes.push(...(await fake.remote.push(entity, list, options)));
        }
        return outcomes;
      },
    };
    return { remote, requests };
  }

  async function mixedChannels(store: CrmStore, customers: number, each: number) {
    const crm = createCrm({ store });
    const made = await crm.customers.createMany(Array.from({ length: customers }, (_, i) => ({ name: `Customer ${i}` })));
    const channels = ['call', 'email', 'meeting'] as const;
    const logs = made.flatMap((c, i) => Array.from({ length: each }, (_, j) => ({ customerId: c.id, channel: channels[(i * 7 + j * 3 + (i % 5)) % 3]!, direction: 'inbound' as const })));
    for (let i = 0; i < logs.length; i += 500) await crm.touchpoints.logMany(logs.slice(i, i + 500));
  }

  it('fills each key’s requests: a mix of channels costs the requests sorted input would', async () => {
    const store = memoryStore();
    await mixedChannels(store, 250, 4); // 1,000 touchpoints over 3 channels
    const fake = fakeRemote();
    const { remote, requests } = keyedRemote(fake);
    const report = await createSync({ local: store, remote, drainWaitMs: 0 }).push();
    expect(report.byEntity.touchpoints.pushed).toBe(1000);
    const touchpoints = requests.filter((r) => r.key !== 'customers');
    expect(Math.max(...touchpoints.map((r) => r.count))).toBeLessThanOrEqual(100);
    const perKey = new Map<string, number>();
    for (const r of touchpoints) perKey.set(r.key, (perKey.get(r.key) ?? 0) + r.count);
    const minimum = [...perKey.values()].reduce((sum, n) => sum + Math.ceil(n / 100), 0);
    expect(touchpoints.length).toBe(minimum);
    await expectMirror(store, fake);
  });

  it.each(['push:claimed', 'push:before-request', 'push:after-response'] as const)('a crash at %s while remainders are held back: nothing missing, nothing duplicated', async (crashAt) => {
    const store = memoryStore();
    await mixedChannels(store, 100, 5);
    const clock = testClock();
    const fake = fakeRemote({ now: clock.ms, settleMs: 5_000 });
    const { remote } = keyedRemote(fake);
    let seen = 0;
    const onStep = (event: SyncStepEvent) => {
      if (event.step === crashAt && event.entity === 'touchpoints' && seen++ === 1) throw new Crash(`crash at ${crashAt}`);
    };
    await expect(createSync({ local: store, remote, now: clock.now, onStep, worker: 'w1', drainWaitMs: 0 }).push()).rejects.toBeInstanceOf(Crash);
    await restartUntilDrained(store, remote, clock);
    await expectMirror(store, fake);
  });
});

describe('createSync: loose ends', () => {
  it('a customer deleted here after a send whose answer was lost: its twin is found and archived, not left behind', async () => {
    const store = memoryStore();
    const crm = createCrm({ store });
    const clock = testClock();
    const fake = fakeRemote({ now: clock.ms, settleMs: 5_000 });
    const sync = createSync({ local: store, remote: fake.remote, now: clock.now, drainWaitMs: 0, retryBaseMs: 1_000 });
    const gone = await crm.customers.create({ name: 'Short Lived', emails: ['short@example.com'] });
    fake.fault({ afterCommit: true }); // applied remotely, the answer lost: in doubt
    expect((await sync.push()).queued).toBe(1);
    expect(fake.live('customers')).toHaveLength(1);
    await crm.customers.erase(gone.id, { reason: 'asked to be forgotten' });
    clock.advance(2_000);
    for (let round = 0; round < 3; round++) {
      await sync.push();
      clock.advance(2_000);
    }
    expect(fake.live('customers')).toHaveLength(0);
    expect(fake.calls.some((c) => c.method === 'lookup' && c.entity === 'customers')).toBe(true);
  });

  it('a pulled record that fails (no known parent) leaves no id behind in the map', async () => {
    const store = memoryStore();
    const fake = fakeRemote();
    const orphan = fake.create('touchpoints', { channel: 'call', direction: 'inbound', occurredAt: '2026-03-02T09:00:00.000Z' }, { customer: 'nobody' });
    const sync = createSync({ local: store, remote: fake.remote });
    const report = await sync.pull();
    expect(report.failures[0]).toMatchObject({ direction: 'pull', entity: 'touchpoints', error: { code: 'MISSING_PARENT' } });
    expect((await sync.state.mappingsByRemote('touchpoints', [orphan])).size).toBe(0);
  });
});
