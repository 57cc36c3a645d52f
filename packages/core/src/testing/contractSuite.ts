/**
 * The `CrmStore` contract suite: the one set of tests every store implementation (memory, SQL,
 * REST, …) runs, plus builders of valid records for writing to a store directly.
 *
 * Loads without a test runner: the suite imports `vitest` (an optional peer dependency of
 * `@crm/core`) only when it is called without one of its own (`options.runner`).
 *
 * @example
 * ```ts
 * import { describeStoreContract } from '@crm/core/testing'
 * await describeStoreContract('sqlStore on PGlite', async () => sqlStore({ driver: pgliteDriver(await freshDb()) }))
 * ```
 *
 * @module
 */
import type * as Vitest from 'vitest';
import { CrmConflictError, CrmValidationError, formatPath as formatIssuePath, isCrmError, type CrmFeedExpiredError } from '../errors/index.js';
import { ulidGenerator } from '../ids/ulid.js';
import { ComplaintSchema, type Complaint, type ComplaintActivity } from '../schemas/complaint.js';
import { CustomerSchema, type Customer } from '../schemas/customer.js';
import type { Channel } from '../schemas/primitives.js';
import { TouchpointSchema, type Touchpoint } from '../schemas/touchpoint.js';
import type { Change, CrmStore, EntityName, EntityRecords, HistoryItem, HistoryQuery, ListQuery, Page, WriteOp } from '../store/types.js';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** Makes a fresh, empty store. Called once per test; the suite closes the store after the test. */
export type StoreFactory = (setup?: StoreSetup) => CrmStore | Promise<CrmStore>;

/**
 * What a test asks of the store it is given. Factories must pass `feedRetention` on to the
 * store (`memoryStore({ feedRetention })`, `sqlStore({ driver, feedRetention })`, the store
 * behind a REST handler), so the suite can test the feed's horizon without writing 100,000 changes.
 */
export interface StoreSetup {
  /** Keep only this many of the newest changes in the feed. */
  feedRetention?: number;
}

/**
 * Parts of the contract a store may opt out of, each with a reason that shows in the test report:
 * - `subscribe`: the optional `subscribe` method (stores that can't push leave it out);
 * - `largeRecords`: records near the schema limits (20,000-character texts, 2,000 activity entries);
 * - `delete`: delete ops, tombstones and erasure (`capabilities.delete`);
 * - `retention`: a feed horizon set by the factory's `feedRetention`.
 */
export type ContractFeature = 'subscribe' | 'largeRecords' | 'delete' | 'retention';

/**
 * The test runner's functions the contract suite registers its tests with: vitest's, or any
 * runner with the same `describe`, `it` (with `it.skip`), `beforeEach`, `afterEach` and a
 * Jest-style `expect` (`toBe`, `toEqual`, `toMatchObject`, `toBeInstanceOf`, …).
 */
export interface ContractRunner {
  describe(name: string, body: () => void): unknown;
  it: ((name: string, body: () => unknown) => unknown) & { skip(name: string, body: () => unknown): unknown };
  beforeEach(body: () => unknown): unknown;
  afterEach(body: () => unknown): unknown;
  expect(actual: unknown, message?: string): unknown;
}

// The runner's functions, set by describeStoreContract before it registers the suite (so that
// loading this module needs no test runner).
let describe: typeof Vitest.describe;
let it: typeof Vitest.it;
let beforeEach: typeof Vitest.beforeEach;
let afterEach: typeof Vitest.afterEach;
let expect: typeof Vitest.expect;

function useRunner(runner: ContractRunner): void {
  ({ describe, it, beforeEach, afterEach, expect } = runner as unknown as typeof Vitest);
}

/** Options of {@link describeStoreContract}. */
export interface StoreContractOptions {
  /**
   * The test runner to register the suite with.
   * @default vitest's, imported when the suite is called (install `vitest`)
   * @example
   * ```ts
   * import { afterEach, beforeEach, describe, expect, it } from 'vitest'
   * describeStoreContract('memoryStore', () => memoryStore(), { runner: { describe, it, expect, beforeEach, afterEach } })
   * ```
   */
  runner?: ContractRunner;
  /**
   * Features this store does not support, each with the reason why. Skipped tests are registered
   * with `it.skip` and the reason in their name, so they are never skipped silently.
   */
  skip?: Partial<Record<ContractFeature, string>>;
  /** How long to wait for a `subscribe` listener to be called after a write (default 2000 ms). */
  subscribeTimeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Record builders
// ---------------------------------------------------------------------------------------------

/** The instant every builder timestamp is relative to: `2026-01-05T10:00:00.000Z`. */
export const CONTRACT_EPOCH = '2026-01-05T10:00:00.000Z';
const EPOCH_MS = Date.parse(CONTRACT_EPOCH);

/** A stored-form timestamp `minutes` after {@link CONTRACT_EPOCH} (before it when negative). */
export function contractTime(minutes = 0): string {
  return new Date(EPOCH_MS + minutes * 60_000).toISOString();
}

// One generator for the whole suite: ids are ULIDs, strictly increasing in the order they are made,
// so "made later" means "newer id" as the contract's creation order expects.
const nextUlid = ulidGenerator(() => EPOCH_MS);

/** A new ULID, larger than every id made before it by the builders. */
export function newId(): string {
  return nextUlid();
}

/** The fields every new record carries: a new id, version 1, created and updated at the epoch. */
function freshMeta() {
  return { id: newId(), version: 1, createdAt: CONTRACT_EPOCH, updatedAt: CONTRACT_EPOCH };
}

/** A valid stored customer (version 1) with the given fields replaced. */
export function makeCustomer(overrides: Partial<Customer> = {}): Customer {
  return {
    ...freshMeta(),
    kind: 'customer',
    name: 'Ada Contract',
    emails: [],
    phones: [],
    addresses: [],
    tags: [],
    externalIds: {},
    ...overrides,
  };
}

/** A valid stored touchpoint (version 1) of `customerId`, an inbound call at the epoch unless overridden. */
export function makeTouchpoint(customerId: string, overrides: Partial<Touchpoint> = {}): Touchpoint {
  return {
    ...freshMeta(),
    customerId,
    channel: 'call',
    direction: 'inbound',
    occurredAt: CONTRACT_EPOCH,
    participants: [],
    externalIds: {},
    ...overrides,
  };
}

/** Fields of one kind of activity entry; `id` and `at` are optional. */
export type ActivityFields = ComplaintActivity extends infer A
  ? A extends ComplaintActivity
    ? Omit<A, 'id' | 'at'> & { id?: string; at?: string }
    : never
  : never;

/** A valid complaint activity entry, with a new id and the epoch as `at` unless given. */
export function makeActivity(fields: ActivityFields): ComplaintActivity {
  return { id: newId(), at: CONTRACT_EPOCH, ...fields } as ComplaintActivity;
}

/**
 * A valid stored complaint (version 1) of `customerId`: status `new`, priority `normal`, raised by
 * email, with one `opened` activity entry at the epoch, unless overridden.
 */
export function makeComplaint(customerId: string, overrides: Partial<Complaint> = {}): Complaint {
  return {
    ...freshMeta(),
    customerId,
    subject: 'Parcel arrived damaged',
    channel: 'email',
    priority: 'normal',
    status: 'new',
    externalIds: {},
    activity: [makeActivity({ type: 'opened' })],
    ...overrides,
  };
}

/** The next version of `record`: `changes` applied, `version` + 1, `updatedAt` one minute later. */
export function nextVersion<R extends EntityRecords[EntityName]>(record: R, changes: Partial<R> = {}): R {
  const updatedAt = new Date(Date.parse(record.updatedAt) + 60_000).toISOString();
  return { ...record, ...changes, version: record.version + 1, updatedAt };
}

/** A create operation for {@link CrmStore.write}. */
export function createOp<E extends EntityName>(entity: E, record: EntityRecords[E]): WriteOp {
  return { type: 'create', entity, record } as WriteOp;
}

/** An update operation for {@link CrmStore.write}; `expectedVersion` defaults to `record.version - 1`. */
export function updateOp<E extends EntityName>(entity: E, record: EntityRecords[E], expectedVersion = record.version - 1): WriteOp {
  return { type: 'update', entity, record, expectedVersion } as WriteOp;
}

/** A customer with every optional field set. */
function fullCustomer(overrides: Partial<Customer> = {}): Customer {
  return makeCustomer({
    kind: 'prospect',
    name: 'Lin Mei',
    emails: ['mei@example.tw', 'lin.mei@work.example.com'],
    phones: ['+886 2 1234 5678'],
    company: 'Tea & Co.',
    addresses: [
      {
        id: newId(),
        label: 'Home',
        lines: ['No. 7, Lane 3', 'Xinyi Rd.'],
        city: 'Taipei',
        region: 'Taipei City',
        postalCode: '110',
        country: 'TW',
        status: 'valid',
        confirmedAt: contractTime(-60 * 24),
      },
      { id: newId(), lines: ['PO Box 12'], status: 'returned' },
    ],
    locale: 'zh-TW',
    timeZone: 'Asia/Taipei',
    ownerId: 'staff-sam',
    tags: ['vip', 'tea'],
    contactPreferences: { optedOutChannels: ['sms', 'call'], quietHours: { start: '21:00', end: '08:30' } },
    externalIds: { hubspot: '901', salesforce: '003XX000004TmiQ' },
    notBuyingReason: 'Budget frozen until Q3',
    ...overrides,
  });
}

/** A touchpoint of `customerId` with every optional field set. */
function fullTouchpoint(customerId: string, overrides: Partial<Touchpoint> = {}): Touchpoint {
  return makeTouchpoint(customerId, {
    channel: 'meeting',
    direction: 'outbound',
    occurredAt: contractTime(30),
    durationSeconds: 1800,
    actorId: 'staff-sam',
    participants: [{ name: 'Lin Mei', role: 'Buyer', email: 'mei@example.tw' }, { name: 'Chen Wei' }],
    department: 'Key accounts',
    subject: 'Quarterly review',
    summary: 'Went through the open orders.\nAgreed on a new delivery window.',
    outcome: 'follow_up',
    nextStep: 'Sam sends the revised schedule by Friday',
    sentiment: -0.6,
    externalIds: { hubspot: 'call-77' },
    ...overrides,
  });
}

/** A complaint of `customerId` with every optional field set and one activity entry of every kind. */
function fullComplaint(customerId: string, overrides: Partial<Complaint> = {}): Complaint {
  return makeComplaint(customerId, {
    subject: 'Invoice charged twice',
    description: 'The March invoice was charged twice to the same card.',
    channel: 'call',
    priority: 'high',
    status: 'resolved',
    ownerId: 'staff-linda',
    slaPolicyId: 'sla-standard',
    locale: 'it-IT',
    externalIds: { salesforce: '500XX000001' },
    satisfaction: 4,
    resolvedAt: contractTime(50),
    activity: [
      makeActivity({ type: 'opened', at: contractTime(0), actorId: 'staff-sam' }),
      makeActivity({ type: 'assigned', at: contractTime(10), from: 'staff-sam', to: 'staff-linda', reason: 'Billing specialist' }),
      makeActivity({ type: 'priority_changed', at: contractTime(11), from: 'normal', to: 'high', reason: 'Charged twice' }),
      makeActivity({ type: 'status_changed', at: contractTime(12), from: 'new', to: 'open' }),
      makeActivity({ type: 'responded', at: contractTime(20), direction: 'outbound', message: 'We are refunding you.', channel: 'email' }),
      makeActivity({ type: 'note', at: contractTime(30), text: 'Refund issued, ref R-2231' }),
      makeActivity({ type: 'status_changed', at: contractTime(50), from: 'open', to: 'resolved', note: 'Refunded' }),
      makeActivity({ type: 'satisfaction_recorded', at: contractTime(60), score: 4, comment: 'Quick, thanks' }),
    ],
    ...overrides,
  });
}

/** Text in many scripts, each value a valid stored text (no surrounding spaces). */
const UNICODE = {
  emoji: '👩🏽‍💻 fixed it 👨‍👩‍👧‍👦 👍🏿 🏳️‍🌈',
  cjk: '簡體 繁體 字 𠀀𠜎',
  combining: 'Cafe\u0301 ≠ Café',
  rtl: 'שלום עולם \u200Fمرحبا بالعالم',
  malay: 'Puan Nur’aini binti Abdul — بهاس ملايو',
  italian: 'Perché è già così? Città più Ñandú',
} as const;
const ALL_UNICODE = Object.values(UNICODE).join(' · ');

/** A text of exactly `length` UTF-16 code units in several scripts, without splitting a character. */
function longText(length: number): string {
  const unit = '[Línea ✓ 👩🏽‍💻 簡體 e\u0301 مرحبا]';
  const body = unit.repeat(Math.floor(length / unit.length));
  return body + 'x'.repeat(length - body.length);
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

type AnyRecord = EntityRecords[EntityName];

const SINGULAR: Record<EntityName, string> = { customers: 'customer', touchpoints: 'touchpoint', complaints: 'complaint' };

/** A deep copy of `value`, taken before a write hands the original to the store. */
// Runtime globals the core's no-DOM, no-Node type library doesn't declare; every test runtime has them.
const runtime = globalThis as unknown as {
  structuredClone<T>(value: T): T;
  setTimeout(callback: () => void, ms: number): unknown;
};
const copy = <T>(value: T): T => runtime.structuredClone(value);

/** Writes `records` as creates in one atomic write; returns copies of them for comparisons. */
async function seed<E extends EntityName>(store: CrmStore, entity: E, records: EntityRecords[E][]): Promise<EntityRecords[E][]> {
  const expected = copy(records);
  if (records.length > 0) await store.write(records.map((r) => createOp(entity, r)));
  return expected;
}

/** Writes an update of `record` to its next version; returns a copy of what was written. */
async function update<E extends EntityName>(store: CrmStore, entity: E, record: EntityRecords[E], changes: Partial<EntityRecords[E]> = {}) {
  const next = nextVersion(record, changes);
  const expected = copy(next);
  await store.write([updateOp(entity, next)]);
  return expected;
}

/** The error a call failed with; fails the test if it did not fail. */
async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Expects `run` to fail with a `CrmValidationError` whose message mentions `mention`. */
async function expectValidation(run: () => Promise<unknown>, mention?: string): Promise<CrmValidationError> {
  const error = await failure(run);
  expect(error).toBeInstanceOf(CrmValidationError);
  expect((error as CrmValidationError).code).toBe('VALIDATION');
  if (mention !== undefined) expect((error as Error).message).toContain(mention);
  return error as CrmValidationError;
}

/** Expects `run` to fail with a `CrmConflictError`. */
async function expectConflict(run: () => Promise<unknown>): Promise<CrmConflictError> {
  const error = await failure(run);
  expect(error).toBeInstanceOf(CrmConflictError);
  expect((error as CrmConflictError).code).toBe('CONFLICT');
  return error as CrmConflictError;
}

/** The sequence number of the last change in the feed (0 when empty). */
async function feedEnd(store: CrmStore): Promise<number> {
  let since = 0;
  for (;;) {
    const page = await store.changes({ since, limit: 1000 });
    if (page.changes.length === 0) return page.lastSeq;
    since = page.lastSeq;
  }
}

/** Every change after `since`. */
async function changesSince(store: CrmStore, since: number): Promise<Change[]> {
  const out: Change[] = [];
  for (;;) {
    const page = await store.changes({ since, limit: 1000 });
    if (page.changes.length === 0) return out;
    out.push(...page.changes);
    since = page.lastSeq;
  }
}

const MAX_PAGES = 10_000;

/** A UTC ISO 8601 instant as stores write `at`. */
const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/;

/** Every record of a list, page by page. */
async function listAll<E extends EntityName>(store: CrmStore, entity: E, query: ListQuery<E> = {}): Promise<EntityRecords[E][]> {
  const out: EntityRecords[E][] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page: Page<EntityRecords[E]> = await store.list(entity, { ...query, cursor });
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error(`list(${entity}) did not end after ${MAX_PAGES} pages`);
}

/** Every item of a customer's history, page by page. */
async function historyAll(store: CrmStore, customerId: string, query: HistoryQuery = {}): Promise<HistoryItem[]> {
  const out: HistoryItem[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page: Page<HistoryItem> = await store.history(customerId, { ...query, cursor });
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error(`history(${customerId}) did not end after ${MAX_PAGES} pages`);
}

const ids = (records: readonly { id: string }[]) => records.map((r) => r.id);
const sortedIds = (records: readonly { id: string }[], order: 'asc' | 'desc' = 'desc') => {
  const out = ids(records).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return order === 'desc' ? out.reverse() : out;
};

/** The history item of a touchpoint. */
function touchpointItem(touchpoint: Touchpoint): HistoryItem {
  return { type: 'touchpoint', id: touchpoint.id, at: touchpoint.occurredAt, touchpoint };
}

/** The history item of one activity entry of `complaint` (as the complaint is now). */
function activityItem(complaint: Complaint, activity: ComplaintActivity): HistoryItem {
  const { id, subject, status, priority, ownerId, channel } = complaint;
  return {
    type: 'complaint_activity',
    id: activity.id,
    at: activity.at,
    complaint: { id, subject, status, priority, ownerId, channel },
    activity,
  };
}

/** Newest first: by `at`, then by `id`, both descending. */
function newestFirst(a: HistoryItem, b: HistoryItem): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The history the contract expects from these touchpoints and complaints. */
function expectedHistory(touchpoints: readonly Touchpoint[], complaints: readonly Complaint[]): HistoryItem[] {
  return [...touchpoints.map(touchpointItem), ...complaints.flatMap((c) => c.activity.map((a) => activityItem(c, a)))].sort(newestFirst);
}

/** Polls `check` until it stops throwing, or throws its last error after `timeoutMs`. */
async function eventually(check: () => void, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise<void>((resolve) => runtime.setTimeout(resolve, 5));
    }
  }
}

/** Calls `mutate` on a returned record, ignoring the TypeError frozen objects throw. */
function tryMutate(mutate: () => void): void {
  try {
    mutate();
  } catch {
    // Frozen records throw in strict mode: that is one good way to protect the store.
  }
}

/** Strings a store must reject as cursors. */
const GARBAGE_CURSORS = ['garbage', '!!!', '%00', 'eyJpZCI6MX0', 'bGlzdDpjdXN0b21lcnMBJyBPUiAxPTEgLS0', 'x'.repeat(5000)];

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

/**
 * Registers the `CrmStore` contract tests for one store implementation.
 *
 * @param name - how the store shows in the test report, e.g. `memoryStore`
 * @param factory - makes a fresh, empty store; called once per test, and the suite closes it after
 * @param options - features the store opts out of, each with a reason; the test runner
 * @returns a promise settled once the tests are registered: `await` it at the top level of the
 * test file (it imports vitest first, unless `options.runner` is given: then the tests are
 * registered before it returns)
 *
 * @example
 * ```ts
 * await describeStoreContract('restStore', () => restStore({ baseUrl }), { skip: { subscribe: 'polls changes instead' } })
 * ```
 */
export function describeStoreContract(name: string, factory: StoreFactory, options: StoreContractOptions = {}): Promise<void> {
  if (options.runner) {
    registerContract(name, factory, options, options.runner);
    return Promise.resolve();
  }
  return import('vitest').then(
    (vitest) => registerContract(name, factory, options, vitest as unknown as ContractRunner),
    (cause: unknown) => {
      throw new Error('describeStoreContract: install vitest (npm i -D vitest), or pass `options.runner` with your test runner’s describe, it, expect, beforeEach and afterEach', { cause });
    },
  );
}

function registerContract(name: string, factory: StoreFactory, options: StoreContractOptions, runner: ContractRunner): void {
  useRunner(runner);
  const subscribeTimeoutMs = options.subscribeTimeoutMs ?? 2000;

  describe(`CrmStore contract: ${name}`, () => {
    let store: CrmStore;
    let closedByTest = false;

    beforeEach(async () => {
      closedByTest = false;
      store = await factory();
    });

    afterEach(async () => {
      if (store && !closedByTest) await store.close();
    });

    /** Registers a test of an optional feature: skipped, with its reason shown, when the options say so. */
    const feature = (which: ContractFeature, title: string, body: () => Promise<void>) => {
      const reason = options.skip?.[which];
      if (reason === undefined) it(title, body);
      else if (typeof reason !== 'string' || reason.trim() === '') {
        it(title, () => {
          throw new Error(`options.skip.${which} must be a reason (a non-empty string), not ${JSON.stringify(reason)}`);
        });
      } else it.skip(`${title} [skipped: ${reason}]`, body);
    };

    /** A customer with an address, a complaint and a touchpoint about it: what the other records refer to. */
    const seedParents = async () => {
      const [customer] = await seed(store, 'customers', [fullCustomer()]);
      const [complaint] = await seed(store, 'complaints', [makeComplaint(customer!.id)]);
      const [touchpoint] = await seed(store, 'touchpoints', [makeTouchpoint(customer!.id, { complaintId: complaint!.id })]);
      return { customer: customer!, complaint: complaint!, touchpoint: touchpoint! };
    };
    type Parents = Awaited<ReturnType<typeof seedParents>>;

    describe('setup', () => {
      it('the factory gives a fresh, empty store', async () => {
        expect(typeof store.kind).toBe('string');
        expect(store.kind.length).toBeGreaterThan(0);
        for (const entity of ['customers', 'touchpoints', 'complaints'] as const) {
          expect(await store.list(entity)).toEqual({ items: [], nextCursor: null });
        }
        expect(await store.changes({ since: 0 })).toEqual({ changes: [], lastSeq: 0, head: 0 });
      });

      it('the record builders make records that pass the schemas unchanged', () => {
        const customer = fullCustomer();
        const records = {
          customers: [makeCustomer(), customer, makeCustomer({ name: ALL_UNICODE, tags: Object.values(UNICODE) }), bigCustomer()],
          touchpoints: [
            makeTouchpoint(customer.id),
            fullTouchpoint(customer.id),
            makeTouchpoint(customer.id, { summary: longText(20_000) }),
          ],
          complaints: [makeComplaint(customer.id), fullComplaint(customer.id), bigComplaint(customer.id, 2000)],
        };
        for (const record of records.customers) expect(CustomerSchema.parse(record)).toEqual(record);
        for (const record of records.touchpoints) expect(TouchpointSchema.parse(record)).toEqual(record);
        for (const record of records.complaints) expect(ComplaintSchema.parse(record)).toEqual(record);
        expect(longText(20_000)).toHaveLength(20_000);
        const made = [newId(), newId(), newId()];
        expect([...made].sort()).toEqual(made);
        expect(new Set(made).size).toBe(3);
      });
    });

    /** Create, get and update tests for one entity. */
    const basics = <E extends EntityName>(
      entity: E,
      build: (parents: Parents) => EntityRecords[E],
      change: (record: EntityRecords[E]) => Partial<EntityRecords[E]>,
    ) => {
      const one = SINGULAR[entity];
      describe(`${entity}: create, get, update`, () => {
        it(`creates a ${one} and gets it back field for field`, async () => {
          const parents = await seedParents();
          const before = await feedEnd(store);
          const record = build(parents);
          const expected = copy(record);
          const result = await store.write([createOp(entity, record)]);
          expect(result).toEqual({ lastSeq: before + 1, writeId: before + 1 });
          expect(await store.get(entity, expected.id)).toEqual(expected);
        });

        it(`get of an unknown ${one} id returns null, also for an id of another kind of record`, async () => {
          const parents = await seedParents();
          expect(await store.get(entity, newId())).toBeNull();
          const otherEntity: EntityName = entity === 'customers' ? 'touchpoints' : 'customers';
          const otherId = otherEntity === 'customers' ? parents.customer.id : parents.touchpoint.id;
          expect(await store.get(entity, otherId)).toBeNull();
        });

        it(`create of an existing ${one} id fails with CrmConflictError and changes nothing`, async () => {
          const parents = await seedParents();
          const [original] = await seed(store, entity, [build(parents)]);
          const before = await feedEnd(store);
          const clash = { ...build(parents), id: original!.id };
          const error = await expectConflict(() => store.write([createOp(entity, clash)]));
          expect(error.id).toBe(original!.id);
          expect(await store.get(entity, original!.id)).toEqual(original);
          expect(await changesSince(store, before)).toEqual([]);
        });

        it(`update replaces the ${one} and moves it to the next version`, async () => {
          const parents = await seedParents();
          const [v1] = await seed(store, entity, [build(parents)]);
          const v2 = await update(store, entity, v1!, change(v1!));
          expect(v2.version).toBe(2);
          expect(await store.get(entity, v1!.id)).toEqual(v2);
          const v3 = await update(store, entity, v2, {} as Partial<EntityRecords[E]>);
          expect(await store.get(entity, v1!.id)).toEqual(v3);
          expect((await store.get(entity, v1!.id))!.version).toBe(3);
        });

        it(`create of a ${one} at a version other than 1 fails with CrmValidationError`, async () => {
          const parents = await seedParents();
          const before = await feedEnd(store);
          const record = { ...build(parents), version: 2 };
          await expectValidation(() => store.write([createOp(entity, record)]), 'version');
          expect(await store.get(entity, record.id)).toBeNull();
          expect(await changesSince(store, before)).toEqual([]);
        });
      });
    };

    basics<'customers'>(
      'customers',
      () => fullCustomer(),
      (c) => ({ name: 'Lin Mei-Ling', kind: 'customer', tags: [...c.tags, 'renewed'], emails: ['mei@new.example.tw'] }),
    );
    basics<'touchpoints'>(
      'touchpoints',
      (p) => fullTouchpoint(p.customer.id, { complaintId: p.complaint.id, addressId: p.customer.addresses[0]!.id }),
      () => ({ summary: 'Called back, all settled', outcome: 'resolved', sentiment: 0.5 }),
    );
    basics<'complaints'>(
      'complaints',
      (p) => {
        const {
          satisfaction: _satisfaction,
          resolvedAt: _resolvedAt,
          ...open
        } = fullComplaint(p.customer.id, { touchpointId: p.touchpoint.id });
        return { ...open, status: 'open' };
      },
      (c) => ({
        status: 'pending_customer',
        activity: [...c.activity, makeActivity({ type: 'status_changed', at: contractTime(90), from: c.status, to: 'pending_customer' })],
      }),
    );

    describe('optimistic concurrency', () => {
      it('an update from a stale expectedVersion fails with CrmConflictError and writes nothing', async () => {
        const [v1] = await seed(store, 'customers', [makeCustomer({ name: 'First' })]);
        const v2 = await update(store, 'customers', v1!, { name: 'Second' });
        const before = await feedEnd(store);
        const stale = nextVersion(v1!, { name: 'Stale' }); // version 2, expecting 1
        const error = await expectConflict(() => store.write([updateOp('customers', stale, 1)]));
        expect(error.expectedVersion).toBe(1);
        expect(error.currentVersion).toBe(2);
        expect(error.id).toBe(v1!.id);
        expect(await store.get('customers', v1!.id)).toEqual(v2);
        expect(await changesSince(store, before)).toEqual([]);
      });

      it('an update from a version ahead of the stored one fails with CrmConflictError', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const [v1] = await seed(store, 'complaints', [makeComplaint(c!.id)]);
        const ahead = { ...nextVersion(v1!), version: 6 };
        const error = await expectConflict(() => store.write([updateOp('complaints', ahead, 5)]));
        expect(error.expectedVersion).toBe(5);
        expect(error.currentVersion).toBe(1);
        expect(await store.get('complaints', v1!.id)).toEqual(v1);
      });

      it('an update of a record that does not exist fails with CrmConflictError', async () => {
        const ghost = nextVersion(makeCustomer());
        await expectConflict(() => store.write([updateOp('customers', ghost, 1)]));
        expect(await store.get('customers', ghost.id)).toBeNull();
        expect(await feedEnd(store)).toBe(0);
      });

      it('record.version must be expectedVersion + 1, else CrmValidationError and nothing written', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const [v1] = await seed(store, 'touchpoints', [makeTouchpoint(c!.id, { subject: 'Original' })]);
        const before = await feedEnd(store);
        for (const version of [1, 3, 0]) {
          const wrong = { ...v1!, subject: 'Changed', version };
          await expectValidation(() => store.write([updateOp('touchpoints', wrong, 1)]), 'version');
        }
        expect(await store.get('touchpoints', v1!.id)).toEqual(v1);
        expect(await changesSince(store, before)).toEqual([]);
      });

      it('of two concurrent updates from the same version exactly one succeeds', async () => {
        const [v1] = await seed(store, 'customers', [makeCustomer({ name: 'Start' })]);
        const a = nextVersion(v1!, { name: 'Writer A' });
        const b = nextVersion(v1!, { name: 'Writer B' });
        const expected = { a: copy(a), b: copy(b) };
        const results = await Promise.allSettled([store.write([updateOp('customers', a)]), store.write([updateOp('customers', b)])]);
        const fulfilled = results.filter((r) => r.status === 'fulfilled');
        const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(1);
        expect(rejected[0]!.reason).toBeInstanceOf(CrmConflictError);
        const winner = results[0]!.status === 'fulfilled' ? expected.a : expected.b;
        expect(await store.get('customers', v1!.id)).toEqual(winner);
        const feed = await changesSince(store, 0);
        expect(feed.map((c) => [c.op, c.version])).toEqual([
          ['create', 1],
          ['update', 2],
        ]);
        expect(feed[1]!.record).toEqual(winner);
      });
    });

    describe('atomic writes', () => {
      it('a write of [create complaint, create touchpoint] stores both with consecutive seqs', async () => {
        const [customer] = await seed(store, 'customers', [makeCustomer()]);
        const complaint = makeComplaint(customer!.id);
        const touchpoint = makeTouchpoint(customer!.id, { complaintId: complaint.id, outcome: 'complaint' });
        const expected = copy({ complaint, touchpoint });
        const result = await store.write([createOp('complaints', complaint), createOp('touchpoints', touchpoint)]);
        expect(result).toEqual({ lastSeq: 3, writeId: 3 });
        expect(await store.get('complaints', complaint.id)).toEqual(expected.complaint);
        expect(await store.get('touchpoints', touchpoint.id)).toEqual(expected.touchpoint);
        const feed = await changesSince(store, 1);
        expect(feed.map((c) => [c.seq, c.entity, c.id])).toEqual([
          [2, 'complaints', complaint.id],
          [3, 'touchpoints', touchpoint.id],
        ]);
      });

      it('a write whose second op conflicts stores neither and adds no change', async () => {
        const [customer] = await seed(store, 'customers', [makeCustomer()]);
        const [existing] = await seed(store, 'touchpoints', [makeTouchpoint(customer!.id, { subject: 'Existing' })]);
        const before = await feedEnd(store);
        const complaint = makeComplaint(customer!.id);
        const clash = makeTouchpoint(customer!.id, { id: existing!.id, subject: 'Clash' });
        await expectConflict(() => store.write([createOp('complaints', complaint), createOp('touchpoints', clash)]));
        expect(await store.get('complaints', complaint.id)).toBeNull();
        expect(await store.get('touchpoints', existing!.id)).toEqual(existing);
        expect(await changesSince(store, before)).toEqual([]);
        expect((await store.list('complaints')).items).toEqual([]);
      });

      it('a write whose second op is a stale update leaves the first op (an update) undone', async () => {
        const [a, b] = await seed(store, 'customers', [makeCustomer({ name: 'A' }), makeCustomer({ name: 'B' })]);
        const bNow = await update(store, 'customers', b!, { name: 'B2' });
        const before = await feedEnd(store);
        const aNext = nextVersion(a!, { name: 'A2' });
        const bStale = nextVersion(b!, { name: 'B-stale' });
        await expectConflict(() => store.write([updateOp('customers', aNext), updateOp('customers', bStale, 1)]));
        expect(await store.get('customers', a!.id)).toEqual(a);
        expect(await store.get('customers', b!.id)).toEqual(bNow);
        expect(await changesSince(store, before)).toEqual([]);
      });

      it('a write whose second op is invalid writes nothing', async () => {
        const [customer] = await seed(store, 'customers', [makeCustomer()]);
        const before = await feedEnd(store);
        const good = makeTouchpoint(customer!.id);
        const bad = { ...makeTouchpoint(customer!.id), version: 7 };
        await expectValidation(() => store.write([createOp('touchpoints', good), createOp('touchpoints', bad)]));
        expect(await store.get('touchpoints', good.id)).toBeNull();
        expect(await store.get('touchpoints', bad.id)).toBeNull();
        expect(await changesSince(store, before)).toEqual([]);
      });

      it('the same id twice in one write fails with CrmValidationError and writes nothing', async () => {
        const first = makeCustomer({ name: 'First' });
        const second = makeCustomer({ id: first.id, name: 'Second' });
        await expectValidation(() => store.write([createOp('customers', first), createOp('customers', second)]));
        expect(await store.get('customers', first.id)).toBeNull();
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const twice = [updateOp('customers', nextVersion(c!, { name: 'x' })), updateOp('customers', nextVersion(c!, { name: 'y' }))];
        await expectValidation(() => store.write(twice));
        expect(await store.get('customers', c!.id)).toEqual(c);
        expect(await feedEnd(store)).toBe(1);
      });
    });

    describe('list: filters', () => {
      it('filters customers by kind, ownerId, tag, email (case-insensitive) and externalId', async () => {
        const [, , , dan] = await seed(store, 'customers', [
          makeCustomer({
            name: 'Ann',
            kind: 'prospect',
            ownerId: 'sam',
            tags: ['vip', 'north'],
            emails: ['ann@example.com'],
            externalIds: { hubspot: '1' },
          }),
          makeCustomer({
            name: 'Bob',
            kind: 'customer',
            ownerId: 'sam',
            tags: ['north'],
            emails: ['bob@example.com', 'b@work.example'],
            externalIds: { hubspot: '2', salesforce: '1' },
          }),
          makeCustomer({ name: 'Cat', kind: 'former', ownerId: 'linda', tags: ['vip'], emails: [] }),
          makeCustomer({ name: 'Dan', kind: 'customer', tags: [], emails: ['dan@example.com'] }),
        ]);
        const names = async (filter: ListQuery<'customers'>['filter']) =>
          (await listAll(store, 'customers', { filter })).map((c) => c.name);
        expect(await names({ kind: 'customer' })).toEqual(['Dan', 'Bob']);
        expect(await names({ kind: 'former' })).toEqual(['Cat']);
        expect(await names({ ownerId: 'sam' })).toEqual(['Bob', 'Ann']);
        expect(await names({ ownerId: 'nobody' })).toEqual([]);
        expect(await names({ tag: 'vip' })).toEqual(['Cat', 'Ann']);
        expect(await names({ tag: 'VIP' })).toEqual([]);
        expect(await names({ email: 'b@work.example' })).toEqual(['Bob']);
        expect(await names({ email: 'ANN@Example.COM' })).toEqual(['Ann']);
        expect(await names({ email: 'ann@example' })).toEqual([]);
        expect(await names({ externalId: { system: 'hubspot', id: '2' } })).toEqual(['Bob']);
        expect(await names({ externalId: { system: 'salesforce', id: '1' } })).toEqual(['Bob']);
        expect(await names({ externalId: { system: 'hubspot', id: '3' } })).toEqual([]);
        expect(await names({ kind: 'prospect', ownerId: 'sam', tag: 'north' })).toEqual(['Ann']);
        expect(await names({ kind: 'customer', tag: 'vip' })).toEqual([]);
        expect(await names({})).toEqual(['Dan', 'Cat', 'Bob', 'Ann']);
        expect((await store.list('customers', { filter: { email: 'dan@example.com' } })).items).toEqual([dan]);
        const [twice] = await seed(store, 'customers', [
          makeCustomer({ name: 'Eve', emails: ['eve@example.com', 'eve@example.com'], tags: ['vip', 'vip'] }),
        ]);
        expect((await store.list('customers', { filter: { email: 'eve@example.com' } })).items).toEqual([twice]);
        expect(await names({ tag: 'vip' })).toEqual(['Eve', 'Cat', 'Ann']);
      });

      it('filters touchpoints by customerId, complaintId, channel, direction and actorId', async () => {
        const [c1, c2] = await seed(store, 'customers', [makeCustomer(), makeCustomer()]);
        const [k1] = await seed(store, 'complaints', [makeComplaint(c1!.id)]);
        const tps = await seed(store, 'touchpoints', [
          makeTouchpoint(c1!.id, { subject: 't0', channel: 'call', direction: 'inbound', actorId: 'sam', complaintId: k1!.id }),
          makeTouchpoint(c1!.id, { subject: 't1', channel: 'email', direction: 'outbound', actorId: 'sam' }),
          makeTouchpoint(c2!.id, { subject: 't2', channel: 'email', direction: 'inbound', actorId: 'linda' }),
          makeTouchpoint(c1!.id, { subject: 't3', channel: 'letter', direction: 'outbound', complaintId: k1!.id }),
          makeTouchpoint(c2!.id, { subject: 't4', channel: 'call', direction: 'outbound', actorId: 'sam' }),
        ]);
        const subjects = async (filter: ListQuery<'touchpoints'>['filter']) =>
          (await listAll(store, 'touchpoints', { filter })).map((t) => t.subject);
        expect(await subjects({ customerId: c1!.id })).toEqual(['t3', 't1', 't0']);
        expect(await subjects({ customerId: c2!.id })).toEqual(['t4', 't2']);
        expect(await subjects({ complaintId: k1!.id })).toEqual(['t3', 't0']);
        expect(await subjects({ channel: 'email' })).toEqual(['t2', 't1']);
        expect(await subjects({ channel: 'sms' })).toEqual([]);
        expect(await subjects({ direction: 'outbound' })).toEqual(['t4', 't3', 't1']);
        expect(await subjects({ actorId: 'sam' })).toEqual(['t4', 't1', 't0']);
        expect(await subjects({ customerId: c1!.id, direction: 'outbound' })).toEqual(['t3', 't1']);
        expect(await subjects({ customerId: c2!.id, channel: 'call', actorId: 'sam' })).toEqual(['t4']);
        expect(await subjects({ complaintId: k1!.id, channel: 'call' })).toEqual(['t0']);
        expect((await store.list('touchpoints', { filter: { customerId: c2!.id, channel: 'email' } })).items).toEqual([tps[2]]);
      });

      it('filters touchpoints by signal state, also after an update changes or sets the state', async () => {
        const [c1, c2] = await seed(store, 'customers', [makeCustomer(), makeCustomer()]);
        const signal = (state: 'suggested' | 'accepted' | 'dismissed') => ({
          state,
          reasons: ['outcome is "complaint"'],
          matches: [],
          detectedAt: CONTRACT_EPOCH,
          ...(state === 'suggested' ? {} : { decidedAt: contractTime(5) }),
        });
        const [t0, , t2] = await seed(store, 'touchpoints', [
          makeTouchpoint(c1!.id, { subject: 's0', signal: signal('suggested') }),
          makeTouchpoint(c1!.id, { subject: 's1' }),
          makeTouchpoint(c2!.id, { subject: 's2', signal: signal('suggested') }),
          makeTouchpoint(c2!.id, { subject: 's3', signal: signal('dismissed') }),
          makeTouchpoint(c1!.id, { subject: 's4', signal: signal('accepted') }),
        ]);
        const subjects = async (filter: ListQuery<'touchpoints'>['filter']) =>
          (await listAll(store, 'touchpoints', { filter })).map((t) => t.subject);
        expect(await subjects({ signal: 'suggested' })).toEqual(['s2', 's0']);
        expect(await subjects({ signal: 'dismissed' })).toEqual(['s3']);
        expect(await subjects({ signal: 'accepted', customerId: c1!.id })).toEqual(['s4']);
        expect(await subjects({ signal: 'suggested', customerId: c2!.id })).toEqual(['s2']);
        await update(store, 'touchpoints', t0!, { signal: { ...signal('dismissed'), note: 'asked about the bill' } });
        const [t1] = (await listAll(store, 'touchpoints', { filter: { customerId: c1!.id } })).filter((t) => t.subject === 's1');
        await update(store, 'touchpoints', t1!, { signal: signal('suggested') });
        expect(await subjects({ signal: 'suggested' })).toEqual(['s2', 's1']);
        expect(await subjects({ signal: 'dismissed' })).toEqual(['s3', 's0']);
        expect((await store.get('touchpoints', t0!.id))!.signal).toEqual({ ...signal('dismissed'), note: 'asked about the bill' });
        expect((await store.list('touchpoints', { filter: { signal: 'suggested' }, order: 'asc' })).items.map((t) => t.id)).toEqual([
          t1!.id,
          t2!.id,
        ]);
      });

      it('filters complaints by customerId, status (one or several), ownerId and priority', async () => {
        const [c1, c2] = await seed(store, 'customers', [makeCustomer(), makeCustomer()]);
        await seed(store, 'complaints', [
          makeComplaint(c1!.id, { subject: 'k0', status: 'new', priority: 'low' }),
          makeComplaint(c1!.id, { subject: 'k1', status: 'open', priority: 'high', ownerId: 'sam' }),
          makeComplaint(c2!.id, { subject: 'k2', status: 'pending_customer', priority: 'high', ownerId: 'linda' }),
          makeComplaint(c2!.id, { subject: 'k3', status: 'resolved', priority: 'urgent', ownerId: 'sam' }),
          makeComplaint(c1!.id, { subject: 'k4', status: 'open', priority: 'normal', ownerId: 'linda' }),
        ]);
        const subjects = async (filter: ListQuery<'complaints'>['filter']) =>
          (await listAll(store, 'complaints', { filter })).map((k) => k.subject);
        expect(await subjects({ customerId: c1!.id })).toEqual(['k4', 'k1', 'k0']);
        expect(await subjects({ status: 'open' })).toEqual(['k4', 'k1']);
        expect(await subjects({ status: 'closed' })).toEqual([]);
        expect(await subjects({ status: ['new', 'pending_customer', 'resolved'] })).toEqual(['k3', 'k2', 'k0']);
        expect(await subjects({ status: ['open'] })).toEqual(['k4', 'k1']);
        expect(await subjects({ status: ['open', 'open', 'new'] })).toEqual(['k4', 'k1', 'k0']);
        expect(await subjects({ ownerId: 'sam' })).toEqual(['k3', 'k1']);
        expect(await subjects({ priority: 'high' })).toEqual(['k2', 'k1']);
        expect(await subjects({ customerId: c2!.id, status: ['resolved', 'open'] })).toEqual(['k3']);
        expect(await subjects({ ownerId: 'linda', priority: 'normal', status: ['open', 'new'] })).toEqual(['k4']);
        expect(
          await listAll(store, 'complaints', { filter: { status: ['open', 'new'] }, order: 'asc' }).then((r) => r.map((k) => k.subject)),
        ).toEqual(['k0', 'k1', 'k4']);
      });

      it('filters match the current version of each record, not the one first written', async () => {
        const [cust] = await seed(store, 'customers', [
          makeCustomer({ emails: ['old@example.com'], tags: ['old'], ownerId: 'sam', externalIds: { hubspot: 'h1' } }),
        ]);
        const [tp] = await seed(store, 'touchpoints', [makeTouchpoint(cust!.id, { channel: 'call', actorId: 'sam' })]);
        const [k] = await seed(store, 'complaints', [makeComplaint(cust!.id, { status: 'new', ownerId: 'sam', priority: 'low' })]);
        await update(store, 'customers', cust!, {
          emails: ['new@example.com'],
          tags: ['new'],
          ownerId: 'linda',
          externalIds: { hubspot: 'h2' },
        });
        await update(store, 'touchpoints', tp!, { channel: 'email', actorId: 'linda' });
        await update(store, 'complaints', k!, { status: 'open', ownerId: 'linda', priority: 'urgent' });
        const count = async <E extends EntityName>(entity: E, filter: ListQuery<E>['filter']) =>
          (await listAll(store, entity, { filter })).length;
        expect(await count('customers', { email: 'old@example.com' })).toBe(0);
        expect(await count('customers', { email: 'new@example.com' })).toBe(1);
        expect(await count('customers', { tag: 'old' })).toBe(0);
        expect(await count('customers', { tag: 'new' })).toBe(1);
        expect(await count('customers', { ownerId: 'sam' })).toBe(0);
        expect(await count('customers', { externalId: { system: 'hubspot', id: 'h1' } })).toBe(0);
        expect(await count('customers', { externalId: { system: 'hubspot', id: 'h2' } })).toBe(1);
        expect(await count('touchpoints', { channel: 'call' })).toBe(0);
        expect(await count('touchpoints', { actorId: 'linda', channel: 'email' })).toBe(1);
        expect(await count('complaints', { status: 'new' })).toBe(0);
        expect(await count('complaints', { status: ['new', 'open'] })).toBe(1);
        expect(await count('complaints', { ownerId: 'sam' })).toBe(0);
        expect(await count('complaints', { ownerId: 'linda', priority: 'urgent', status: 'open' })).toBe(1);
        expect((await store.list('complaints', { filter: { status: 'open' } })).items[0]!.version).toBe(2);
      });
    });

    describe('list: order and pages', () => {
      it('lists newest id first by default, oldest first with order "asc"', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const made = await seed(
          store,
          'touchpoints',
          Array.from({ length: 5 }, () => makeTouchpoint(c!.id)),
        );
        expect(ids((await store.list('touchpoints')).items)).toEqual(sortedIds(made, 'desc'));
        expect(ids((await store.list('touchpoints', { order: 'desc' })).items)).toEqual(sortedIds(made, 'desc'));
        expect(ids((await store.list('touchpoints', { order: 'asc' })).items)).toEqual(sortedIds(made, 'asc'));
        expect((await store.list('touchpoints')).items).toEqual([...made].reverse());
      });

      it('orders ids by UTF-16 code units, as JavaScript compares strings, whatever order they were written in', async () => {
        const names = ['b', 'A', '_x', '-y', '0z', 'a', 'B', 'Z9'];
        await seed(
          store,
          'customers',
          names.map((id) => makeCustomer({ id, name: `named ${id}` })),
        );
        const expected = [...names].sort();
        expect(ids(await listAll(store, 'customers', { order: 'asc', limit: 3 }))).toEqual(expected);
        expect(ids(await listAll(store, 'customers', { limit: 3 }))).toEqual([...expected].reverse());
      });

      it('exactly `limit` items make one page with nextCursor null; one more makes two pages', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const first = await seed(store, 'complaints', [makeComplaint(c!.id), makeComplaint(c!.id), makeComplaint(c!.id)]);
        const page = await store.list('complaints', { limit: 3 });
        expect(ids(page.items)).toEqual(sortedIds(first));
        expect(page.nextCursor).toBeNull();
        const [extra] = await seed(store, 'complaints', [makeComplaint(c!.id)]);
        const p1 = await store.list('complaints', { limit: 3 });
        expect(ids(p1.items)).toEqual([extra!.id, ...sortedIds(first).slice(0, 2)]);
        expect(typeof p1.nextCursor).toBe('string');
        const p2 = await store.list('complaints', { limit: 3, cursor: p1.nextCursor });
        expect(ids(p2.items)).toEqual([sortedIds(first)[2]]);
        expect(p2.nextCursor).toBeNull();
      });

      it('pages hold 50 records when no limit is given, and 500 is an allowed limit', async () => {
        const made = await seed(
          store,
          'customers',
          Array.from({ length: 51 }, (_, i) => makeCustomer({ name: `c${i}` })),
        );
        const page = await store.list('customers');
        expect(ids(page.items)).toEqual(sortedIds(made).slice(0, 50));
        const rest = await store.list('customers', { cursor: page.nextCursor });
        expect(ids(rest.items)).toEqual([made[0]!.id]);
        expect(rest.nextCursor).toBeNull();
        expect((await store.list('customers', { limit: 500 })).items).toHaveLength(51);
      });

      it('walking every page with small limits returns every record exactly once, in order, both ways', async () => {
        const [c1, c2] = await seed(store, 'customers', [makeCustomer(), makeCustomer()]);
        const made = await seed(
          store,
          'touchpoints',
          Array.from({ length: 23 }, (_, i) => makeTouchpoint(i % 3 === 0 ? c2!.id : c1!.id, { channel: i % 2 ? 'email' : 'call' })),
        );
        for (const limit of [1, 2, 5, 22, 23]) {
          expect(ids(await listAll(store, 'touchpoints', { limit }))).toEqual(sortedIds(made, 'desc'));
          expect(ids(await listAll(store, 'touchpoints', { limit, order: 'asc' }))).toEqual(sortedIds(made, 'asc'));
        }
        const ofC1 = made.filter((t) => t.customerId === c1!.id);
        expect(ids(await listAll(store, 'touchpoints', { limit: 4, filter: { customerId: c1!.id } }))).toEqual(sortedIds(ofC1));
        const ofC1Email = ofC1.filter((t) => t.channel === 'email');
        expect(
          ids(await listAll(store, 'touchpoints', { limit: 2, order: 'asc', filter: { customerId: c1!.id, channel: 'email' } })),
        ).toEqual(sortedIds(ofC1Email, 'asc'));
      });

      for (const order of ['desc', 'asc'] as const) {
        it(`records created between pages (${order}) cause no repeats and no gaps among the others`, async () => {
          const original = await seed(
            store,
            'customers',
            Array.from({ length: 10 }, (_, i) => makeCustomer({ name: `orig ${i}`, tags: ['t'] })),
          );
          const seen: string[] = [];
          let cursor: string | null = null;
          for (let page = 0; page < 20; page++) {
            const result: Page<Customer> = await store.list('customers', { limit: 3, order, cursor, filter: { tag: 't' } });
            seen.push(...ids(result.items));
            await seed(store, 'customers', [makeCustomer({ name: `new ${page}`, tags: ['t'] }), makeCustomer({ name: `other ${page}` })]);
            if (result.nextCursor === null) break;
            cursor = result.nextCursor;
          }
          expect(new Set(seen).size).toBe(seen.length);
          const originalIds = new Set(ids(original));
          expect(seen.filter((id) => originalIds.has(id))).toEqual(sortedIds(original, order));
        });
      }

      it('an invalid cursor fails with CrmValidationError naming the cursor', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer(), makeCustomer()]);
        await seed(store, 'touchpoints', [makeTouchpoint(c!.id), makeTouchpoint(c!.id)]);
        for (const cursor of GARBAGE_CURSORS) await expectValidation(() => store.list('customers', { cursor }), 'cursor');
        const historyCursor = (await store.history(c!.id, { limit: 1 })).nextCursor;
        expect(historyCursor).not.toBeNull();
        await expectValidation(() => store.list('touchpoints', { cursor: historyCursor }), 'cursor');
        const customerCursor = (await store.list('customers', { limit: 1 })).nextCursor;
        expect(customerCursor).not.toBeNull();
        await expectValidation(() => store.list('touchpoints', { cursor: customerCursor }), 'cursor');
        await expectValidation(() => store.list('complaints', { cursor: customerCursor }), 'cursor');
        expect((await store.list('customers', { cursor: customerCursor })).items).toHaveLength(1);
      });

      it('a limit that is not a whole number from 1 to 500 fails with CrmValidationError naming the limit', async () => {
        await seed(store, 'customers', [makeCustomer()]);
        for (const limit of [0, 501, 1.5, -1, Number.NaN]) {
          await expectValidation(() => store.list('customers', { limit }), 'limit');
        }
      });
    });

    describe('history', () => {
      /** A customer with interleaved touchpoints and complaint activity, plus another customer's records. */
      const seedHistory = async () => {
        const [customer, other] = await seed(store, 'customers', [makeCustomer({ name: 'Target' }), makeCustomer({ name: 'Other' })]);
        const cid = customer!.id;
        const touchpoints = await seed(store, 'touchpoints', [
          makeTouchpoint(cid, { occurredAt: contractTime(0), channel: 'call', subject: 'first call' }),
          makeTouchpoint(cid, { occurredAt: contractTime(20), channel: 'email', subject: 'email' }),
          makeTouchpoint(cid, { occurredAt: contractTime(40), channel: 'call', subject: 'second call' }),
        ]);
        const complaints = await seed(store, 'complaints', [
          makeComplaint(cid, {
            channel: 'call',
            ownerId: 'sam',
            activity: [
              makeActivity({ type: 'opened', at: contractTime(10) }),
              makeActivity({ type: 'assigned', at: contractTime(30), from: null, to: 'sam', reason: 'On duty' }),
            ],
          }),
          makeComplaint(cid, {
            channel: 'web_form',
            subject: 'Website login',
            activity: [
              makeActivity({ type: 'opened', at: contractTime(15) }),
              makeActivity({ type: 'note', at: contractTime(50), text: 'Reset link sent' }),
            ],
          }),
        ]);
        await seed(store, 'touchpoints', [
          makeTouchpoint(other!.id, { occurredAt: contractTime(25) }),
          makeTouchpoint(other!.id, { occurredAt: contractTime(60), channel: 'email' }),
        ]);
        await seed(store, 'complaints', [
          makeComplaint(other!.id, { channel: 'call', activity: [makeActivity({ type: 'opened', at: contractTime(35) })] }),
        ]);
        return { customer: customer!, other: other!, touchpoints, complaints };
      };

      it('merges touchpoints and complaint activity newest first, as items of the documented shape', async () => {
        const { customer, touchpoints, complaints } = await seedHistory();
        const page = await store.history(customer.id);
        expect(page.nextCursor).toBeNull();
        expect(page.items).toEqual(expectedHistory(touchpoints, complaints));
        expect(page.items.map((i) => i.at)).toEqual([50, 40, 30, 20, 15, 10, 0].map((m) => contractTime(m)));
        expect(page.items[0]).toEqual({
          type: 'complaint_activity',
          id: complaints[1]!.activity[1]!.id,
          at: contractTime(50),
          complaint: {
            id: complaints[1]!.id,
            subject: 'Website login',
            status: 'new',
            priority: 'normal',
            ownerId: undefined,
            channel: 'web_form',
          },
          activity: complaints[1]!.activity[1],
        });
        expect(page.items[1]).toEqual({ type: 'touchpoint', id: touchpoints[2]!.id, at: contractTime(40), touchpoint: touchpoints[2] });
      });

      it("never shows another customer's items; an empty history is an empty page", async () => {
        const { customer, other } = await seedHistory();
        const mine = await historyAll(store, customer.id);
        const theirs = await historyAll(store, other.id);
        expect(mine).toHaveLength(7);
        expect(theirs).toHaveLength(3);
        for (const item of mine) {
          expect(
            item.type === 'touchpoint' ? item.touchpoint.customerId : (await store.get('complaints', item.complaint.id))!.customerId,
          ).toBe(customer.id);
        }
        const [lonely] = await seed(store, 'customers', [makeCustomer()]);
        expect(await store.history(lonely!.id)).toEqual({ items: [], nextCursor: null });
        expect(await store.history(newId())).toEqual({ items: [], nextCursor: null });
      });

      it('orders items at the same instant by id, newest id first', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const same = contractTime(5);
        const tps = await seed(
          store,
          'touchpoints',
          Array.from({ length: 4 }, () => makeTouchpoint(c!.id, { occurredAt: same })),
        );
        const [k] = await seed(store, 'complaints', [makeComplaint(c!.id, { activity: [makeActivity({ type: 'opened', at: same })] })]);
        const [late] = await seed(store, 'touchpoints', [makeTouchpoint(c!.id, { occurredAt: same })]);
        const items = (await store.history(c!.id)).items;
        expect(ids(items)).toEqual([late!.id, k!.activity[0]!.id, ...sortedIds(tps)]);
        expect(ids(await historyAll(store, c!.id, { limit: 2 }))).toEqual(ids(items));
      });

      it('puts a backdated touchpoint at its time, not where it was inserted', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const [t1, t2] = await seed(store, 'touchpoints', [
          makeTouchpoint(c!.id, { occurredAt: contractTime(100) }),
          makeTouchpoint(c!.id, { occurredAt: contractTime(200) }),
        ]);
        const [old] = await seed(store, 'touchpoints', [
          makeTouchpoint(c!.id, { occurredAt: contractTime(-60 * 24 * 30), channel: 'letter' }),
        ]);
        const [middle] = await seed(store, 'touchpoints', [makeTouchpoint(c!.id, { occurredAt: contractTime(150) })]);
        expect(ids((await store.history(c!.id)).items)).toEqual([t2!.id, middle!.id, t1!.id, old!.id]);
        expect(ids(await historyAll(store, c!.id, { limit: 1 }))).toEqual([t2!.id, middle!.id, t1!.id, old!.id]);
      });

      it('an update that changes occurredAt moves the touchpoint to its new time', async () => {
        const { customer, touchpoints, complaints } = await seedHistory();
        const later = await update(store, 'touchpoints', touchpoints[0]!, { occurredAt: contractTime(45) });
        const earlier = await update(store, 'touchpoints', touchpoints[2]!, { occurredAt: contractTime(-5) });
        const expected = expectedHistory([later, touchpoints[1]!, earlier], complaints);
        expect(await historyAll(store, customer.id, { limit: 3 })).toEqual(expected);
        expect(expected.slice(0, 2).map((i) => i.at)).toEqual([contractTime(50), contractTime(45)]);
        expect(expected[expected.length - 1]!.id).toBe(earlier.id);
      });

      it('filters by channels: touchpoints on them and activity of complaints raised on them', async () => {
        const { customer, touchpoints, complaints } = await seedHistory();
        const calls = await historyAll(store, customer.id, { channels: ['call'] });
        expect(calls).toEqual(expectedHistory([touchpoints[0]!, touchpoints[2]!], [complaints[0]!]));
        const emailOrWeb = await historyAll(store, customer.id, { channels: ['email', 'web_form'], limit: 1 });
        expect(emailOrWeb).toEqual(expectedHistory([touchpoints[1]!], [complaints[1]!]));
        expect(await store.history(customer.id, { channels: ['sms'] })).toEqual({ items: [], nextCursor: null });
      });

      it('filters by types', async () => {
        const { customer, touchpoints, complaints } = await seedHistory();
        expect(await historyAll(store, customer.id, { types: ['touchpoint'] })).toEqual(expectedHistory(touchpoints, []));
        expect(await historyAll(store, customer.id, { types: ['complaint_activity'], limit: 3 })).toEqual(expectedHistory([], complaints));
        expect(await historyAll(store, customer.id, { types: ['touchpoint', 'complaint_activity'], limit: 2 })).toEqual(
          expectedHistory(touchpoints, complaints),
        );
        expect(await historyAll(store, customer.id, { types: ['complaint_activity'], channels: ['web_form'] })).toEqual(
          expectedHistory([], [complaints[1]!]),
        );
      });

      it('pages with cursors: the pages together are the whole history, and the last page has nextCursor null', async () => {
        const { customer, touchpoints, complaints } = await seedHistory();
        const all = expectedHistory(touchpoints, complaints);
        for (const limit of [1, 2, 3, 6]) expect(await historyAll(store, customer.id, { limit })).toEqual(all);
        const exact = await store.history(customer.id, { limit: 7 });
        expect(exact.items).toEqual(all);
        expect(exact.nextCursor).toBeNull();
        const p1 = await store.history(customer.id, { limit: 4 });
        expect(p1.items).toEqual(all.slice(0, 4));
        const p2 = await store.history(customer.id, { limit: 4, cursor: p1.nextCursor });
        expect(p2).toEqual({ items: all.slice(4), nextCursor: null });
      });

      it('items added while paging (newer or older) never repeat an item nor skip one that was there before', async () => {
        const { customer, touchpoints, complaints } = await seedHistory();
        const original = expectedHistory(touchpoints, complaints);
        const seen: HistoryItem[] = [];
        let cursor: string | null = null;
        let complaint = complaints[0]!;
        for (let page = 0; page < 30; page++) {
          const result: Page<HistoryItem> = await store.history(customer.id, { limit: 2, cursor });
          seen.push(...result.items);
          // A newer touchpoint, a backdated one, and newer activity on an existing complaint.
          await seed(store, 'touchpoints', [
            makeTouchpoint(customer.id, { occurredAt: contractTime(1000 + page) }),
            makeTouchpoint(customer.id, { occurredAt: contractTime(-1000 - page) }),
          ]);
          const note = makeActivity({ type: 'note', at: contractTime(2000 + page), text: `note ${page}` });
          complaint = await update(store, 'complaints', complaint, { activity: [...complaint.activity, note] });
          if (result.nextCursor === null) break;
          cursor = result.nextCursor;
        }
        const seenIds = ids(seen);
        expect(new Set(seenIds).size).toBe(seenIds.length);
        const originalIds = new Set(ids(original));
        expect(seenIds.filter((id) => originalIds.has(id))).toEqual(ids(original));
      });

      it('shows each complaint as it is now, and activity appended by an update', async () => {
        const { customer, complaints } = await seedHistory();
        const before = complaints[0]!;
        expect((await store.history(customer.id)).items).toContainEqual(activityItem(before, before.activity[0]!));
        const moved = makeActivity({ type: 'status_changed', at: contractTime(70), from: 'new', to: 'open', actorId: 'sam' });
        const after = await update(store, 'complaints', before, {
          status: 'open',
          priority: 'urgent',
          subject: 'Escalated',
          activity: [...before.activity, moved],
        });
        const items = (await store.history(customer.id)).items;
        expect(items[0]).toEqual(activityItem(after, moved));
        const ofComplaint = items.filter((i) => i.type === 'complaint_activity' && i.complaint.id === before.id);
        expect(ofComplaint).toHaveLength(3);
        for (const item of ofComplaint) {
          expect(item.type === 'complaint_activity' && item.complaint).toEqual({
            id: before.id,
            subject: 'Escalated',
            status: 'open',
            priority: 'urgent',
            ownerId: 'sam',
            channel: 'call',
          });
        }
        expect(items).toEqual(
          expectedHistory(await listAll(store, 'touchpoints', { filter: { customerId: customer.id } }), [after, complaints[1]!]),
        );
      });

      it('a touchpoint or complaint moved to another customer moves to their history', async () => {
        const { customer, other, touchpoints, complaints } = await seedHistory();
        await update(store, 'touchpoints', touchpoints[0]!, { customerId: other.id });
        const movedComplaint = await update(store, 'complaints', complaints[1]!, { customerId: other.id });
        const mine = await historyAll(store, customer.id);
        expect(ids(mine)).toEqual(ids(expectedHistory([touchpoints[1]!, touchpoints[2]!], [complaints[0]!])));
        const theirs = ids(await historyAll(store, other.id));
        expect(theirs).toContain(touchpoints[0]!.id);
        for (const entry of movedComplaint.activity) expect(theirs).toContain(entry.id);
        expect(ids(await listAll(store, 'complaints', { filter: { customerId: other.id } }))).toContain(movedComplaint.id);
      });

      it('an invalid cursor or limit fails with CrmValidationError naming it', async () => {
        const { customer } = await seedHistory();
        for (const cursor of GARBAGE_CURSORS) await expectValidation(() => store.history(customer.id, { cursor }), 'cursor');
        const listCursor = (await store.list('touchpoints', { limit: 1 })).nextCursor;
        expect(listCursor).not.toBeNull();
        await expectValidation(() => store.history(customer.id, { cursor: listCursor }), 'cursor');
        for (const limit of [0, 501, 1.5]) await expectValidation(() => store.history(customer.id, { limit }), 'limit');
      });
    });

    describe('complaint activity is append-only', () => {
      const seedLog = async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const [k] = await seed(store, 'complaints', [
          makeComplaint(c!.id, {
            activity: [
              makeActivity({ type: 'opened', at: contractTime(0) }),
              makeActivity({ type: 'note', at: contractTime(1), text: 'one' }),
              makeActivity({ type: 'note', at: contractTime(2), text: 'two' }),
            ],
          }),
        ]);
        return { customer: c!, complaint: k!, before: await feedEnd(store) };
      };

      const rejects = (label: string, edit: (activity: ComplaintActivity[]) => ComplaintActivity[]) =>
        it(`an update that ${label} fails with CrmValidationError and writes nothing`, async () => {
          const { customer, complaint, before } = await seedLog();
          const next = nextVersion(complaint, { activity: edit([...complaint.activity]), status: 'open' });
          await expectValidation(() => store.write([updateOp('complaints', next)]), 'activity');
          expect(await store.get('complaints', complaint.id)).toEqual(complaint);
          expect(await changesSince(store, before)).toEqual([]);
          expect(ids(await historyAll(store, customer.id))).toEqual(ids([...complaint.activity].reverse()));
        });

      rejects('removes the last entry', (a) => a.slice(0, -1));
      rejects('removes a middle entry while appending one', (a) => [
        a[0]!,
        a[2]!,
        makeActivity({ type: 'note', at: contractTime(3), text: 'three' }),
      ]);
      rejects('empties the log', () => []);
      rejects("changes an existing entry's id", (a) => [a[0]!, { ...a[1]!, id: newId() }, a[2]!]);
      rejects('reorders existing entries', (a) => [a[0]!, a[2]!, a[1]!]);
      rejects("changes an existing entry's content", (a) => [a[0]!, { ...a[1]!, text: 'edited' } as ComplaintActivity, a[2]!]);
      rejects('adds a field to an existing entry', (a) => [{ ...a[0]!, actorId: 'staff-sam' }, a[1]!, a[2]!]);

      it('an update that appends entries is accepted, also when existing entries are equal copies', async () => {
        const { customer, complaint } = await seedLog();
        const added = [
          makeActivity({ type: 'note', at: contractTime(3), text: 'three' }),
          makeActivity({ type: 'note', at: contractTime(4), text: 'four' }),
        ];
        // `complaint` is a copy of what was written: its entries are equal to the stored ones, not the same objects.
        const next = await update(store, 'complaints', complaint, { activity: [...copy(complaint.activity), ...added] });
        expect(await store.get('complaints', complaint.id)).toEqual(next);
        expect(ids(await historyAll(store, customer.id))).toEqual(ids([...next.activity].reverse()));
      });
    });

    describe('change feed', () => {
      /** Six changes: create A; create B + touchpoint T; update A; create K; update K. */
      const seedFeed = async () => {
        const a1 = makeCustomer({ name: 'A' });
        const b = makeCustomer({ name: 'B' });
        const t = makeTouchpoint(b.id);
        const k1 = makeComplaint(b.id);
        const expected: Change[] = [];
        const writeEnds = [1, 3, 3, 4, 5, 6];
        const add = (entity: EntityName, op: 'create' | 'update', record: AnyRecord) => {
          const seq = expected.length + 1;
          expected.push({
            seq,
            entity,
            op,
            id: record.id,
            version: record.version,
            record: copy(record),
            writeId: writeEnds[seq - 1]!,
            at: expect.stringMatching(ISO_INSTANT),
            origin: 'app',
          } as unknown as Change);
        };
        add('customers', 'create', a1);
        expect(await store.write([createOp('customers', a1)])).toEqual({ lastSeq: 1, writeId: 1 });
        add('customers', 'create', b);
        add('touchpoints', 'create', t);
        expect(await store.write([createOp('customers', b), createOp('touchpoints', t)])).toEqual({ lastSeq: 3, writeId: 3 });
        const a2 = nextVersion(expected[0]!.record as Customer, { name: 'A2' });
        add('customers', 'update', a2);
        expect(await store.write([updateOp('customers', a2)])).toEqual({ lastSeq: 4, writeId: 4 });
        add('complaints', 'create', k1);
        expect(await store.write([createOp('complaints', k1)])).toEqual({ lastSeq: 5, writeId: 5 });
        const k2 = nextVersion(expected[4]!.record as Complaint, { status: 'open' });
        add('complaints', 'update', k2);
        expect(await store.write([updateOp('complaints', k2)])).toEqual({ lastSeq: 6, writeId: 6 });
        return expected;
      };

      it('lists every write in order with seq 1, 2, 3… and the entity, op, id, version and record', async () => {
        const expected = await seedFeed();
        const page = await store.changes({ since: 0 });
        expect(page).toEqual({ changes: expected, lastSeq: 6, head: 6 });
      });

      it('reads on from `since`, at most `limit` at a time; lastSeq equals `since` when nothing is new', async () => {
        const expected = await seedFeed();
        expect(await store.changes({ since: 2 })).toEqual({ changes: expected.slice(2), lastSeq: 6, head: 6 });
        expect(await store.changes({ since: 1, limit: 2 })).toEqual({ changes: expected.slice(1, 3), lastSeq: 3, head: 6 });
        expect(await store.changes({ since: 5, limit: 1 })).toEqual({ changes: expected.slice(5), lastSeq: 6, head: 6 });
        expect(await store.changes({ since: 6 })).toEqual({ changes: [], lastSeq: 6, head: 6 });
        expect(await store.changes({ since: 6, limit: 10 })).toEqual({ changes: [], lastSeq: 6, head: 6 });
        const later = makeCustomer({ name: 'Later' });
        await store.write([createOp('customers', later)]);
        const next = await store.changes({ since: 6 });
        expect(next.lastSeq).toBe(7);
        expect(next.changes.map((c) => [c.seq, c.op, c.id])).toEqual([[7, 'create', later.id]]);
      });

      it('returns 100 changes when no limit is given', async () => {
        const made = await seed(
          store,
          'customers',
          Array.from({ length: 120 }, (_, i) => makeCustomer({ name: `c${i}` })),
        );
        const first = await store.changes({ since: 0 });
        expect(first.changes.map((c) => c.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
        expect(first.lastSeq).toBe(100);
        expect(first.changes.map((c) => c.id)).toEqual(ids(made).slice(0, 100));
        const rest = await store.changes({ since: first.lastSeq });
        expect(rest.changes.map((c) => c.id)).toEqual(ids(made).slice(100));
        expect(rest.lastSeq).toBe(120);
        expect((await store.changes({ since: 0, limit: 1000 })).changes).toHaveLength(120);
      });

      it('an atomic multi-op write gets consecutive seqs, in op order, and returns the last one', async () => {
        await seed(store, 'customers', [makeCustomer()]);
        const c = makeCustomer();
        const k = makeComplaint(c.id);
        const t = makeTouchpoint(c.id, { complaintId: k.id });
        const result = await store.write([createOp('customers', c), createOp('complaints', k), createOp('touchpoints', t)]);
        expect(result).toEqual({ lastSeq: 4, writeId: 4 });
        expect((await store.changes({ since: 1 })).changes.map((ch) => [ch.seq, ch.entity, ch.id])).toEqual([
          [2, 'customers', c.id],
          [3, 'complaints', k.id],
          [4, 'touchpoints', t.id],
        ]);
      });

      it('a failed write adds nothing, and the next write continues without a gap', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        await expectConflict(() =>
          store.write([createOp('touchpoints', makeTouchpoint(c!.id)), createOp('customers', makeCustomer({ id: c!.id }))]),
        );
        await expectValidation(() => store.write([createOp('touchpoints', { ...makeTouchpoint(c!.id), version: 3 })]));
        await expectConflict(() => store.write([updateOp('customers', { ...nextVersion(c!), version: 5 }, 4)]));
        expect(await store.changes({ since: 0 })).toMatchObject({ lastSeq: 1, changes: [{ seq: 1, id: c!.id }] });
        const t = makeTouchpoint(c!.id);
        expect(await store.write([createOp('touchpoints', t)])).toEqual({ lastSeq: 2, writeId: 2 });
        expect((await store.changes({ since: 1 })).changes.map((ch) => [ch.seq, ch.id])).toEqual([[2, t.id]]);
      });

      it('a `since` that is negative or not a whole number fails with CrmValidationError', async () => {
        await seed(store, 'customers', [makeCustomer()]);
        for (const since of [-1, 0.5, Number.NaN]) await expectValidation(() => store.changes({ since }), 'since');
      });
    });

    describe('change feed: write ids, commit times and origins', () => {
      it('declares its capabilities', () => {
        const { capabilities } = store;
        expect(typeof capabilities.subscribe).toBe('boolean');
        expect(typeof capabilities.sharedFeed).toBe('boolean');
        expect(typeof capabilities.delete).toBe('boolean');
        expect(Number.isSafeInteger(capabilities.maxWriteOps) && capabilities.maxWriteOps >= 100).toBe(true);
        expect(capabilities.subscribe).toBe(typeof store.subscribe === 'function');
      });

      it('all changes of one write share its writeId (the seq of its last change); later writes have larger ones', async () => {
        const c = makeCustomer();
        const first = await store.write([createOp('customers', c), createOp('touchpoints', makeTouchpoint(c.id)), createOp('touchpoints', makeTouchpoint(c.id))]);
        const second = await store.write([updateOp('customers', nextVersion(c, { name: 'B' }))]);
        expect(first).toEqual({ lastSeq: 3, writeId: 3 });
        expect(second).toEqual({ lastSeq: 4, writeId: 4 });
        const changes = await changesSince(store, 0);
        expect(changes.map((ch) => [ch.seq, ch.writeId])).toEqual([
          [1, 3],
          [2, 3],
          [3, 3],
          [4, 4],
        ]);
      });

      it('each change carries the commit time of its write, in feed order', async () => {
        const before = Date.now();
        const c = makeCustomer();
        await store.write([createOp('customers', c)]);
        await store.write([updateOp('customers', nextVersion(c))]);
        const after = Date.now();
        const changes = await changesSince(store, 0);
        for (const change of changes) {
          expect(change.at).toMatch(ISO_INSTANT);
          // A remote store's clock may differ a little from this process's.
          expect(Date.parse(change.at)).toBeGreaterThanOrEqual(before - 60_000);
          expect(Date.parse(change.at)).toBeLessThanOrEqual(after + 60_000);
        }
        expect(changes[0]!.at <= changes[1]!.at).toBe(true);
      });

      it('each change carries the origin given with its write, `app` by default', async () => {
        const c = makeCustomer();
        await store.write([createOp('customers', c)]);
        await store.write([updateOp('customers', nextVersion(c)), createOp('touchpoints', makeTouchpoint(c.id))], { origin: 'sync:hubspot' });
        const changes = await changesSince(store, 0);
        expect(changes.map((ch) => ch.origin)).toEqual(['app', 'sync:hubspot', 'sync:hubspot']);
      });

      it('an invalid origin fails with CrmValidationError naming origin, and writes nothing', async () => {
        for (const origin of ['', ' sync', 'x'.repeat(65), 'a/b', 'sync\nhubspot']) {
          await expectValidation(() => store.write([createOp('customers', makeCustomer())], { origin }), 'origin');
        }
        expect((await store.changes({ since: 0 })).changes).toEqual([]);
      });

      it('a page tells where the feed ends (head), and a since beyond it fails with CrmValidationError', async () => {
        await seed(store, 'customers', [makeCustomer(), makeCustomer(), makeCustomer()]);
        expect(await store.changes({ since: 0, limit: 1 })).toMatchObject({ lastSeq: 1, head: 3 });
        expect(await store.changes({ since: 3 })).toEqual({ changes: [], lastSeq: 3, head: 3 });
        await expectValidation(() => store.changes({ since: 4 }), 'since');
        await expectValidation(() => store.changes({ since: 1_000_000 }), 'since');
      });

      it(`a write of more than capabilities.maxWriteOps ops fails with CrmValidationError naming ops, and writes nothing`, async () => {
        const max = store.capabilities.maxWriteOps;
        const ops: WriteOp[] = Array.from({ length: max + 1 }, (_, i) => ({ type: 'delete', entity: 'customers', id: `x${i}`, expectedVersion: 1 }));
        await expectValidation(() => store.write(ops), 'ops');
        expect((await store.changes({ since: 0 })).changes).toEqual([]);
      });
    });

    describe('deletes and erasure', () => {
      const del = (entity: EntityName, record: { id: string; version: number }): WriteOp =>
        ({ type: 'delete', entity, id: record.id, expectedVersion: record.version }) as WriteOp;

      feature('delete', 'a delete removes the record from get, list, history and filters, and leaves a tombstone in the feed', async () => {
        const { customer, complaint, touchpoint } = await seedParents();
        const other = makeTouchpoint(customer.id);
        await store.write([createOp('touchpoints', other)]);
        const before = await feedEnd(store);
        const result = await store.write([del('touchpoints', touchpoint), del('complaints', complaint)]);
        expect(result).toEqual({ lastSeq: before + 2, writeId: before + 2 });
        expect(await store.get('touchpoints', touchpoint.id)).toBeNull();
        expect(await store.get('complaints', complaint.id)).toBeNull();
        expect(ids((await store.list('touchpoints', { filter: { customerId: customer.id } })).items)).toEqual([other.id]);
        expect((await store.list('complaints', { filter: { customerId: customer.id } })).items).toEqual([]);
        expect((await store.list('touchpoints', { filter: { complaintId: complaint.id } })).items).toEqual([]);
        expect((await store.history(customer.id)).items.map((item) => item.id)).toEqual([other.id]);
        const tombstones = await changesSince(store, before);
        expect(tombstones).toEqual([
          { seq: before + 1, entity: 'touchpoints', op: 'delete', id: touchpoint.id, version: touchpoint.version + 1, writeId: before + 2, at: expect.stringMatching(ISO_INSTANT), origin: 'app' },
          { seq: before + 2, entity: 'complaints', op: 'delete', id: complaint.id, version: complaint.version + 1, writeId: before + 2, at: expect.stringMatching(ISO_INSTANT), origin: 'app' },
        ]);
      });

      feature('delete', 'a delete from a stale or unknown version fails with CrmConflictError and writes nothing', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const end = await feedEnd(store);
        await expectConflict(() => store.write([del('customers', { id: c!.id, version: 2 })]));
        await expectConflict(() => store.write([del('customers', { id: newId(), version: 1 })]));
        await expectConflict(() => store.write([createOp('touchpoints', makeTouchpoint(c!.id)), del('customers', { id: c!.id, version: 3 })]));
        expect(await store.get('customers', c!.id)).toEqual(c);
        expect(await feedEnd(store)).toBe(end);
        expect((await store.list('touchpoints')).items).toEqual([]);
      });

      feature('delete', 'a delete op needs an id and a whole expectedVersion (CrmValidationError)', async () => {
        await expectValidation(() => store.write([{ type: 'delete', entity: 'customers', id: '', expectedVersion: 1 } as WriteOp]), 'id');
        await expectValidation(() => store.write([{ type: 'delete', entity: 'customers', id: 'x', expectedVersion: 0 } as WriteOp]), 'expectedVersion');
        await expectValidation(() => store.write([{ type: 'delete', entity: 'customers', id: 'x', expectedVersion: 1.5 } as WriteOp]), 'expectedVersion');
      });

      feature('delete', 'after erasing a customer (customer, touchpoints, complaints deleted in one write) no change in the feed holds their data', async () => {
        const secret = { name: 'Erasable Person 消去', email: 'erase.me@example.org' };
        const [c] = await seed(store, 'customers', [makeCustomer({ name: secret.name, emails: [secret.email] })]);
        const renamed = await update(store, 'customers', c!, { name: `${secret.name} Jr`, phones: ['+39 06 5555 0101'] });
        const [k] = await seed(store, 'complaints', [makeComplaint(c!.id, { subject: `Complaint of ${secret.name}` })]);
        const k2 = await update(store, 'complaints', k!, { status: 'open' });
        const [t] = await seed(store, 'touchpoints', [makeTouchpoint(c!.id, { summary: `Spoke with ${secret.name}`, complaintId: k!.id })]);
        const [keep] = await seed(store, 'customers', [makeCustomer({ name: 'Someone Else' })]);
        const before = await feedEnd(store);
        await store.write([del('touchpoints', t!), del('complaints', k2), del('customers', renamed)]);
        for (const [entity, id] of [['customers', c!.id], ['complaints', k!.id], ['touchpoints', t!.id]] as const) {
          expect(await store.get(entity, id)).toBeNull();
        }
        expect(await store.get('customers', keep!.id)).toEqual(keep);
        expect((await store.list('customers', { filter: { email: secret.email } })).items).toEqual([]);
        expect((await store.history(c!.id)).items).toEqual([]);
        const feed = await changesSince(store, 0);
        const text = JSON.stringify(feed);
        expect(text).not.toContain('Erasable');
        expect(text).not.toContain(secret.email);
        // Earlier changes of the erased records keep their place and ids, without records.
        for (const change of feed.filter((ch) => [c!.id, k!.id, t!.id].includes(ch.id))) expect(change.record).toBeUndefined();
        expect(feed.find((ch) => ch.id === keep!.id)?.record).toEqual(keep);
        expect(feed.slice(-3).map((ch) => [ch.op, ch.id, ch.writeId])).toEqual([
          ['delete', t!.id, before + 3],
          ['delete', k!.id, before + 3],
          ['delete', c!.id, before + 3],
        ]);
      });
    });

    describe('change feed: retention', () => {
      feature('retention', 'a since older than the horizon fails with CrmFeedExpiredError (resynchronise), never a silent gap', async () => {
        const small = await factory({ feedRetention: 5 });
        try {
          for (let i = 0; i < 3; i++) {
            await small.write(Array.from({ length: 50 }, () => createOp('customers', makeCustomer())));
          }
          const error = (await failure(() => small.changes({ since: 0 }))) as CrmFeedExpiredError;
          expect(isCrmError(error, 'FEED_EXPIRED')).toBe(true);
          expect(error.message).toMatch(/resynchronise/i);
          expect(error.lastSeq).toBe(150);
          expect(error.horizon).toBeGreaterThan(0);
          expect(error.horizon).toBeLessThanOrEqual(145);
          // The newest feedRetention changes are always kept, in whole writes.
          const page = await small.changes({ since: 145 });
          expect(page.changes.map((ch) => ch.seq)).toEqual([146, 147, 148, 149, 150]);
          expect(page.head).toBe(150);
          const fromHorizon = await changesSince(small, error.horizon);
          expect(fromHorizon[fromHorizon.length - 1]!.seq).toBe(150);
          expect(fromHorizon[0]!.seq).toBe(error.horizon + 1);
        } finally {
          await small.close();
        }
      });
    });

    describe('subscribe', () => {
      feature('subscribe', 'calls the listener once per atomic write, with all the changes it made', async () => {
        const subscribe = requireSubscribe(store);
        const calls: (readonly Change[])[] = [];
        const stop = subscribe((changes) => calls.push(changes));
        try {
          const c = makeCustomer();
          const t = makeTouchpoint(c.id);
          await store.write([createOp('customers', c), createOp('touchpoints', t)]);
          await eventually(() => expect(calls).toHaveLength(1), subscribeTimeoutMs);
          await expectConflict(() => store.write([createOp('customers', makeCustomer({ id: c.id }))]));
          const c2 = nextVersion(c, { name: 'Renamed' });
          await store.write([updateOp('customers', c2)]);
          await eventually(() => expect(calls).toHaveLength(2), subscribeTimeoutMs);
          const feed = (await store.changes({ since: 0 })).changes;
          expect(calls[0]).toEqual(feed.slice(0, 2));
          expect(calls[1]).toEqual(feed.slice(2));
          expect(calls.map((changes) => changes.map((ch) => [ch.seq, ch.op, ch.id]))).toEqual([
            [
              [1, 'create', c.id],
              [2, 'create', t.id],
            ],
            [[3, 'update', c.id]],
          ]);
        } finally {
          stop();
        }
      });

      feature('subscribe', 'a listener that throws neither fails the write nor keeps other listeners from being called', async () => {
        const subscribe = requireSubscribe(store);
        const heard: (readonly Change[])[] = [];
        const logger = (globalThis as { console?: { error: (...data: unknown[]) => void } }).console;
        const logError = logger?.error;
        if (logger) logger.error = () => {}; // Stores may log the listener's error: keep the report clean.
        const stopThrowing = subscribe(() => {
          throw new Error('listener failure (expected by the contract suite)');
        });
        const stop = subscribe((changes) => heard.push(changes));
        try {
          const c = makeCustomer();
          expect(await store.write([createOp('customers', c)])).toEqual({ lastSeq: 1, writeId: 1 });
          await eventually(() => expect(heard).toHaveLength(1), subscribeTimeoutMs);
          expect(heard[0]!.map((ch) => ch.id)).toEqual([c.id]);
          expect(await store.get('customers', c.id)).toEqual(c);
        } finally {
          stopThrowing();
          stop();
          if (logger && logError) logger.error = logError;
        }
      });

      feature('subscribe', 'the returned function stops the calls; other listeners go on', async () => {
        const subscribe = requireSubscribe(store);
        const stopped: (readonly Change[])[] = [];
        const still: (readonly Change[])[] = [];
        const stop = subscribe((changes) => stopped.push(changes));
        const stopOther = subscribe((changes) => still.push(changes));
        try {
          await store.write([createOp('customers', makeCustomer())]);
          await eventually(() => expect([stopped.length, still.length]).toEqual([1, 1]), subscribeTimeoutMs);
          stop();
          const later = makeCustomer();
          await store.write([createOp('customers', later)]);
          // The other listener hearing of the write means it was delivered: the stopped one must not have been called.
          await eventually(() => expect(still).toHaveLength(2), subscribeTimeoutMs);
          expect(still[1]!.map((ch) => ch.id)).toEqual([later.id]);
          expect(stopped).toHaveLength(1);
        } finally {
          stopOther();
        }
      });
    });

    describe('custom fields', () => {
      /** Custom field values of every kind of JSON value, in many scripts. */
      const richFields = () => ({
        cjk: UNICODE.cjk,
        emoji: UNICODE.emoji,
        rtl: UNICODE.rtl,
        combining: UNICODE.combining,
        emptyText: '',
        nested: {
          'ключ 键 🔑': [1, -2.5, { 'שלום': 'مرحبا', 'e\u0301': [true, false, null] }],
          empty: {},
          list: [],
          deep: { a: { b: { c: [[[UNICODE.emoji]]] } } },
        },
        list: [UNICODE.cjk, 7, null, { k: 'v' }, [false]],
        nothing: null,
        integer: 42,
        zero: 0,
        negative: -17,
        float: 3.14159,
        negativeFloat: -0.000_25,
        tiny: 1e-7,
        big: 2 ** 53 - 1,
        yes: true,
        no: false,
      });

      /** A customer, a touchpoint and a complaint, each with `fields` (the complaint's given by `fieldsOf`). */
      const seedEach = async (fieldsOf: (entity: EntityName) => Record<string, unknown>) => {
        const [customer] = await seed(store, 'customers', [makeCustomer({ fields: fieldsOf('customers') } as Partial<Customer>)]);
        const [touchpoint] = await seed(store, 'touchpoints', [makeTouchpoint(customer!.id, { fields: fieldsOf('touchpoints') } as Partial<Touchpoint>)]);
        const [complaint] = await seed(store, 'complaints', [makeComplaint(customer!.id, { fields: fieldsOf('complaints') } as Partial<Complaint>)]);
        return { customers: customer!, touchpoints: touchpoint!, complaints: complaint! };
      };

      /** Expects each record to read back exactly through get, list and the change feed (its last change). */
      const expectRoundTrip = async (records: Record<EntityName, AnyRecord>, since: number) => {
        const feed = await changesSince(store, since);
        for (const entity of ['customers', 'touchpoints', 'complaints'] as const) {
          const record = records[entity];
          expect(await store.get(entity, record.id)).toEqual(record);
          const listed = (await listAll(store, entity)).find((r) => r.id === record.id);
          expect(listed).toEqual(record);
          const changes = feed.filter((c) => c.entity === entity && c.id === record.id);
          expect(changes.at(-1)?.record).toEqual(record);
        }
      };

      it('fields of every JSON kind and script round-trip through get, list and the change feed, for every entity', async () => {
        const before = await feedEnd(store);
        const records = await seedEach((entity) => ({ ...richFields(), entity }));
        await expectRoundTrip(records, before);
        expect((await store.get('customers', records.customers.id))!.fields).toEqual({ ...richFields(), entity: 'customers' });
        const got = (await store.get('touchpoints', records.touchpoints.id))!.fields as Record<string, unknown>;
        expect(got.combining).toBe(UNICODE.combining);
        expect(got.combining).not.toBe(UNICODE.combining.normalize('NFC'));
        expect(Object.is(got.integer, 42) && Object.is(got.float, 3.14159) && Object.is(got.big, 2 ** 53 - 1)).toBe(true);
      });

      feature('largeRecords', 'a 60,000-character field value round-trips exactly, for every entity', async () => {
        const before = await feedEnd(store);
        const long = longText(60_000);
        const records = await seedEach(() => ({ long, short: 'x' }));
        await expectRoundTrip(records, before);
        for (const entity of ['customers', 'touchpoints', 'complaints'] as const) {
          const fields = (await store.get(entity, records[entity].id))!.fields as Record<string, string>;
          expect(fields.long).toHaveLength(60_000);
          expect(fields.long).toBe(long);
          expect(ids((await store.list(entity, { filter: { fields: { short: 'x' } } })).items)).toEqual([records[entity].id]);
        }
      });

      it('an update replaces fields (keys removed are gone), and a record without fields has none', async () => {
        const before = await feedEnd(store);
        const plain = await seedEach(() => ({ tier: 'gold', seats: 3, nested: { a: [1, 2] } }));
        for (const entity of ['customers', 'touchpoints', 'complaints'] as const) {
          const v1 = plain[entity];
          const v2 = await update(store, entity, v1, { fields: { tier: 'silver', added: [UNICODE.rtl] } } as Partial<AnyRecord>);
          expect(await store.get(entity, v1.id)).toEqual(v2);
          expect((await store.get(entity, v1.id))!.fields).toEqual({ tier: 'silver', added: [UNICODE.rtl] });
          expect(ids((await store.list(entity, { filter: { fields: { tier: 'gold' } } })).items)).toEqual([]);
          expect(ids((await store.list(entity, { filter: { fields: { tier: 'silver' } } })).items)).toEqual([v1.id]);
          expect(ids((await store.list(entity, { filter: { fields: { seats: null } } })).items)).toEqual([v1.id]);
          // An update without `fields` leaves the record without any.
          const { fields: _fields, ...bare } = v2 as AnyRecord & { fields?: unknown };
          const v3 = nextVersion(bare as AnyRecord);
          const expected = copy(v3);
          await store.write([updateOp(entity, v3)]);
          const got = (await store.get(entity, v1.id))!;
          expect(got).toEqual(expected);
          expect('fields' in got).toBe(false);
          expect(ids((await store.list(entity, { filter: { fields: { tier: 'silver' } } })).items)).toEqual([]);
          expect(ids((await store.list(entity, { filter: { fields: { tier: null } } })).items)).toEqual([v1.id]);
          // The feed keeps each version as it was written.
          const versions = (await changesSince(store, before)).filter((c) => c.id === v1.id).map((c) => c.record?.fields);
          expect(versions).toEqual([{ tier: 'gold', seats: 3, nested: { a: [1, 2] } }, { tier: 'silver', added: [UNICODE.rtl] }, undefined]);
        }
        const [none] = await seed(store, 'customers', [makeCustomer()]);
        expect('fields' in (await store.get('customers', none!.id))!).toBe(false);
      });

      it('filters by a string, a number (1 matches 1.0), a boolean and null (stored null, missing key, no fields)', async () => {
        const made = await seed(store, 'customers', [
          makeCustomer({ name: 'A', fields: { tier: 'gold', seats: 1, active: true } }),
          makeCustomer({ name: 'B', fields: { tier: 'Gold', seats: 1.5, active: false } }),
          makeCustomer({ name: 'C', fields: { tier: 'gold', seats: '1', active: 'true' } }),
          makeCustomer({ name: 'D', fields: { tier: null, seats: 10 } }),
          makeCustomer({ name: 'E' }),
          makeCustomer({ name: 'F', fields: {} }),
          makeCustomer({ name: 'G', fields: { tier: ['gold'], seats: { n: 1 }, active: [true] } }),
          makeCustomer({ name: 'H', fields: { tier: 'gold ', script: UNICODE.cjk, rtl: UNICODE.rtl, seats: -2.25 } }),
          makeCustomer({ name: 'I', fields: { tier: 'null', seats: 0, active: 0 } }),
        ] as Customer[]);
        const names = async (fields: Record<string, string | number | boolean | null>, order: 'asc' | 'desc' = 'desc') =>
          (await listAll(store, 'customers', { filter: { fields }, order })).map((c) => c.name);
        expect(await names({ tier: 'gold' })).toEqual(['C', 'A']);
        expect(await names({ tier: 'gold' }, 'asc')).toEqual(['A', 'C']);
        expect(await names({ tier: 'Gold' })).toEqual(['B']);
        expect(await names({ tier: 'gold ' })).toEqual(['H']);
        expect(await names({ tier: 'null' })).toEqual(['I']);
        expect(await names({ seats: 1 })).toEqual(['A']);
        expect(await names({ seats: 1.0 })).toEqual(['A']);
        expect(await names({ seats: 1.5 })).toEqual(['B']);
        expect(await names({ seats: '1' })).toEqual(['C']);
        expect(await names({ seats: -2.25 })).toEqual(['H']);
        expect(await names({ seats: 0 })).toEqual(['I']);
        expect(await names({ seats: 2 })).toEqual([]);
        expect(await names({ active: true })).toEqual(['A']);
        expect(await names({ active: false })).toEqual(['B']);
        expect(await names({ active: 'true' })).toEqual(['C']);
        expect(await names({ tier: null })).toEqual(['F', 'E', 'D']);
        expect(await names({ active: null })).toEqual(['H', 'F', 'E', 'D']);
        expect(await names({ script: UNICODE.cjk, rtl: UNICODE.rtl })).toEqual(['H']);
        expect(await names({ script: UNICODE.cjk.normalize('NFD').replace('簡', '简') })).toEqual([]);
        expect(await names({ seats: 10, tier: null })).toEqual(['D']);
        expect(await names({ tier: 'gold', active: true })).toEqual(['A']);
        expect(await names({ tier: 'gold', seats: 1, active: false })).toEqual([]);
        expect(await names({ unknown: null })).toEqual(['I', 'H', 'G', 'F', 'E', 'D', 'C', 'B', 'A']);
        expect(await names({})).toEqual(['I', 'H', 'G', 'F', 'E', 'D', 'C', 'B', 'A']);
        expect(await names({ tier: 'x'.repeat(1000) })).toEqual([]);
        expect((await store.list('customers', { filter: { fields: { seats: 1 } } })).items).toEqual([made[0]]);
      });

      it('field filters combine with the other filters, for customers, touchpoints and complaints', async () => {
        const [c1, c2] = await seed(store, 'customers', [
          makeCustomer({ name: 'c1', kind: 'prospect', tags: ['vip'], fields: { region: 'north' } }),
          makeCustomer({ name: 'c2', kind: 'customer', tags: ['vip'], fields: { region: 'north' } }),
          makeCustomer({ name: 'c3', kind: 'prospect', fields: { region: 'south' } }),
        ] as Customer[]);
        await seed(store, 'touchpoints', [
          makeTouchpoint(c1!.id, { subject: 't0', channel: 'call', fields: { topic: 'billing' } }),
          makeTouchpoint(c1!.id, { subject: 't1', channel: 'email', fields: { topic: 'billing' } }),
          makeTouchpoint(c2!.id, { subject: 't2', channel: 'call', fields: { topic: 'billing' } }),
          makeTouchpoint(c1!.id, { subject: 't3', channel: 'call', fields: { topic: 'delivery' } }),
          makeTouchpoint(c1!.id, { subject: 't4', channel: 'call' }),
        ] as Touchpoint[]);
        await seed(store, 'complaints', [
          makeComplaint(c1!.id, { subject: 'k0', status: 'open', fields: { product: 'tea', urgent: true } }),
          makeComplaint(c2!.id, { subject: 'k1', status: 'open', fields: { product: 'tea', urgent: false } }),
          makeComplaint(c1!.id, { subject: 'k2', status: 'new', fields: { product: 'tea', urgent: true } }),
          makeComplaint(c1!.id, { subject: 'k3', status: 'open', fields: { product: 'coffee', urgent: true } }),
        ] as Complaint[]);
        const customers = async (filter: ListQuery<'customers'>['filter']) => (await listAll(store, 'customers', { filter })).map((c) => c.name);
        const touchpoints = async (filter: ListQuery<'touchpoints'>['filter']) => (await listAll(store, 'touchpoints', { filter })).map((t) => t.subject);
        const complaints = async (filter: ListQuery<'complaints'>['filter']) => (await listAll(store, 'complaints', { filter })).map((k) => k.subject);
        expect(await customers({ kind: 'prospect', fields: { region: 'north' } })).toEqual(['c1']);
        expect(await customers({ tag: 'vip', fields: { region: 'north' } })).toEqual(['c2', 'c1']);
        expect(await customers({ tag: 'vip', fields: { region: 'south' } })).toEqual([]);
        expect(await customers({ kind: 'prospect', fields: {} })).toEqual(['c3', 'c1']);
        expect(await touchpoints({ customerId: c1!.id, fields: { topic: 'billing' } })).toEqual(['t1', 't0']);
        expect(await touchpoints({ customerId: c1!.id, channel: 'call', fields: { topic: 'billing' } })).toEqual(['t0']);
        expect(await touchpoints({ channel: 'call', fields: { topic: 'billing' } })).toEqual(['t2', 't0']);
        expect(await touchpoints({ customerId: c1!.id, fields: { topic: null } })).toEqual(['t4']);
        expect(await touchpoints({ customerId: c2!.id, fields: { topic: 'delivery' } })).toEqual([]);
        expect(await complaints({ customerId: c1!.id, fields: { product: 'tea' } })).toEqual(['k2', 'k0']);
        expect(await complaints({ status: 'open', fields: { product: 'tea', urgent: true } })).toEqual(['k0']);
        expect(await complaints({ status: ['open', 'new'], fields: { urgent: true } })).toEqual(['k3', 'k2', 'k0']);
        expect(await complaints({ customerId: c2!.id, status: 'open', fields: { urgent: false } })).toEqual(['k1']);
      });

      for (const order of ['desc', 'asc'] as const) {
        it(`pages through field matches with limit 2 (${order}): no repeats, no gaps, non-matching records in between`, async () => {
          const [c] = await seed(store, 'customers', [makeCustomer()]);
          // 9 matches of { team: 'blue' }, each followed by records that don't match it.
          const made = await seed(
            store,
            'touchpoints',
            Array.from({ length: 27 }, (_, i) => {
              const fields = [{ team: 'blue', n: i }, { team: 'red' }, i % 2 ? { team: null } : undefined][i % 3];
              return makeTouchpoint(c!.id, fields ? ({ fields } as Partial<Touchpoint>) : {});
            }),
          );
          const blue = made.filter((t) => (t.fields as { team?: unknown } | undefined)?.team === 'blue');
          const none = made.filter((t) => (t.fields as { team?: unknown } | undefined)?.team == null);
          expect(blue).toHaveLength(9);
          expect(none.length).toBeGreaterThanOrEqual(7);
          for (const [fields, expected] of [
            [{ team: 'blue' }, blue],
            [{ team: null }, none],
          ] as const) {
            const seen: string[] = [];
            let cursor: string | null = null;
            for (let pages = 0; pages < 20; pages++) {
              const page: Page<Touchpoint> = await store.list('touchpoints', { filter: { fields }, limit: 2, order, cursor });
              expect(page.items.length).toBeLessThanOrEqual(2);
              seen.push(...ids(page.items));
              if (page.nextCursor === null) break;
              cursor = page.nextCursor;
            }
            expect(seen).toEqual(sortedIds(expected, order));
          }
          expect(ids(await listAll(store, 'touchpoints', { filter: { customerId: c!.id, fields: { team: 'blue' } }, limit: 2, order }))).toEqual(
            sortedIds(blue, order),
          );
        });
      }

      it('a bad field filter fails with CrmValidationError naming it', async () => {
        await seed(store, 'customers', [makeCustomer({ fields: { tier: 'gold' } } as Partial<Customer>)]);
        const bad = async <E extends EntityName>(entity: E, fields: unknown, path: (string | number)[]) => {
          const error = await expectValidation(() => store.list(entity, { filter: { fields } } as ListQuery<E>), formatIssuePath(path));
          expect(error.issues.map((i) => i.path)).toContainEqual(path);
        };
        const field = (name: string) => ['filter', 'fields', name];
        await bad('customers', { tier: ['gold'] }, field('tier'));
        await bad('customers', { tier: { is: 'gold' } }, field('tier'));
        await bad('customers', { tier: 'x'.repeat(1001) }, field('tier'));
        await bad('customers', { seats: Number.NaN }, field('seats'));
        await bad('customers', { seats: Number.POSITIVE_INFINITY }, field('seats'));
        await bad('customers', { seats: undefined }, field('seats'));
        await bad('customers', { tier: 'gold', note: 'a\u0000b' }, field('note'));
        await bad('touchpoints', { topic: [1] }, field('topic'));
        await bad('complaints', { urgent: {} }, field('urgent'));
        await bad('customers', { '1tier': 'gold' }, ['filter', 'fields']);
        await bad('customers', { 'tier.name': 'gold' }, ['filter', 'fields']);
        await bad('customers', Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, i])), ['filter', 'fields']);
        for (const fields of ['tier=gold', null, ['tier'], 7]) await bad('customers', fields, ['filter', 'fields']);
        // Ten names, and a string of 1000 characters, are allowed.
        expect((await store.list('customers', { filter: { fields: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, i])) } })).items).toEqual([]);
        expect((await store.list('customers', { filter: { fields: { tier: 'x'.repeat(1000) } } })).items).toEqual([]);
      });
    });

    describe('unicode text', () => {
      it('every text field keeps emoji, CJK, combining marks, RTL and accented text exactly (get, list, history, changes)', async () => {
        const u = UNICODE;
        const customer = fullCustomer({
          name: `${u.cjk} ${u.emoji}`,
          company: u.italian,
          tags: Object.values(u),
          addresses: [
            { id: newId(), label: u.rtl, lines: [u.malay, u.combining, u.emoji], city: u.cjk, region: u.italian, status: 'unconfirmed' },
          ],
          externalIds: { hubspot: u.cjk, legacy: u.emoji },
          notBuyingReason: ALL_UNICODE,
        });
        const touchpoint = fullTouchpoint(customer.id, {
          subject: u.emoji,
          summary: `${ALL_UNICODE}\n${u.rtl}\n${u.combining}`,
          department: u.malay,
          nextStep: u.italian,
          participants: [{ name: u.cjk, role: u.rtl }, { name: u.combining }],
        });
        const complaint = fullComplaint(customer.id, {
          subject: u.combining,
          description: ALL_UNICODE,
          activity: [
            makeActivity({ type: 'opened', at: contractTime(100) }),
            makeActivity({ type: 'note', at: contractTime(101), text: ALL_UNICODE }),
            makeActivity({ type: 'assigned', at: contractTime(102), from: null, to: 'staff-sam', reason: u.rtl }),
            makeActivity({ type: 'responded', at: contractTime(103), direction: 'outbound', message: u.emoji }),
          ],
        });
        const expected = copy({ customer, touchpoint, complaint });
        await store.write([createOp('customers', customer), createOp('touchpoints', touchpoint), createOp('complaints', complaint)]);

        expect(await store.get('customers', customer.id)).toEqual(expected.customer);
        expect(await store.get('touchpoints', touchpoint.id)).toEqual(expected.touchpoint);
        expect(await store.get('complaints', complaint.id)).toEqual(expected.complaint);
        expect((await store.list('customers', { filter: { tag: u.combining } })).items).toEqual([expected.customer]);
        expect((await store.list('customers', { filter: { tag: 'Cafe\u0301 ≠ Café'.normalize('NFC') } })).items).toEqual([]);
        expect((await store.list('customers', { filter: { externalId: { system: 'legacy', id: u.emoji } } })).items).toEqual([
          expected.customer,
        ]);
        expect((await store.list('touchpoints', { filter: { customerId: customer.id } })).items).toEqual([expected.touchpoint]);
        expect((await store.list('complaints', { filter: { customerId: customer.id } })).items).toEqual([expected.complaint]);
        expect(await historyAll(store, customer.id)).toEqual(expectedHistory([expected.touchpoint], [expected.complaint]));
        expect((await store.changes({ since: 0 })).changes.map((c) => c.record)).toEqual([
          expected.customer,
          expected.touchpoint,
          expected.complaint,
        ]);
        const got = (await store.get('complaints', complaint.id))!;
        expect(got.subject).toHaveLength(u.combining.length);
        expect(got.subject).not.toBe(got.subject.normalize('NFC'));
      });
    });

    describe('large records', () => {
      feature('largeRecords', 'a touchpoint with a 20,000-character summary round-trips exactly', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const [t] = await seed(store, 'touchpoints', [makeTouchpoint(c!.id, { summary: longText(20_000), subject: 'Long call' })]);
        const got = await store.get('touchpoints', t!.id);
        expect(got).toEqual(t);
        expect(got!.summary).toHaveLength(20_000);
        expect((await store.history(c!.id)).items).toEqual([touchpointItem(t!)]);
        expect((await store.changes({ since: 1 })).changes[0]!.record).toEqual(t);
      });

      feature('largeRecords', 'a customer with 20 emails, 20 phones, 20 addresses and 100 tags round-trips exactly', async () => {
        const [big] = await seed(store, 'customers', [bigCustomer()]);
        expect(await store.get('customers', big!.id)).toEqual(big);
        expect((await store.list('customers', { filter: { email: big!.emails[19]! } })).items).toEqual([big]);
        expect((await store.list('customers', { filter: { tag: big!.tags[99]! } })).items).toEqual([big]);
        const next = await update(store, 'customers', big!, { tags: [...big!.tags.slice(1), 'replaced'] });
        expect(await store.get('customers', big!.id)).toEqual(next);
        expect((await store.list('customers', { filter: { tag: big!.tags[0]! } })).items).toEqual([]);
      });

      feature('largeRecords', 'a complaint with 2,000 activity entries round-trips, and takes one more', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        const [k] = await seed(store, 'complaints', [bigComplaint(c!.id, 2000)]);
        expect(await store.get('complaints', k!.id)).toEqual(k);
        const last = makeActivity({ type: 'note', at: contractTime(5000), text: 'one more' });
        const next = await update(store, 'complaints', k!, { activity: [...k!.activity, last] });
        const got = await store.get('complaints', k!.id);
        expect(got).toEqual(next);
        expect(got!.activity).toHaveLength(2001);
        const first = await store.history(c!.id, { limit: 2 });
        expect(first.items).toEqual([activityItem(next, last), activityItem(next, next.activity[1999]!)]);
        const all = await historyAll(store, c!.id, { limit: 500 });
        expect(ids(all)).toEqual(ids([...next.activity].reverse()));
      });
    });

    describe('returned records', () => {
      it('mutating a record returned by get, list or history does not change the store', async () => {
        const [c] = await seed(store, 'customers', [fullCustomer()]);
        const [k] = await seed(store, 'complaints', [fullComplaint(c!.id)]);
        const [t] = await seed(store, 'touchpoints', [fullTouchpoint(c!.id)]);
        const customer = (await store.get('customers', c!.id))!;
        tryMutate(() => ((customer as { name: string }).name = 'Hacked'));
        tryMutate(() => customer.emails.push('hacked@example.com'));
        tryMutate(() => ((customer.addresses[0] as { city?: string }).city = 'Nowhere'));
        tryMutate(() => ((customer.externalIds as Record<string, string>).hubspot = 'x'));
        const complaint = (await store.get('complaints', k!.id))!;
        tryMutate(() => complaint.activity.pop());
        tryMutate(() => ((complaint as { status: string }).status = 'closed'));
        const listed = (await store.list('touchpoints')).items[0]!;
        tryMutate(() => ((listed as { subject?: string }).subject = 'Hacked'));
        tryMutate(() => listed.participants.splice(0));
        const item = (await store.history(c!.id)).items[0]!;
        tryMutate(() => ((item as { at: string }).at = 'never'));
        if (item.type === 'complaint_activity') tryMutate(() => ((item.activity as { id: string }).id = 'x'));
        else tryMutate(() => ((item.touchpoint as { summary?: string }).summary = 'Hacked'));

        expect(await store.get('customers', c!.id)).toEqual(c);
        expect(await store.get('complaints', k!.id)).toEqual(k);
        expect(await store.get('touchpoints', t!.id)).toEqual(t);
        expect((await store.list('touchpoints')).items).toEqual([t]);
        expect(await store.history(c!.id)).toEqual({ items: expectedHistory([t!], [k!]), nextCursor: null });
      });
    });

    describe('close', () => {
      it('after close, every call rejects', async () => {
        const [c] = await seed(store, 'customers', [makeCustomer()]);
        closedByTest = true;
        await store.close();
        const calls: (() => Promise<unknown>)[] = [
          () => store.get('customers', c!.id),
          () => store.list('customers'),
          () => store.write([createOp('customers', makeCustomer())]),
          () => store.history(c!.id),
          () => store.changes({ since: 0 }),
        ];
        for (const call of calls) {
          const error = await failure(call);
          expect(isCrmError(error), `${String(error)} is a CrmError`).toBe(true);
        }
      });
    });
  });
}

/** The store's `subscribe`, or a failure telling the author to declare the missing feature. */
function requireSubscribe(store: CrmStore): NonNullable<CrmStore['subscribe']> {
  if (typeof store.subscribe !== 'function') {
    throw new Error(
      `This ${store.kind} store has no subscribe(). If that is intended, say why: ` +
        `describeStoreContract(name, factory, { skip: { subscribe: 'reason' } })`,
    );
  }
  return store.subscribe.bind(store);
}

/** A customer at the schema's list limits: 20 emails, 20 phones, 20 addresses, 100 tags. */
function bigCustomer(): Customer {
  return fullCustomer({
    emails: Array.from({ length: 20 }, (_, i) => `person.${i}@example-${i}.com`),
    phones: Array.from({ length: 20 }, (_, i) => `+39 06 1234 ${String(i).padStart(4, '0')}`),
    addresses: Array.from({ length: 20 }, (_, i) => ({
      id: newId(),
      label: `Address ${i}`,
      lines: [`Via Roma ${i}`, `Scala ${i % 4}`, 'Interno 3'],
      city: i % 2 ? 'Roma' : 'Kuala Lumpur',
      postalCode: String(10_000 + i),
      country: i % 2 ? 'IT' : 'MY',
      status: (['valid', 'unconfirmed', 'returned'] as const)[i % 3]!,
      ...(i % 3 === 0 ? { confirmedAt: contractTime(-i) } : {}),
    })),
    tags: Array.from({ length: 100 }, (_, i) => `tag-${i}-${i % 7 === 0 ? '簡體' : 'città'}`),
  });
}

/** A complaint of `customerId` with `entries` activity entries of several kinds, one minute apart. */
function bigComplaint(customerId: string, entries: number): Complaint {
  const activity: ComplaintActivity[] = [makeActivity({ type: 'opened', at: contractTime(0) })];
  const channels: Channel[] = ['email', 'call', 'chat'];
  for (let i = 1; i < entries; i++) {
    const at = contractTime(i);
    activity.push(
      i % 3 === 0
        ? makeActivity({ type: 'note', at, text: `Note ${i}: città 簡體 👍🏽` })
        : i % 3 === 1
        ? makeActivity({
            type: 'responded',
            at,
            direction: i % 2 ? 'inbound' : 'outbound',
            message: `Reply ${i}`,
            channel: channels[i % 3]!,
          })
        : makeActivity({ type: 'assigned', at, from: `staff-${i - 1}`, to: `staff-${i}`, reason: `Shift change ${i}` }),
    );
  }
  return makeComplaint(customerId, { status: 'open', ownerId: `staff-${entries}`, activity });
}
