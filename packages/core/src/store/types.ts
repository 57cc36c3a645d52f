import type { Channel } from '../schemas/primitives.js';
import type { Customer, CustomerKind } from '../schemas/customer.js';
import type { Direction, Touchpoint } from '../schemas/touchpoint.js';
import type { SignalState } from '../schemas/signal.js';
import type { Complaint, ComplaintActivity, ComplaintStatus, Priority } from '../schemas/complaint.js';

/** The kinds of record a {@link CrmStore} keeps. */
export type EntityName = 'customers' | 'touchpoints' | 'complaints';

/** The record type stored under each {@link EntityName}. */
export interface EntityRecords {
  customers: Customer;
  touchpoints: Touchpoint;
  complaints: Complaint;
}

/**
 * A value a custom field is filtered by (see {@link FieldFilter}): a string, a number, a boolean
 * or `null`. Arrays and objects are not filterable.
 */
export type FieldFilterValue = string | number | boolean | null;

/**
 * A filter on custom fields (`record.fields`): field names (each matching `FIELD_NAME_PATTERN`,
 * at most 10 of them) to the value each must have. Every key must match, and the filter is ANDed
 * with the record's other filters. Values compare as JSON values do:
 * - a string matches the same string (exact, case-sensitive; at most 1000 characters);
 * - a number matches the same number (`1` matches a stored `1.0`, never the string `"1"`);
 * - a boolean matches the same boolean;
 * - `null` matches a field stored as `null`, a field that is missing, and a record without `fields`.
 *
 * A stored array or object matches no value. Anything else (another type, an invalid name, more
 * than 10 keys, a longer string) is a `CrmValidationError` naming it (`filter.fields.tier`).
 *
 * @example
 * ```ts
 * await store.list('customers', { filter: { kind: 'customer', fields: { tier: 'gold', seats: 10, churned: null } } })
 * ```
 */
export type FieldFilter = Readonly<Record<string, FieldFilterValue>>;

/** Filters for listing customers. All given filters must match. */
export interface CustomerFilter {
  kind?: CustomerKind;
  ownerId?: string;
  /** Customers carrying this tag. */
  tag?: string;
  /** Customers with this email address (case-insensitive). */
  email?: string;
  /** The customer known by this id in another system. */
  externalId?: { system: string; id: string };
  /** Records whose custom fields have these values (all of them): see {@link FieldFilter}. */
  fields?: FieldFilter;
}

/** Filters for listing touchpoints. All given filters must match. */
export interface TouchpointFilter {
  customerId?: string;
  complaintId?: string;
  channel?: Channel;
  direction?: Direction;
  actorId?: string;
  /** Touchpoints whose complaint suggestion (`signal.state`) is in this state, e.g. `suggested`. */
  signal?: SignalState;
  /** Records whose custom fields have these values (all of them): see {@link FieldFilter}. */
  fields?: FieldFilter;
}

/** Filters for listing complaints. All given filters must match. */
export interface ComplaintFilter {
  customerId?: string;
  /** One status, or any of several. */
  status?: ComplaintStatus | readonly ComplaintStatus[];
  ownerId?: string;
  priority?: Priority;
  /** Records whose custom fields have these values (all of them): see {@link FieldFilter}. */
  fields?: FieldFilter;
}

/** The filter type for each {@link EntityName}. */
export interface EntityFilters {
  customers: CustomerFilter;
  touchpoints: TouchpointFilter;
  complaints: ComplaintFilter;
}

/** A page request. Pages are keyset-paginated, so inserts between pages never repeat or skip an item. */
export interface PageQuery {
  /** Items per page, 1–500. Default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page; omit it (or pass `null` or `''`) for the first page. Opaque: don't build one. */
  cursor?: string | null;
}

/**
 * A query for `list`: records in creation order (`id`, compared as JavaScript compares strings:
 * by UTF-16 code unit, which SQL stores get with `COLLATE "C"`), newest first unless `order: 'asc'`.
 */
export interface ListQuery<E extends EntityName> extends PageQuery {
  filter?: EntityFilters[E];
  order?: 'asc' | 'desc';
}

/** One page of results. `nextCursor` is `null` on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A complaint as shown next to its activity in a history. */
export interface ComplaintSummary {
  id: string;
  subject: string;
  status: ComplaintStatus;
  priority: Priority;
  ownerId?: string | undefined;
  channel: Channel;
}

/** One item of a customer's history: a touchpoint, or an entry of one of their complaints' activity logs. */
export type HistoryItem =
  | {
      type: 'touchpoint';
      /** The touchpoint's id. */
      id: string;
      /** When the contact happened (`occurredAt`). */
      at: string;
      touchpoint: Touchpoint;
    }
  | {
      type: 'complaint_activity';
      /** The activity entry's id. */
      id: string;
      /** When the activity happened. */
      at: string;
      complaint: ComplaintSummary;
      activity: ComplaintActivity;
    };

/** What a history query asks for. */
export interface HistoryQuery extends PageQuery {
  /** Only touchpoints on these channels, and activity of complaints raised on them. */
  channels?: readonly Channel[];
  /** Only these kinds of item. Default: both. */
  types?: readonly HistoryItem['type'][];
}

/** Creates a record. Fails with `CrmConflictError` if the id exists. `record.version` must be 1. */
export interface CreateOp<E extends EntityName = EntityName> {
  type: 'create';
  entity: E;
  record: EntityRecords[E];
}

/**
 * Replaces a record, if and only if it is still at `expectedVersion`; otherwise the whole write
 * fails with `CrmConflictError`. `record.version` must be `expectedVersion + 1`. A complaint's
 * `activity` log is append-only: an update that removes, reorders or changes an existing entry
 * fails with `CrmValidationError`.
 */
export interface UpdateOp<E extends EntityName = EntityName> {
  type: 'update';
  entity: E;
  record: EntityRecords[E];
  expectedVersion: number;
}

/**
 * Deletes a record, if and only if it is still at `expectedVersion`; otherwise the whole write
 * fails with `CrmConflictError`. The feed gets a tombstone (`op: 'delete'`, no `record`) at
 * version `expectedVersion + 1`, and every earlier change of the record loses its `record`, so
 * no copy of it is left in the store. Stores without `capabilities.delete` refuse it.
 */
export interface DeleteOp<E extends EntityName = EntityName> {
  type: 'delete';
  entity: E;
  id: string;
  expectedVersion: number;
}

/** One operation of an atomic {@link CrmStore.write}. */
export type WriteOp = { [E in EntityName]: CreateOp<E> | UpdateOp<E> | DeleteOp<E> }[EntityName];

/** Options of one {@link CrmStore.write}. */
export interface StoreWriteOptions {
  /**
   * Who made the write, carried by each of its changes so that a consumer can skip its own
   * writes: `app` for the application, `sync:hubspot` for records pulled by a sync. 1–64
   * characters: letters, digits and `:._-`.
   * @default 'app'
   */
  origin?: string;
}

/** What a write returns. */
export interface WriteResult {
  /** The feed sequence of the write's last change. */
  lastSeq: number;
  /** The write's id, shared by all its changes (it is the `seq` of its last change). */
  writeId: number;
}

/** What every change of the feed tells, whatever its entity and op. */
interface ChangeBase {
  /** Position in the feed; strictly increasing, without gaps within one store (one tenant). */
  seq: number;
  id: string;
  /** The record's version after this change (a delete counts as a version too). */
  version: number;
  /** The atomic write this change belongs to: all its changes share it, in write order. It is the `seq` of the write's last change. */
  writeId: number;
  /** When the write committed (UTC ISO 8601). */
  at: string;
  /** Who made the write (`app`, `sync:hubspot`, …): see {@link StoreWriteOptions.origin}. */
  origin: string;
}

/**
 * One entry of the change feed. `record` is the record as written; it is absent for a delete
 * (a tombstone) and for earlier changes of a record that was deleted since (erased: no copy of
 * it is kept).
 */
export type Change = {
  [E in EntityName]: ChangeBase & {
    entity: E;
    op: 'create' | 'update' | 'delete';
    record?: EntityRecords[E];
  };
}[EntityName];

/** A page of the change feed. */
export interface ChangePage {
  changes: Change[];
  /** Pass this as `since` to read on; equals `since` when there was nothing new. */
  lastSeq: number;
  /** The seq of the newest change in the feed now (where a new follower starts). */
  head: number;
}

/**
 * What a store can do beyond the required methods, declared rather than probed, so that
 * callers (the CRM, sync, the REST handler) pick the right path.
 */
export interface StoreCapabilities {
  /** `subscribe` pushes changes; without it, callers poll `changes`. */
  readonly subscribe: boolean;
  /** Subscribers also hear writes made by other processes or clients on the same data (SQL with LISTEN, REST). */
  readonly sharedFeed: boolean;
  /** Delete ops (tombstones, erasure) are accepted. */
  readonly delete: boolean;
  /** The most ops one `write` accepts; a larger write is a `CrmValidationError` naming `ops`. */
  readonly maxWriteOps: number;
}

/**
 * Where a CRM keeps its records. Every implementation (memory, SQL, REST, …) runs the same
 * contract suite from `@crm/core/testing`.
 *
 * Records given to `write` belong to the store afterwards: it may keep and freeze them, so don't
 * mutate them. Records returned by `get`, `list` and `history` must not be mutated either.
 */
export interface CrmStore {
  /** A short name for messages: `memory`, `sql`, `rest`. */
  readonly kind: string;

  /** What this store can do beyond the required methods. */
  readonly capabilities: StoreCapabilities;

  /** The record with this id, or `null`. */
  get<E extends EntityName>(entity: E, id: string): Promise<EntityRecords[E] | null>;

  /** Records matching a filter, in creation (`id`) order, a page at a time. */
  list<E extends EntityName>(entity: E, query?: ListQuery<E>): Promise<Page<EntityRecords[E]>>;

  /**
   * Writes all `ops` or none: if any op fails (an id that exists, a stale version), nothing is
   * written and the first failure is thrown. The same record twice in one write is a
   * `CrmValidationError`, and so is a write of more than `capabilities.maxWriteOps` ops. Returns
   * the feed sequence of the last change and the write's id; every change it makes carries
   * `options.origin` (default `app`) and the commit time.
   */
  write(ops: readonly WriteOp[], options?: StoreWriteOptions): Promise<WriteResult>;

  /**
   * A customer's touchpoints and complaint activity merged, newest first (by `at`, then `id`).
   * Keyset-paginated, so items inserted while paging never cause repeats or gaps among the rest.
   * An unknown customer has an empty history (the CRM services check the customer first).
   */
  history(customerId: string, query?: HistoryQuery): Promise<Page<HistoryItem>>;

  /**
   * Changes with `seq > since`, in order, at most `limit` (default 100; 1–1000, anything else is
   * a `CrmValidationError`). A store keeps its feed back to a retention horizon: a `since` older
   * than it fails with `CrmFeedExpiredError` (code `FEED_EXPIRED`), which says to resynchronise
   * (read the records again with `list`, then follow the feed from the error's `lastSeq`) —
   * never a silent gap. A `since` beyond the end of the feed is a `CrmValidationError`.
   */
  changes(query: { since: number; limit?: number }): Promise<ChangePage>;

  /**
   * Calls `listener` after each write with the changes it made (one call per atomic write).
   * Returns a function that stops the calls. A listener that throws affects neither the write nor
   * the other listeners. Remote stores may deliver changes a moment after the write, and may miss
   * writes made before the subscription is established; poll `changes` to catch up. Optional:
   * stores that can't push leave it out and callers poll `changes`.
   */
  subscribe?(listener: (changes: readonly Change[]) => void): () => void;

  /** Releases connections and timers. The store can't be used afterwards. */
  close(): Promise<void>;
}
