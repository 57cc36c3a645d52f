/**
 * The {@link SyncState} contract suite: the one set of tests every sync state (memory, SQL, yours)
 * runs. Loads without a test runner: it imports `vitest` only when called without one of its own.
 *
 * @example
 * ```ts
 * import { syncStateSuite } from '@crm/adapters/sync/state/suite'
 * await syncStateSuite('memorySyncState', () => {
 *   const states = new Map<string, SyncState>()
 *   return { state: ({ tenant = '', remote = 'test' } = {}) => states.get(tenant + '/' + remote) ?? (states.set(tenant + '/' + remote, memorySyncState()), states.get(tenant + '/' + remote)!) }
 * }, { skip: { durability: 'kept in memory' } })
 * ```
 *
 * @module
 */
import type * as Vitest from 'vitest';
import type { MapEntry, QueueItem, SyncEntity, SyncFailure, SyncState } from '../contract.js';

/** Which state a test asks its fixture for: the same scope gives the same data, another scope none of it. */
export interface SyncStateScope {
  /** @default the fixture's own tenant */
  tenant?: string;
  /** @default the fixture's own remote name */
  remote?: string;
}

/** What the suite gets for one test: states on one fresh, empty store. */
export interface SyncStateFixture {
  /** The state of one remote of one tenant. Called several times with one scope, it must give states that share their data. */
  state(scope?: SyncStateScope): SyncState | Promise<SyncState>;
  /**
   * Closes the database and opens it again (states made after it read what was written before). Leave it
   * out for a state that doesn't outlive its process, and skip `durability` with the reason.
   */
  reopen?(): Promise<void>;
  /** Called after the test. */
  close?(): Promise<void>;
}

/** Makes a {@link SyncStateFixture}: called once per test. */
export type SyncStateFactory = () => SyncStateFixture | Promise<SyncStateFixture>;

/** The runner's functions the suite registers its tests with: vitest's, or any with the same `describe`, `it` (with `it.skip`), `afterEach` and a Jest-style `expect`. */
export interface SyncStateRunner {
  describe(name: string, body: () => void): unknown;
  it: ((name: string, body: () => unknown) => unknown) & { skip(name: string, body: () => unknown): unknown };
  afterEach(body: () => unknown): unknown;
  expect(actual: unknown, message?: string): unknown;
}

/** Options of {@link syncStateSuite}. */
export interface SyncStateSuiteOptions {
  /** @default vitest's, imported when the suite is called */
  runner?: SyncStateRunner;
  /** Parts a state opts out of, each with the reason (shown in the test name): `durability` (data survives closing and reopening the database). */
  skip?: Partial<Record<'durability', string>>;
}

const T0 = Date.parse('2026-01-05T10:00:00.000Z');
/** A time `ms` after the suite's epoch. */
const at = (ms = 0) => new Date(T0 + ms);
const LEASE = 60_000;
const EPOCH = '1970-01-01T00:00:00.000Z';

const item = (localId: string, version: number, seq: number, entity: SyncEntity = 'customers', op: QueueItem['op'] = 'upsert'): QueueItem => ({
  entity,
  localId,
  op,
  version,
  seq,
});
const key = (localId: string, entity: SyncEntity = 'customers') => ({ entity, localId });
const mapping = (localId: string, localVersion: number, remoteId = `r-${localId}`, entity: SyncEntity = 'customers'): MapEntry => ({
  entity,
  localId,
  remoteId,
  localVersion,
  remoteVersion: `rv-${localId}-${localVersion}`,
});
const failure = (code = 'VALIDATION_ERROR', retryable = false): SyncFailure => ({ status: 400, code, message: `${code}: the email is invalid`, retryable, hint: 'fix the email address' });

/**
 * Registers the {@link SyncState} contract tests for one implementation.
 *
 * @param name - how the state shows in the test report
 * @param factory - makes a fixture of fresh, empty states; called once per test
 * @returns a promise settled once the tests are registered: `await` it at the top level of the test file
 */
export function syncStateSuite(name: string, factory: SyncStateFactory, options: SyncStateSuiteOptions = {}): Promise<void> {
  if (options.runner) {
    register(name, factory, options, options.runner as unknown as typeof Vitest);
    return Promise.resolve();
  }
  // Not a literal: a bundler leaves the import to run time (vitest is the app's dev dependency).
  const vitest = 'vitest';
  return import(/* @vite-ignore */ vitest).then(
    (runner: typeof Vitest) => register(name, factory, options, runner),
    (cause: unknown) => {
      throw new Error('syncStateSuite: install vitest (npm i -D vitest), or pass `options.runner`', { cause });
    },
  );
}

function register(name: string, factory: SyncStateFactory, options: SyncStateSuiteOptions, runner: typeof Vitest): void {
  const { describe, it, afterEach, expect } = runner;
  describe(`SyncState contract: ${name}`, () => {
    let fixture: SyncStateFixture | undefined;
    afterEach(async () => {
      await fixture?.close?.();
      fixture = undefined;
    });
    const open = async (scope?: SyncStateScope) => {
      fixture ??= await factory();
      return fixture.state(scope);
    };
    /** A state with `ids` queued (customers, versions 1, seq in order) and the push cursor at their count. */
    const queued = async (...ids: string[]) => {
      const state = await open();
      expect(await state.enqueue(ids.map((id, i) => item(id, 1, i + 1)), { key: 'push', from: null, to: String(ids.length) })).toBe(true);
      return state;
    };
    const claimIds = async (state: SyncState, worker: string, now: Date, limit = 100, entity: SyncEntity = 'customers') =>
      (await state.claim({ worker, entity, limit, leaseMs: LEASE, now })).map((entry) => entry.localId);

    describe('cursors', () => {
      it('reads null for a cursor never set, then what was set last; keys are independent', async () => {
        const state = await open();
        expect(await state.getCursor('push')).toBeNull();
        await state.setCursor('pull:customers', 'c-1');
        await state.setCursor('pull:customers', 'c-2');
        await state.setCursor('pull:touchpoints', '');
        expect(await state.getCursor('pull:customers')).toBe('c-2');
        expect(await state.getCursor('pull:touchpoints')).toBe('');
        expect(await state.getCursor('push')).toBeNull();
      });
    });

    describe('enqueue', () => {
      it('queues items as new pending entries and moves the cursor from where it was', async () => {
        const state = await open();
        expect(await state.enqueue([item('a', 1, 1), item('b', 2, 2, 'touchpoints', 'delete')], { key: 'push', from: null, to: '2' })).toBe(true);
        expect(await state.getCursor('push')).toBe('2');
        const [a] = await state.claim({ worker: 'w1', entity: 'customers', limit: 10, leaseMs: LEASE, now: at() });
        expect(a).toEqual({ entity: 'customers', localId: 'a', op: 'upsert', version: 1, seq: 1, attempts: 0, sentAt: null, lastError: null, availableAt: EPOCH, status: 'pending' });
        const [b] = await state.claim({ worker: 'w1', entity: 'touchpoints', limit: 10, leaseMs: LEASE, now: at() });
        expect(b).toMatchObject({ entity: 'touchpoints', localId: 'b', op: 'delete', version: 2, seq: 2 });
        expect(await state.enqueue([item('c', 1, 3)], { key: 'push', from: '2', to: '3' })).toBe(true);
        expect(await state.getCursor('push')).toBe('3');
        expect(await state.queueStats()).toEqual({ pending: 3, failed: 0, inDoubt: 0 });
      });

      it('refuses a stale `from` (another worker moved the cursor) and writes nothing', async () => {
        const state = await queued('a');
        expect(await state.enqueue([item('x', 1, 5)], { key: 'push', from: null, to: '9' })).toBe(false);
        expect(await state.enqueue([item('y', 1, 6)], { key: 'push', from: '0', to: '9' })).toBe(false);
        expect(await state.enqueue([item('a', 7, 7)], { key: 'push', from: '2', to: '9' })).toBe(false);
        expect(await state.getCursor('push')).toBe('1');
        expect(await state.queueStats()).toEqual({ pending: 1, failed: 0, inDoubt: 0 });
        expect(await state.claim({ worker: 'w', entity: 'customers', limit: 10, leaseMs: LEASE, now: at() })).toMatchObject([{ localId: 'a', version: 1 }]);
        // An empty page moves the cursor too, and only from where it is.
        expect(await state.enqueue([], { key: 'push', from: '1', to: '2' })).toBe(true);
        expect(await state.enqueue([], { key: 'push', from: '1', to: '3' })).toBe(false);
        expect(await state.getCursor('push')).toBe('2');
      });

      it('a newer version replaces the queued one; an older or equal one does not', async () => {
        const state = await queued('a', 'b');
        expect(await state.enqueue([item('a', 3, 10, 'customers', 'delete'), item('b', 1, 11)], { key: 'push', from: '2', to: '11' })).toBe(true);
        expect(await state.enqueue([item('a', 2, 12)], { key: 'push', from: '11', to: '12' })).toBe(true);
        const entries = await state.claim({ worker: 'w', entity: 'customers', limit: 10, leaseMs: LEASE, now: at() });
        expect(entries.map((e) => [e.localId, e.op, e.version, e.seq])).toEqual([
          ['b', 'upsert', 1, 2],
          ['a', 'delete', 3, 10],
        ]);
      });

      it('of one record in one batch, the newest version is queued', async () => {
        const state = await open();
        await state.enqueue([item('a', 2, 2), item('a', 3, 3), item('a', 1, 1)], { key: 'push', from: null, to: '3' });
        expect(await state.claim({ worker: 'w', entity: 'customers', limit: 10, leaseMs: LEASE, now: at() })).toMatchObject([{ localId: 'a', version: 3, seq: 3 }]);
      });

      it('a newer version of an entry in doubt keeps its sentAt and attempts', async () => {
        const state = await queued('a');
        await state.claim({ worker: 'w1', entity: 'customers', limit: 1, leaseMs: LEASE, now: at() });
        await state.markSent('w1', [key('a')], at(1000));
        await state.release('w1', [key('a')], at(2000));
        await state.enqueue([item('a', 2, 5)], { key: 'push', from: '1', to: '5' });
        expect(await state.claim({ worker: 'w2', entity: 'customers', limit: 1, leaseMs: LEASE, now: at(3000) })).toMatchObject([
          { localId: 'a', version: 2, seq: 5, attempts: 1, sentAt: at(1000).toISOString() },
        ]);
      });
    });

    describe('claim', () => {
      it('claims the oldest items of one entity first, at most `limit`', async () => {
        const state = await open();
        await state.enqueue([item('c', 1, 3), item('a', 1, 1), item('t', 1, 2, 'touchpoints'), item('b', 1, 4), item('d', 1, 5)], { key: 'push', from: null, to: '5' });
        expect(await claimIds(state, 'w1', at(), 2)).toEqual(['a', 'c']);
        expect(await claimIds(state, 'w1', at(), 10)).toEqual(['b', 'd']);
        expect(await claimIds(state, 'w1', at(), 10, 'touchpoints')).toEqual(['t']);
        expect(await claimIds(state, 'w1', at(), 10, 'complaints')).toEqual([]);
        expect(await claimIds(state, 'w1', at(), 0, 'customers')).toEqual([]);
      });

      it('a claimed item is invisible to every claim until its lease ends, then claimable again, in doubt with its sentAt kept', async () => {
        const state = await queued('a', 'b');
        expect(await claimIds(state, 'w1', at(), 1)).toEqual(['a']);
        await state.markSent('w1', [key('a')], at(10));
        expect(await claimIds(state, 'w2', at(LEASE - 1))).toEqual(['b']);
        expect(await claimIds(state, 'w1', at(LEASE - 1))).toEqual([]);
        expect(await state.queueStats()).toEqual({ pending: 2, failed: 0, inDoubt: 1 });
        // w1's lease ends (it crashed mid-send): the item is claimable again, in doubt.
        const again = await state.claim({ worker: 'w3', entity: 'customers', limit: 10, leaseMs: LEASE, now: at(LEASE) });
        expect(again).toMatchObject([{ localId: 'a', attempts: 1, sentAt: at(10).toISOString(), status: 'pending' }]);
        expect(await claimIds(state, 'w1', at(LEASE + 1))).toEqual([]);
      });

      it('concurrent claims of several workers get disjoint items, together all of them', async () => {
        const ids = Array.from({ length: 30 }, (_, i) => `id-${String(i).padStart(2, '0')}`);
        const state = await queued(...ids);
        const [s2, s3] = [await open(), await open()];
        const got = await Promise.all([claimIds(state, 'w1', at(), 12), claimIds(s2, 'w2', at(), 12), claimIds(s3, 'w3', at(), 12)]);
        const all = got.flat();
        expect(new Set(all).size).toBe(all.length);
        expect(all.sort()).toEqual(ids);
      });
    });

    describe('markSent', () => {
      it('records when a send was attempted and counts the attempts', async () => {
        const state = await queued('a', 'b');
        await claimIds(state, 'w1', at());
        await state.markSent('w1', [key('a'), key('a')], at(5));
        await state.markSent('w1', [key('a'), key('missing')], at(7));
        await state.release('w1', [key('a'), key('b')], at(8));
        const entries = await state.claim({ worker: 'w1', entity: 'customers', limit: 10, leaseMs: LEASE, now: at(8) });
        expect(entries.map((e) => [e.localId, e.attempts, e.sentAt, e.availableAt])).toEqual([
          ['a', 2, at(7).toISOString(), at(8).toISOString()],
          ['b', 0, null, at(8).toISOString()],
        ]);
      });
    });

    describe('complete', () => {
      it('saves the mapping and removes the item', async () => {
        const state = await queued('a', 'b');
        await claimIds(state, 'w1', at());
        await state.markSent('w1', [key('a'), key('b')], at(1));
        await state.complete('w1', [mapping('a', 1)]);
        expect(await state.mappings('customers', ['a', 'b'])).toEqual(new Map([['a', mapping('a', 1)]]));
        expect(await state.mappingsByRemote('customers', ['r-a'])).toEqual(new Map([['r-a', mapping('a', 1)]]));
        expect(await state.queueStats()).toEqual({ pending: 1, failed: 0, inDoubt: 1 });
        expect(await claimIds(state, 'w2', at(LEASE))).toEqual(['b']);
      });

      it('with an older version, leaves the newer item pending, released, with sentAt cleared', async () => {
        const state = await queued('a');
        await claimIds(state, 'w1', at());
        await state.markSent('w1', [key('a')], at(1));
        await state.enqueue([item('a', 2, 7)], { key: 'push', from: '1', to: '7' });
        await state.complete('w1', [mapping('a', 1)]);
        expect(await state.mappings('customers', ['a'])).toEqual(new Map([['a', mapping('a', 1)]]));
        expect(await state.queueStats()).toEqual({ pending: 1, failed: 0, inDoubt: 0 });
        // Released: claimable at once by anyone, as an update now (the remote id is known).
        expect(await state.claim({ worker: 'w2', entity: 'customers', limit: 10, leaseMs: LEASE, now: at(2) })).toMatchObject([
          { localId: 'a', version: 2, seq: 7, sentAt: null, attempts: 0, status: 'pending' },
        ]);
      });

      it('a worker whose lease passed to another deletes nothing the new holder claimed, and never moves the map back', async () => {
        const state = await queued('a');
        await claimIds(state, 'w1', at());
        await state.markSent('w1', [key('a')], at(1));
        expect(await claimIds(state, 'w2', at(LEASE))).toEqual(['a']);
        await state.markSent('w2', [key('a')], at(LEASE + 1));
        await state.complete('w2', [mapping('a', 1, 'r-1')]);
        await state.enqueue([item('a', 2, 2)], { key: 'push', from: '1', to: '2' });
        expect(await claimIds(state, 'w3', at(LEASE + 2))).toEqual(['a']);
        // w1 wakes up and reports its (older) send: the map keeps the newer version; w3's claim stands.
        await state.complete('w1', [{ ...mapping('a', 0, 'r-1'), remoteVersion: 'stale' }]);
        expect((await state.mappings('customers', ['a'])).get('a')).toEqual(mapping('a', 1, 'r-1'));
        expect(await state.queueStats()).toEqual({ pending: 1, failed: 0, inDoubt: 0 });
        expect(await claimIds(state, 'w4', at(LEASE + 3))).toEqual([]);
        await state.complete('w3', [mapping('a', 2, 'r-1')]);
        expect(await state.queueStats()).toEqual({ pending: 0, failed: 0, inDoubt: 0 });
        expect((await state.mappings('customers', ['a'])).get('a')).toEqual(mapping('a', 2, 'r-1'));
      });

      it('a stale worker completing an item another worker holds leaves it to the holder', async () => {
        const state = await queued('a');
        await claimIds(state, 'w1', at());
        expect(await claimIds(state, 'w2', at(LEASE))).toEqual(['a']);
        await state.complete('w1', [mapping('a', 1)]);
        expect(await state.queueStats()).toEqual({ pending: 1, failed: 0, inDoubt: 0 });
        expect(await state.mappings('customers', ['a'])).toEqual(new Map([['a', mapping('a', 1)]]));
        await state.complete('w2', [mapping('a', 1)]);
        expect(await state.queueStats()).toEqual({ pending: 0, failed: 0, inDoubt: 0 });
      });
    });

    describe('fail', () => {
      it('with retryAt: pending, with the error, not claimable before retryAt', async () => {
        const state = await queued('a');
        await claimIds(state, 'w1', at());
        await state.markSent('w1', [key('a')], at(1));
        await state.fail('w1', [{ ...key('a'), error: failure('RATE_LIMITED', true), retryAt: at(5000) }]);
        expect(await state.queueStats()).toEqual({ pending: 1, failed: 0, inDoubt: 1 });
        expect(await claimIds(state, 'w2', at(4999))).toEqual([]);
        expect(await state.claim({ worker: 'w2', entity: 'customers', limit: 10, leaseMs: LEASE, now: at(5000) })).toMatchObject([
          { localId: 'a', lastError: failure('RATE_LIMITED', true), availableAt: at(5000).toISOString(), attempts: 1, sentAt: at(1).toISOString() },
        ]);
      });

      it('without retryAt: failed, out of the claimable set, listed by failures(); back when a newer version is queued', async () => {
        const state = await queued('a', 'b');
        await claimIds(state, 'w1', at());
        await state.markSent('w1', [key('a')], at(1));
        await state.fail('w1', [{ ...key('a'), error: failure(), retryAt: null }]);
        expect(await state.queueStats()).toEqual({ pending: 1, failed: 1, inDoubt: 0 });
        expect(await state.failures()).toMatchObject([{ localId: 'a', status: 'failed', lastError: failure(), attempts: 1 }]);
        expect(await claimIds(state, 'w2', at(LEASE * 10))).toEqual(['b']);
        // The same version again changes nothing; a newer one is pending again, its attempts kept.
        await state.enqueue([item('a', 1, 9)], { key: 'push', from: '2', to: '9' });
        expect(await state.queueStats()).toMatchObject({ failed: 1 });
        await state.enqueue([item('a', 2, 10)], { key: 'push', from: '9', to: '10' });
        // Still in doubt: it was sent (maybe) and has no mapping.
        expect(await state.queueStats()).toEqual({ pending: 2, failed: 0, inDoubt: 1 });
        expect(await state.failures()).toEqual([]);
        expect(await state.claim({ worker: 'w3', entity: 'customers', limit: 10, leaseMs: LEASE, now: at(LEASE * 10) })).toMatchObject([
          { localId: 'a', version: 2, status: 'pending', lastError: null, attempts: 1, availableAt: EPOCH },
        ]);
      });

      it('without retryAt, of a version older than one queued since the claim: pending, not given up', async () => {
        const state = await queued('a');
        await claimIds(state, 'w1', at());
        await state.enqueue([item('a', 2, 2)], { key: 'push', from: '1', to: '2' });
        await state.fail('w1', [{ ...key('a'), error: failure(), retryAt: null }]);
        expect(await state.queueStats()).toEqual({ pending: 1, failed: 0, inDoubt: 0 });
        expect(await state.claim({ worker: 'w2', entity: 'customers', limit: 10, leaseMs: LEASE, now: at(1) })).toMatchObject([{ localId: 'a', version: 2, lastError: failure() }]);
      });

      it('failures() lists the oldest first, at most `limit`', async () => {
        const state = await open();
        await state.enqueue([item('c', 1, 3), item('t', 1, 1, 'touchpoints'), item('a', 1, 2)], { key: 'push', from: null, to: '3' });
        await claimIds(state, 'w', at());
        await claimIds(state, 'w', at(), 10, 'touchpoints');
        await state.fail('w', ['a', 'c'].map((id) => ({ ...key(id), error: failure(), retryAt: null })));
        await state.fail('w', [{ ...key('t', 'touchpoints'), error: failure('MISSING_PARENT'), retryAt: null }]);
        expect((await state.failures()).map((f) => f.localId)).toEqual(['t', 'a', 'c']);
        expect((await state.failures(2)).map((f) => f.localId)).toEqual(['t', 'a']);
        expect(await state.failures(0)).toEqual([]);
      });
    });

    describe('a worker acts only on what it holds', () => {
      it('fail, release, complete and drop of items another worker holds (or nobody) change nothing', async () => {
        const state = await queued('a', 'b');
        expect(await claimIds(state, 'w1', at(), 1)).toEqual(['a']);
        await state.fail('w2', [{ ...key('a'), error: failure(), retryAt: null }]);
        await state.release('w2', [key('a')], at(1));
        await state.drop('w2', [key('a'), key('b')]);
        await state.complete('w2', [mapping('b', 1)]);
        expect(await state.queueStats()).toEqual({ pending: 2, failed: 0, inDoubt: 0 });
        expect(await claimIds(state, 'w3', at(2))).toEqual(['b']);
        expect(await claimIds(state, 'w3', at(LEASE))).toEqual(['a']);
      });
    });

    describe('release', () => {
      it('gives claimed items back, available at retryAt, sentAt kept', async () => {
        const state = await queued('a');
        await claimIds(state, 'w1', at());
        await state.markSent('w1', [key('a')], at(1));
        await state.release('w1', [key('a')], at(30_000));
        expect(await claimIds(state, 'w2', at(29_999))).toEqual([]);
        expect(await state.claim({ worker: 'w2', entity: 'customers', limit: 1, leaseMs: LEASE, now: at(30_000) })).toMatchObject([
          { localId: 'a', sentAt: at(1).toISOString(), availableAt: at(30_000).toISOString() },
        ]);
      });
    });

    describe('drop', () => {
      it('removes claimed items, but releases one whose newer version was queued since the claim', async () => {
        const state = await queued('a', 'b');
        await claimIds(state, 'w1', at());
        await state.enqueue([item('b', 2, 3, 'customers', 'delete')], { key: 'push', from: '2', to: '3' });
        await state.drop('w1', [key('a'), key('b')]);
        expect(await state.queueStats()).toEqual({ pending: 1, failed: 0, inDoubt: 0 });
        expect(await state.claim({ worker: 'w2', entity: 'customers', limit: 10, leaseMs: LEASE, now: at(1) })).toMatchObject([{ localId: 'b', version: 2, op: 'delete' }]);
      });
    });

    describe('the id map', () => {
      it('saves (insert or replace), reads by local and by remote ids, per entity, and removes', async () => {
        const state = await open();
        expect(await state.mappings('customers', ['a'])).toEqual(new Map());
        await state.saveMappings([mapping('a', 1), mapping('b', 1), mapping('a', 1, 'r-a', 'touchpoints')]);
        await state.saveMappings([mapping('a', 3, 'r-a2')]);
        // An explicit save replaces whatever was there, an older local version too.
        await state.saveMappings([mapping('b', 0, 'r-b')]);
        expect(await state.mappings('customers', ['a', 'b', 'zz'])).toEqual(
          new Map([
            ['a', mapping('a', 3, 'r-a2')],
            ['b', mapping('b', 0, 'r-b')],
          ]),
        );
        expect(await state.mappingsByRemote('customers', ['r-a2', 'r-a', 'r-b'])).toEqual(
          new Map([
            ['r-a2', mapping('a', 3, 'r-a2')],
            ['r-b', mapping('b', 0, 'r-b')],
          ]),
        );
        expect(await state.mappingsByRemote('touchpoints', ['r-a'])).toEqual(new Map([['r-a', mapping('a', 1, 'r-a', 'touchpoints')]]));
        await state.removeMappings('customers', ['a', 'zz']);
        expect([...(await state.mappings('customers', ['a', 'b'])).keys()]).toEqual(['b']);
        expect((await state.mappings('touchpoints', ['a'])).size).toBe(1);
        expect(await state.mappings('customers', [])).toEqual(new Map());
      });

      it('a mapping makes a sent item no longer in doubt', async () => {
        const state = await queued('a');
        await claimIds(state, 'w1', at());
        await state.markSent('w1', [key('a')], at(1));
        expect((await state.queueStats()).inDoubt).toBe(1);
        await state.saveMappings([mapping('a', 0)]);
        expect(await state.queueStats()).toEqual({ pending: 1, failed: 0, inDoubt: 0 });
      });

      it('keeps ids exactly: any Unicode, case and length', async () => {
        const state = await open();
        const ids = ['Ä', 'a\u0301', 'á', 'A', 'a', '👩🏻‍💼', 'x'.repeat(500)];
        await state.saveMappings(ids.map((id) => mapping(id, 1, `R:${id}`)));
        const found = await state.mappings('customers', ids);
        expect([...found.keys()].sort()).toEqual([...ids].sort());
        expect(found.get('a\u0301')!.remoteId).toBe('R:a\u0301');
      });
    });

    describe('scope', () => {
      it('state is kept per remote and per tenant', async () => {
        const state = await queued('a');
        await state.saveMappings([mapping('a', 1)]);
        await state.setCursor('pull:customers', 'p');
        for (const other of [await open({ remote: 'other-remote' }), await open({ tenant: 'other-tenant' })]) {
          expect(await other.getCursor('push')).toBeNull();
          expect(await other.getCursor('pull:customers')).toBeNull();
          expect(await other.mappings('customers', ['a'])).toEqual(new Map());
          expect(await other.mappingsByRemote('customers', ['r-a'])).toEqual(new Map());
          expect(await other.queueStats()).toEqual({ pending: 0, failed: 0, inDoubt: 0 });
          expect(await claimIds(other, 'w', at())).toEqual([]);
          // Its own feed, from the start.
          expect(await other.enqueue([item('a', 5, 1)], { key: 'push', from: null, to: '1' })).toBe(true);
        }
        expect(await state.getCursor('push')).toBe('1');
        expect(await state.claim({ worker: 'w', entity: 'customers', limit: 10, leaseMs: LEASE, now: at() })).toMatchObject([{ localId: 'a', version: 1 }]);
        // The same scope again: the same data.
        expect(await (await open()).getCursor('pull:customers')).toBe('p');
      });
    });

    describe('arguments', () => {
      it('rejects bad arguments with errors that name the field', async () => {
        const state = await open();
        const bad = <T>(value: unknown) => value as T;
        await expect(state.claim({ worker: 'w', entity: bad('deals'), limit: 1, leaseMs: LEASE, now: at() })).rejects.toThrow(/entity/);
        await expect(state.claim({ worker: 'w', entity: 'customers', limit: -1, leaseMs: LEASE, now: at() })).rejects.toThrow(/limit/);
        await expect(state.claim({ worker: 'w', entity: 'customers', limit: 1, leaseMs: LEASE, now: new Date(Number.NaN) })).rejects.toThrow(/now/);
        await expect(state.enqueue([bad({ entity: 'customers', localId: 'a', op: 'merge', version: 1, seq: 1 })], { key: 'push', from: null, to: '1' })).rejects.toThrow(/items\[0\]\.op/);
        await expect(state.enqueue([item('a', 1.5, 1)], { key: 'push', from: null, to: '1' })).rejects.toThrow(/items\[0\]\.version/);
        await expect(state.saveMappings([bad({ ...mapping('a', 1), remoteId: 7 })])).rejects.toThrow(/entries\[0\]\.remoteId/);
        await expect(state.markSent('w', [key('a\u0000')], at())).rejects.toThrow(/keys\[0\]\.localId/);
        await expect(state.fail('w', [bad({ ...key('a'), error: { code: 'X' }, retryAt: null })])).rejects.toThrow(/failures\[0\]\.error/);
        // Nothing was written by the calls that failed.
        expect(await state.getCursor('push')).toBeNull();
        expect(await state.queueStats()).toEqual({ pending: 0, failed: 0, inDoubt: 0 });
      });
    });

    const durability = options.skip?.durability;
    // A state that opts out gets no durability test at all (not a skipped one that reads as run).
    const durable = it;
    if (durability === undefined) describe('durability', () => {
      durable('cursors, the id map and the queue (claims, sends in doubt, failures) survive closing and reopening the database', async () => {
        const state = await queued('a', 'b', 'c');
        await state.setCursor('pull:customers', 'page-7');
        await claimIds(state, 'w1', at(), 2);
        await state.markSent('w1', [key('a'), key('b')], at(1));
        await state.complete('w1', [mapping('b', 1)]);
        await claimIds(state, 'w1', at(2));
        await state.fail('w1', [{ ...key('c'), error: failure(), retryAt: null }]);
        await fixture!.reopen!();
        const reopened = await open();
        expect(await reopened.getCursor('push')).toBe('3');
        expect(await reopened.getCursor('pull:customers')).toBe('page-7');
        expect(await reopened.mappings('customers', ['b'])).toEqual(new Map([['b', mapping('b', 1)]]));
        expect(await reopened.queueStats()).toEqual({ pending: 1, failed: 1, inDoubt: 1 });
        expect(await reopened.failures()).toMatchObject([{ localId: 'c', lastError: failure() }]);
        // w1's lease on `a` still holds, then ends.
        expect(await claimIds(reopened, 'w2', at(LEASE - 1))).toEqual([]);
        expect(await reopened.claim({ worker: 'w2', entity: 'customers', limit: 10, leaseMs: LEASE, now: at(LEASE) })).toMatchObject([
          { localId: 'a', attempts: 1, sentAt: at(1).toISOString() },
        ]);
      });
    });
  });
}
