import type { Complaint, ComplaintActivity } from '../schemas/complaint.js';
import type { Customer } from '../schemas/customer.js';
import type { Touchpoint } from '../schemas/touchpoint.js';
import { CrmError } from '../errors/crmError.js';
import {
  MAX_WRITE_OPS,
  complaintSummary,
  checkChangesQuery,
  checkFeedPosition,
  checkWriteOptions,
  opId,
  checkEntity,
  checkHistoryQuery,
  checkListQuery,
  historyPage,
  listPage,
  checkOpAgainst,
  checkWriteOps,
  normalizeEmail,
  matchesFieldFilter,
} from './queries.js';
import { SortedIndex, mergeWalks, type Ordering } from './sortedIndex.js';
import { FIELDS_FILTER, LIST_FILTERS, type ListFilter, type ListFilterName } from './filters.js';
import type {
  Change,
  ChangePage,
  ComplaintSummary,
  CrmStore,
  EntityName,
  EntityRecords,
  FieldFilter,
  HistoryItem,
  HistoryQuery,
  WriteOp,
} from './types.js';

type AnyRecord = EntityRecords[EntityName];

/** A complaint activity entry with the complaint it belongs to, as the history index keeps it. */
interface ActivityRef {
  readonly activity: ComplaintActivity;
  readonly complaintId: string;
}

/** One way a table is indexed: which groups a record belongs to, sorted by which key. */
interface IndexSpec<R> {
  readonly index: SortedIndex<R>;
  /** The group (or groups) a record belongs to in this index; undefined for none. */
  groupsOf(record: R): string | readonly string[] | undefined;
}

const byId = <R extends { id: string }>(record: R): string => record.id;
const asList = (groups: string | readonly string[] | undefined): readonly string[] =>
  groups === undefined ? [] : typeof groups === 'string' ? [groups] : groups;
const BY_ID: Ordering<{ id: string }> = { keyOf: byId, before: (a, b) => a.id < b.id };
const idIndex = <R extends { id: string }>() => new SortedIndex<R>([BY_ID]);
const BY_TIME: Ordering<Touchpoint> = {
  keyOf: (t) => t.occurredAt + t.id,
  before: (a, b) => a.occurredAt < b.occurredAt || (a.occurredAt === b.occurredAt && a.id < b.id),
};

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
    else for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * One entity's records and indexes. Records are found by id through a Map, or, for a table that
 * grows by millions (touchpoints), by binary search in its id-ordered `all` index: a Map of a
 * million entries costs more to insert into than everything else an insert does.
 */
class Table<R extends AnyRecord> {
  readonly #rows: Map<string, R> | null;
  readonly indexes: Record<string, IndexSpec<R>> & { all: IndexSpec<R> };
  readonly #specs: IndexSpec<R>[];

  constructor(indexes: Record<string, IndexSpec<R>> & { all: IndexSpec<R> }, options: { lookup: 'map' | 'index' }) {
    this.indexes = indexes;
    this.#specs = Object.values(indexes);
    this.#rows = options.lookup === 'map' ? new Map() : null;
  }

  /** The record with this id, if stored. */
  find(id: string): R | undefined {
    return this.#rows ? this.#rows.get(id) : this.indexes.all.index.find('', id);
  }

  /** The largest id stored: a create with a larger id (the usual case) can't collide. */
  maxId = '';

  insert(record: R): void {
    if (record.id > this.maxId) this.maxId = record.id;
    this.#rows?.set(record.id, record);
    for (const spec of this.#specs) {
      // Most indexes put a record in one group: a string, so the hot path allocates no array.
      const groups = spec.groupsOf(record);
      if (typeof groups === 'string') spec.index.add(groups, record);
      else if (groups) for (const group of groups) spec.index.add(group, record);
    }
  }

  remove(record: R): void {
    this.#rows?.delete(record.id);
    for (const spec of this.#specs) for (const group of asList(spec.groupsOf(record))) spec.index.delete(group, record);
  }

  replace(previous: R, record: R): void {
    this.#rows?.set(record.id, record);
    for (const spec of this.#specs) {
      const before = asList(spec.groupsOf(previous));
      const after = asList(spec.groupsOf(record));
      for (const group of before) if (!after.includes(group)) spec.index.delete(group, previous);
      for (const group of after) {
        if (before.includes(group)) spec.index.replace(group, previous, record);
        else spec.index.add(group, record);
      }
    }
  }
}

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * How many of the newest changes the feed keeps. A consumer whose cursor falls behind them gets
   * `CrmFeedExpiredError` (resynchronise), never a silent gap. Records themselves are all kept.
   * @default 100_000
   */
  feedRetention?: number;
  /**
   * The commit time of writes (`at` of their changes), in epoch milliseconds.
   * @default Date.now
   */
  now?: () => number;
}

/** What the feed keeps of a write: its id, commit time and origin, shared by its changes. */
interface WriteMeta {
  readonly writeId: number;
  readonly at: string;
  readonly origin: string;
}

/** The feed's entry for a tombstone, or for a change whose record was deleted since (erased). */
interface Gone {
  readonly gone: 'deleted' | 'erased';
  readonly id: string;
  readonly version: number;
  readonly op: 'create' | 'update' | 'delete';
}

const isGone = (entry: AnyRecord | Gone): entry is Gone => (entry as Gone).gone !== undefined;

/**
 * A {@link CrmStore} that keeps everything in memory, with real indexes: by customer and time for
 * histories, by email, by external id, by complaint status and owner. A history page costs
 * O(log n + page size) whatever the number of touchpoints.
 *
 * It is the default store of `createCrm()` and the reference implementation of the contract;
 * records are lost when the process ends, so use the SQL store from `@crm/adapters/sql` to keep them.
 * The change feed keeps the newest `feedRetention` changes.
 *
 * @example
 * ```ts
 * const crm = createCrm({ store: memoryStore() })
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): CrmStore {
  const { feedRetention = 100_000, now = Date.now } = options ?? {};
  if (!Number.isSafeInteger(feedRetention) || feedRetention < 1) {
    throw new TypeError('memoryStore: `feedRetention` must be a whole number of changes, 1 or more');
  }
  if (typeof now !== 'function') throw new TypeError('memoryStore: `now` must be a function returning epoch milliseconds');
  const customers = new Table<Customer>(
    {
      all: { index: idIndex(), groupsOf: () => '' },
      email: { index: idIndex(), groupsOf: (c) => [...new Set(c.emails)] },
      externalId: { index: idIndex(), groupsOf: (c) => Object.entries(c.externalIds).map(([s, id]) => `${s}\u0001${id}`) },
    },
    { lookup: 'map' },
  );
  const touchpoints = new Table<Touchpoint>(
    {
      all: { index: idIndex(), groupsOf: () => '' },
      // One group lookup serves both a customer's touchpoints by id (lists) and by time (history).
      customer: { index: new SortedIndex<Touchpoint>([BY_ID, BY_TIME]), groupsOf: (t) => t.customerId },
      complaint: { index: idIndex(), groupsOf: (t) => t.complaintId },
      signal: { index: idIndex(), groupsOf: (t) => t.signal?.state },
    },
    { lookup: 'index' },
  );
  const complaints = new Table<Complaint>(
    {
      all: { index: idIndex(), groupsOf: () => '' },
      customer: { index: idIndex(), groupsOf: (c) => c.customerId },
      status: { index: idIndex(), groupsOf: (c) => c.status },
      owner: { index: idIndex(), groupsOf: (c) => c.ownerId },
    },
    { lookup: 'map' },
  );
  const activityKey = (ref: ActivityRef) => ref.activity.at + ref.activity.id;
  const activityHistory = new SortedIndex<ActivityRef>([{ keyOf: activityKey }]);
  const tables = { customers, touchpoints, complaints } as unknown as Record<EntityName, Table<AnyRecord>>;
  // The change feed, kept as parallel arrays (no object per change): the record written (or what
  // is left of it), its entity and its write. A change's op follows from the record's version
  // (1 on create, more on update). Entries before `base` have been dropped (the horizon).
  const feedRecords: (AnyRecord | Gone)[] = [];
  const feedEntities: EntityName[] = [];
  const feedWrites: WriteMeta[] = [];
  let base = 0;
  const changeAt = (index: number): Change => {
    const entry = feedRecords[index]!;
    const meta = feedWrites[index]!;
    const change = {
      seq: base + index + 1,
      entity: feedEntities[index]!,
      op: isGone(entry) ? entry.op : entry.version === 1 ? 'create' : 'update',
      id: entry.id,
      version: entry.version,
      writeId: meta.writeId,
      at: meta.at,
      origin: meta.origin,
    } as Change;
    if (!isGone(entry)) (change as { record?: AnyRecord }).record = entry;
    return change;
  };
  const listeners = new Set<(changes: readonly Change[]) => void>();
  let closed = false;
  // Many writes commit in the same millisecond: format its instant once for them.
  let lastMs = Number.NaN;
  let lastAt = '';
  const commitTime = () => {
    const ms = now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastAt = new Date(ms).toISOString();
    }
    return lastAt;
  };

  const assertOpen = () => {
    if (closed) throw new CrmError('memoryStore: the store is closed', { code: 'CLOSED' });
  };

  /** Removes every copy of a deleted record from the feed: its earlier changes keep only their ids. */
  const scrub = (entity: EntityName, id: string) => {
    for (let i = 0; i < feedRecords.length; i++) {
      const entry = feedRecords[i]!;
      if (feedEntities[i] !== entity || entry.id !== id || isGone(entry)) continue;
      feedRecords[i] = { gone: 'erased', id, version: entry.version, op: entry.version === 1 ? 'create' : 'update' };
    }
  };

  /** Drops the oldest changes beyond the retention (in steps, so that trimming stays cheap; the feed may hold up to 64k more meanwhile). */
  const trim = () => {
    const excess = feedRecords.length - feedRetention;
    // In steps of up to 64k changes: each trim copies what is kept, so its cost per write stays small.
    if (excess <= 0 || excess < Math.min(feedRetention, 65_536)) return;
    // Cut at a write's boundary, keeping the write that straddles the line whole.
    let cut = excess;
    while (cut > 0 && feedWrites[cut - 1] === feedWrites[cut]) cut--;
    if (cut === 0) return;
    feedRecords.splice(0, cut);
    feedEntities.splice(0, cut);
    feedWrites.splice(0, cut);
    base += cut;
  };

  const indexActivity = (previous: Complaint | undefined, next: Complaint) => {
    const moved = previous !== undefined && previous.customerId !== next.customerId;
    if (moved)
      for (const entry of previous.activity) activityHistory.delete(previous.customerId, { activity: entry, complaintId: previous.id });
    const start = previous === undefined || moved ? 0 : previous.activity.length;
    for (let i = start; i < next.activity.length; i++)
      activityHistory.add(next.customerId, { activity: next.activity[i]!, complaintId: next.id });
  };

  /** Checks every op; returns each op's current record (undefined for creates) for the apply step. */
  const checkOps = (ops: readonly WriteOp[]): (AnyRecord | undefined)[] => {
    checkWriteOps(ops, MAX_WRITE_OPS);
    return ops.map((op, i) => {
      const table = tables[op.entity];
      // Ids are time-ordered, so a create usually carries the largest id yet and needs no lookup.
      const current = op.type === 'create' && op.record.id > table.maxId ? undefined : table.find(opId(op));
      checkOpAgainst(op, i, current);
      return current;
    });
  };

  const summarize = complaintSummary;

  /** Walks the most selective index a filter allows; every filter is still checked by `matches`. */
  const listWalks = (entity: EntityName, filter: Record<string, unknown>, order: 'asc' | 'desc', after?: string) => {
    const table = tables[entity];
    for (const [key, index] of INDEXED[entity]) {
      const value = filter[key];
      if (value === undefined) continue;
      const groups = Array.isArray(value) ? [...new Set(value as string[])] : [groupKey(key, value)];
      const walks = groups.map((group) => table.indexes[index]!.index.walk(group, order, after));
      return walks.length === 1 ? walks[0]! : mergeWalks(walks, byId, order);
    }
    return table.indexes.all!.index.walk('', order, after);
  };

  const store: CrmStore = {
    kind: 'memory',
    capabilities: { subscribe: true, sharedFeed: false, delete: true, maxWriteOps: MAX_WRITE_OPS },

    async get(entity, id) {
      assertOpen();
      checkEntity(entity);
      return (tables[entity].find(id) as EntityRecords[typeof entity] | undefined) ?? null;
    },

    async list(entity, query = {}) {
      assertOpen();
      const { limit, order, after, filter } = checkListQuery(entity, query);
      const items: AnyRecord[] = [];
      let more = false;
      for (const record of listWalks(entity, filter, order, after)) {
        if (!matches(entity, filter, record)) continue;
        if (items.length === limit) {
          more = true;
          break;
        }
        items.push(record);
      }
      return listPage(entity, items as EntityRecords[typeof entity][], more);
    },

    async write(ops, writeOptions) {
      assertOpen();
      const origin = checkWriteOptions(writeOptions);
      const currents = checkOps(ops);
      // Every check passed: apply all, synchronously, so no reader sees half a write.
      const first = feedRecords.length;
      const meta: WriteMeta = { writeId: base + first + ops.length, at: commitTime(), origin };
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        const table = tables[op.entity];
        const previous = currents[i];
        if (op.type === 'delete') {
          table.remove(previous!);
          if (op.entity === 'complaints') {
            const complaint = previous as Complaint;
            for (const entry of complaint.activity) activityHistory.delete(complaint.customerId, { activity: entry, complaintId: complaint.id });
          }
          scrub(op.entity, op.id);
          feedRecords.push({ gone: 'deleted', id: op.id, version: op.expectedVersion + 1, op: 'delete' });
        } else {
          const record = deepFreeze(op.record) as AnyRecord;
          if (previous) table.replace(previous, record);
          else table.insert(record);
          if (op.entity === 'complaints') indexActivity(previous as Complaint | undefined, record as Complaint);
          feedRecords.push(record);
        }
        feedEntities.push(op.entity);
        feedWrites.push(meta);
      }
      const made: Change[] = [];
      if (listeners.size > 0) for (let i = first; i < feedRecords.length; i++) made.push(changeAt(i));
      trim();
      if (made.length > 0) {
        for (const listener of [...listeners]) {
          // The write is committed: a failing listener must neither fail it nor starve the others.
          try {
            listener(made);
          } catch (error) {
            (globalThis as { console?: { error(...data: unknown[]): void } }).console?.error(
              'memoryStore: a subscribe listener threw',
              error,
            );
          }
        }
      }
      return { lastSeq: meta.writeId, writeId: meta.writeId };
    },

    async history(customerId, query: HistoryQuery = {}) {
      assertOpen();
      const { limit, afterKey: after, types, channels } = checkHistoryQuery(query);
      // Two lists newest first (the customer's touchpoints by time, their complaints' activity),
      // merged by stepping two positions: no generator or key string per item, only per page.
      const tps = types.includes('touchpoint')
        ? touchpoints.indexes.customer!.index.span(customerId, 'desc', after, 1)
        : { items: [] as readonly Touchpoint[], start: -1 };
      const acts = types.includes('complaint_activity')
        ? activityHistory.span(customerId, 'desc', after)
        : { items: [] as readonly ActivityRef[], start: -1 };
      let i = tps.start;
      let j = acts.start;
      const items: HistoryItem[] = [];
      let more = false;
      while (i >= 0 || j >= 0) {
        const t = i >= 0 ? tps.items[i]! : undefined;
        const ref = j >= 0 ? acts.items[j]! : undefined;
        // Keys are `at + id` with `at` of fixed length: comparing the parts compares the keys.
        const takeTouchpoint =
          t !== undefined &&
          (ref === undefined || t.occurredAt > ref.activity.at || (t.occurredAt === ref.activity.at && t.id > ref.activity.id));
        let item: HistoryItem | null = null;
        if (takeTouchpoint) {
          i--;
          if (channels && !channels.has(t.channel)) continue;
          item = { type: 'touchpoint', id: t.id, at: t.occurredAt, touchpoint: t };
        } else {
          j--;
          const complaint = complaints.find(ref!.complaintId);
          if (!complaint || (channels && !channels.has(complaint.channel))) continue;
          item = { type: 'complaint_activity', id: ref!.activity.id, at: ref!.activity.at, complaint: summarize(complaint), activity: ref!.activity };
        }
        if (items.length === limit) {
          more = true;
          break;
        }
        items.push(item);
      }
      return historyPage(items, more);
    },

    async changes(query) {
      assertOpen();
      const { since, limit: max } = checkChangesQuery(query);
      checkFeedPosition(since, base, base + feedRecords.length);
      const changes: Change[] = [];
      for (let i = since - base; i < Math.min(since - base + max, feedRecords.length); i++) changes.push(changeAt(i));
      return { changes, lastSeq: since + changes.length, head: base + feedRecords.length } satisfies ChangePage;
    },

    subscribe(listener) {
      assertOpen();
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },

    async close() {
      closed = true;
      listeners.clear();
    },
  };
  return store;
}

/** Filters that have an index, most selective first, with the index that serves them. */
const INDEXED: { readonly [E in EntityName]: readonly (readonly [ListFilterName<E>, string])[] } = {
  customers: [
    ['email', 'email'],
    ['externalId', 'externalId'],
  ],
  touchpoints: [
    ['complaintId', 'complaint'],
    ['customerId', 'customer'],
    ['signal', 'signal'],
  ],
  complaints: [
    ['customerId', 'customer'],
    ['ownerId', 'owner'],
    ['status', 'status'],
  ],
};

/** The index group a filter value selects. */
function groupKey(key: string, value: unknown): string {
  if (key === 'email') return normalizeEmail(value);
  if (key === 'externalId') {
    const { system, id } = value as { system: string; id: string };
    return `${system}\u0001${id}`;
  }
  return String(value);
}

type FilterTest = (want: unknown, record: Record<string, unknown>) => boolean;

/** How a record passes one filter, from the filter's field and kind of match in {@link LIST_FILTERS}. */
function filterTest({ field, match }: ListFilter): FilterTest {
  switch (match) {
    case 'equals':
      return (want, r) => (Array.isArray(want) ? want.includes(r[field]) : r[field] === want);
    case 'includes':
      return (want, r) => (r[field] as unknown[]).includes(want);
    case 'includesEmail':
      return (want, r) => (r[field] as string[]).includes(normalizeEmail(want));
    case 'state':
      return (want, r) => (r[field] as { state: unknown } | undefined)?.state === want;
    case 'systemId':
      return (want, r) => (r[field] as Record<string, string>)[(want as { system: string }).system] === (want as { id: string }).id;
  }
}

const testsOf = (filters: Readonly<Record<string, ListFilter>>): Readonly<Record<string, FilterTest>> =>
  Object.fromEntries(Object.entries(filters).map(([name, filter]) => [name, filterTest(filter)]));
const FILTER_TESTS: Readonly<Record<EntityName, Readonly<Record<string, FilterTest>>>> = {
  customers: testsOf(LIST_FILTERS.customers),
  touchpoints: testsOf(LIST_FILTERS.touchpoints),
  complaints: testsOf(LIST_FILTERS.complaints),
};

/** Whether `record` passes every filter (the filter names were checked by `checkListQuery`). */
function matches(entity: EntityName, filter: Record<string, unknown>, record: AnyRecord): boolean {
  const r = record as unknown as Record<string, unknown>;
  const tests = FILTER_TESTS[entity];
  for (const key in filter) {
    const want = filter[key];
    if (want === undefined) continue;
    if (key === FIELDS_FILTER) {
      if (!matchesFieldFilter(record.fields, want as FieldFilter)) return false;
    } else if (!tests[key]!(want, r)) return false;
  }
  return true;
}
