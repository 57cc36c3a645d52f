import { CrmConflictError } from '../errors/conflictError.js';
import { CrmValidationError, formatPath } from '../errors/validationError.js';
import type { Channel } from '../schemas/primitives.js';
import type { Complaint, ComplaintActivity } from '../schemas/complaint.js';
import { checkLimit, decodeCursor, encodeCursor } from './cursor.js';
import { FIELDS_FILTER, LIST_FILTERS } from './filters.js';
import { FIELD_NAME_PATTERN, jsonProblem, type JsonValue } from '../schemas/fields.js';
import { CrmFeedExpiredError } from '../errors/feedExpiredError.js';
import type {
  ComplaintSummary,
  EntityName,
  EntityRecords,
  FieldFilter,
  FieldFilterValue,
  HistoryItem,
  HistoryQuery,
  ListQuery,
  Page,
  StoreWriteOptions,
  WriteOp,
} from './types.js';

/**
 * The checks every {@link CrmStore} makes on its arguments, shared so that each store (memory,
 * SQL, REST) fails the same way with the same messages. For store authors: an app never calls them.
 *
 * @module
 */

const UNKNOWN_ENTITY = 'expected "customers", "touchpoints" or "complaints"';

/**
 * The names of the filters each entity knows (from {@link LIST_FILTERS}); any other key is a
 * mistake worth an error, not an empty page.
 */
export const STORE_FILTERS: Readonly<Record<EntityName, ReadonlySet<string>>> = {
  customers: new Set(Object.keys(LIST_FILTERS.customers)),
  touchpoints: new Set(Object.keys(LIST_FILTERS.touchpoints)),
  complaints: new Set(Object.keys(LIST_FILTERS.complaints)),
};

/** Whether `entity` is one of the {@link EntityName}s (and not, say, `__proto__`). */
export function isEntityName(entity: unknown): entity is EntityName {
  return entity === 'customers' || entity === 'touchpoints' || entity === 'complaints';
}

/** Throws the store's validation error for an unknown entity name. */
export function checkEntity(entity: unknown): asserts entity is EntityName {
  if (!isEntityName(entity)) throw CrmValidationError.field('store operation', ['entity'], UNKNOWN_ENTITY);
}

/** An email address as stores compare it: trimmed, lower case. */
export const normalizeEmail = (email: unknown): string => String(email).trim().toLowerCase();

/** A {@link ListQuery} checked and filled in. */
export interface CheckedListQuery {
  limit: number;
  order: 'asc' | 'desc';
  /** The id to continue after, from the cursor. */
  after: string | undefined;
  /** The filters given (a filter set to `undefined` is no filter). */
  filter: Record<string, unknown>;
}

/** Checks a list query (limit 1–500, default 50; order; cursor of this entity's lists; known filters). */
export function checkListQuery(entity: EntityName, query: ListQuery<EntityName> = {}): CheckedListQuery {
  checkEntity(entity);
  const limit = checkLimit(query.limit, 50, 500);
  const order = query.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw CrmValidationError.field('page query', ['order'], 'expected "asc" or "desc"');
  const after = query.cursor ? decodeCursor(`list:${entity}`, query.cursor) : undefined;
  const filter = (query.filter ?? {}) as Record<string, unknown>;
  for (const key in filter) {
    if (key === FIELDS_FILTER) {
      if (filter[key] !== undefined) checkFieldFilter(filter[key]);
      continue;
    }
    if (!STORE_FILTERS[entity].has(key)) throw CrmValidationError.field('page query', ['filter', key], 'unknown filter', 'unknown_field');
  }
  return { limit, order, after, filter };
}

/** The most custom fields one list filter names (`filter.fields`). */
export const MAX_FIELD_FILTERS = 10;

/** The most characters of a string a custom field is filtered by. */
export const MAX_FIELD_FILTER_LENGTH = 1000;

/**
 * The problems of a filter on custom fields (`filter.fields`), each with the path below `fields`
 * it concerns (`['tier']`), in key order; none for a valid one. See {@link FieldFilter}: a plain
 * object of at most {@link MAX_FIELD_FILTERS} field names, each value a string (at most
 * {@link MAX_FIELD_FILTER_LENGTH} characters), a finite number, a boolean or `null`.
 */
export function fieldFilterProblems(fields: unknown): { path: string[]; message: string }[] {
  const proto = fields !== null && typeof fields === 'object' ? Object.getPrototypeOf(fields) : undefined;
  if (Array.isArray(fields) || (proto !== Object.prototype && proto !== null)) {
    return [{ path: [], message: 'expected an object of custom field values by name' }];
  }
  const entries = Object.entries(fields as Record<string, unknown>);
  if (entries.length > MAX_FIELD_FILTERS) return [{ path: [], message: `must name at most ${MAX_FIELD_FILTERS} fields (got ${entries.length})` }];
  const problems: { path: string[]; message: string }[] = [];
  for (const [name, value] of entries) {
    if (!FIELD_NAME_PATTERN.test(name)) {
      // Not named: a name that is not a field name may be anything the caller sent.
      problems.push({ path: [], message: 'has an invalid field name: expected a letter, then letters, digits or "_" (64 at most)' });
      continue;
    }
    let problem: string | null = null;
    if (typeof value === 'string') {
      problem = value.length > MAX_FIELD_FILTER_LENGTH ? `must be at most ${MAX_FIELD_FILTER_LENGTH} characters` : jsonProblem(value);
    } else if (typeof value === 'number') problem = jsonProblem(value);
    else if (value !== null && typeof value !== 'boolean') {
      problem = `expected a string, a number, a boolean or null, received ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value}`;
    }
    if (problem) problems.push({ path: [name], message: problem });
  }
  return problems;
}

/** Checks a filter on custom fields (`filter.fields`), or throws a `CrmValidationError` naming each bad one (`filter.fields.tier`). */
export function checkFieldFilter(fields: unknown): asserts fields is FieldFilter {
  const problems = fieldFilterProblems(fields);
  if (problems.length === 0) return;
  throw new CrmValidationError(
    'page query',
    problems.map(({ path, message }) => {
      const full = ['filter', FIELDS_FILTER, ...path];
      return { path: full, field: formatPath(full), code: 'invalid', message };
    }),
  );
}

/**
 * Whether a record's custom fields (`record.fields`, maybe absent) match a checked filter on them:
 * every key equal as JSON (`null` also matching a missing field), as {@link FieldFilter} says.
 */
export function matchesFieldFilter(fields: Readonly<Record<string, JsonValue>> | undefined, filter: FieldFilter): boolean {
  for (const name in filter) {
    const want: FieldFilterValue = filter[name]!;
    const have = fields !== undefined && fields !== null && Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (want === null ? have !== null && have !== undefined : have !== want) return false;
  }
  return true;
}

/**
 * A list page of at most `limit` records, whose cursor (when `more` records follow) is the one
 * {@link checkListQuery} reads back: the last record's id.
 */
export function listPage<E extends EntityName>(entity: E, items: EntityRecords[E][], more: boolean): Page<EntityRecords[E]> {
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(`list:${entity}`, last.id) : null };
}

/** A {@link HistoryQuery} checked and filled in. */
export interface CheckedHistoryQuery {
  limit: number;
  /** The sort key to continue after, from the cursor: the last item's `at` followed by its `id`. */
  afterKey: string | undefined;
  types: readonly HistoryItem['type'][];
  /** The channels asked for, or `null` for all. */
  channels: ReadonlySet<Channel> | null;
}

/** Checks a history query (limit 1–500, default 50; a cursor of a history query). */
export function checkHistoryQuery(query: HistoryQuery = {}): CheckedHistoryQuery {
  return {
    limit: checkLimit(query.limit, 50, 500),
    afterKey: query.cursor ? decodeCursor('history', query.cursor) : undefined,
    types: query.types ?? ['touchpoint', 'complaint_activity'],
    channels: query.channels ? new Set(query.channels) : null,
  };
}

/** Checks a change-feed query: `since` a whole number ≥ 0, `limit` 1–1000 (default 100). */
export function checkChangesQuery(query: { since: number; limit?: number }): { since: number; limit: number } {
  const since = query?.since;
  if (!Number.isSafeInteger(since) || since < 0) throw CrmValidationError.field('change query', ['since'], 'must be a whole number, 0 or more');
  return { since, limit: checkLimit(query.limit, 100, 1000) };
}

/**
 * Checks `since` against the feed a store keeps: `horizon` (the oldest `since` answered) to
 * `lastSeq` (the newest change). Older is a {@link CrmFeedExpiredError}; newer a validation error
 * (a cursor of another store or tenant, or of a feed that was reset).
 */
export function checkFeedPosition(since: number, horizon: number, lastSeq: number): void {
  if (since < horizon) throw new CrmFeedExpiredError(since, horizon, lastSeq);
  if (since > lastSeq) {
    throw CrmValidationError.field('change query', ['since'], `is beyond the end of the feed (its newest change is ${lastSeq})`);
  }
}

/** The most ops a single write takes in the stores of this SDK (and the default for others). */
export const MAX_WRITE_OPS = 5000;

/** The origin of writes that give none. */
export const DEFAULT_ORIGIN = 'app';

const ORIGIN = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$/;

/** Checks a write's options; returns its origin. */
export function checkWriteOptions(options: StoreWriteOptions | undefined): string {
  if (options === undefined) return DEFAULT_ORIGIN;
  if (options === null || typeof options !== 'object') throw CrmValidationError.field('store write', ['options'], 'expected an object');
  const { origin = DEFAULT_ORIGIN } = options;
  if (typeof origin !== 'string' || !ORIGIN.test(origin)) {
    throw CrmValidationError.field('store write', ['origin'], 'must be 1–64 letters, digits or ":._-", starting with a letter or digit');
  }
  return origin;
}

/** The id of the record an op writes. */
export const opId = (op: WriteOp): string => (op.type === 'delete' ? op.id : op.record.id);

const opError = (i: number, field: string, message: string) =>
  CrmValidationError.field('store write', ['ops', i, ...field.split('.')], message);

/**
 * Checks the shape of a write before any record is looked up: at least one op and at most
 * `maxOps`, each with a known entity and type, a record with an id (an id for a delete), the
 * version rule (1 on create, `expectedVersion + 1` on update), and no record twice.
 */
export function checkWriteOps(ops: readonly WriteOp[], maxOps = MAX_WRITE_OPS): void {
  if (!Array.isArray(ops) || ops.length === 0) {
    throw CrmValidationError.field('store write', ['ops'], 'expected at least one operation');
  }
  if (ops.length > maxOps) throw CrmValidationError.field('store write', ['ops'], `at most ${maxOps} operations in one write (got ${ops.length})`);
  const seen = ops.length > 1 ? new Set<string>() : null;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (!isEntityName(op?.entity)) throw opError(i, 'entity', UNKNOWN_ENTITY);
    if (op.type === 'delete') {
      if (typeof op.id !== 'string' || op.id === '') throw opError(i, 'id', 'is required');
      if (!Number.isSafeInteger(op.expectedVersion) || op.expectedVersion < 1) throw opError(i, 'expectedVersion', 'must be a whole number, 1 or more');
      if (seen) {
        const key = `${op.entity}\u0001${op.id}`;
        if (seen.has(key)) throw opError(i, 'id', 'appears twice in one write');
        seen.add(key);
      }
      continue;
    }
    const record = op.record as { id?: unknown; version?: unknown } | undefined;
    if (!record || typeof record.id !== 'string' || record.id === '') throw opError(i, 'record.id', 'is required');
    if (seen) {
      const key = `${op.entity}\u0001${record.id}`;
      if (seen.has(key)) throw opError(i, 'record.id', 'appears twice in one write');
      seen.add(key);
    }
    if (op.type === 'create') {
      if (record.version !== 1) throw opError(i, 'record.version', 'must be 1 on create');
    } else if (op.type === 'update') {
      if (record.version !== op.expectedVersion + 1)
        throw opError(i, 'record.version', `must be ${op.expectedVersion + 1} (expectedVersion + 1)`);
    } else {
      throw opError(i, 'type', 'expected "create", "update" or "delete"');
    }
  }
}

/**
 * Checks one op against the record stored now (`undefined` when there is none): a create needs no
 * record, an update or a delete one at `expectedVersion`, and an update of a complaint may only
 * append to its activity log. Throws `CrmConflictError` or `CrmValidationError`.
 */
export function checkOpAgainst(op: WriteOp, i: number, current: { version: number } | undefined): void {
  const expected = op.type === 'create' ? null : op.expectedVersion;
  // A create conflicts with any stored record; an update with anything but its expected version.
  if (expected === null ? current : current?.version !== expected) {
    throw new CrmConflictError(op.entity.slice(0, -1), opId(op), expected, current?.version ?? 0);
  }
  if (op.type === 'update' && op.entity === 'complaints') checkAppendOnly(current as Complaint, op.record, i);
}

/** Throws unless `next`'s activity log keeps every entry of `current`'s, unchanged and in order. */
export function checkAppendOnly(current: Pick<Complaint, 'activity'>, next: Pick<Complaint, 'activity'>, i: number): void {
  const ok =
    next.activity.length >= current.activity.length &&
    current.activity.every((entry, j) => sameEntry(entry, next.activity[j]));
  if (!ok) throw opError(i, 'record.activity', 'is append-only: existing entries cannot change or go');
}

/**
 * Whether an activity entry is unchanged: the same object (the usual case, as updates spread the
 * existing log) or the same fields. Entries hold only primitive values.
 */
function sameEntry(entry: ComplaintActivity, next: ComplaintActivity | undefined): boolean {
  if (entry === next) return true;
  if (next === undefined) return false;
  const a = entry as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  for (const key in a) if (a[key] !== b[key]) return false;
  for (const key in b) if (a[key] !== b[key]) return false;
  return true;
}

/**
 * A history page, whose cursor (when `more` items follow) is the one {@link checkHistoryQuery}
 * reads back: the last item's `at` followed by its `id`.
 */
export function historyPage(items: HistoryItem[], more: boolean): Page<HistoryItem> {
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor('history', last.at + last.id) : null };
}

/** A complaint as a history shows it next to its activity. */
export const complaintSummary = (complaint: Complaint): ComplaintSummary => ({
  id: complaint.id,
  subject: complaint.subject,
  status: complaint.status,
  priority: complaint.priority,
  ownerId: complaint.ownerId,
  channel: complaint.channel,
});
