/**
 * What both sync states check of their arguments, with the same messages: a call the memory
 * state accepts, the SQL state accepts too (and the reverse).
 *
 * @module
 */
import { SYNC_ENTITIES, type MapEntry, type QueueItem, type SyncEntity, type SyncFailure } from '../contract.js';

/** When a queue item with no backoff is available: the start of time, so any `now` a clock gives can claim it. */
export const AVAILABLE_AT_ONCE = '1970-01-01T00:00:00.000Z';

/** The most `failures()` returns by default. */
export const DEFAULT_FAILURES_LIMIT = 100;

/** One record's queue key. */
export interface QueueKey {
  entity: SyncEntity;
  localId: string;
}

const fail = (method: string, field: string, problem: string): TypeError => new TypeError(`syncState.${method}: ${field} ${problem}`);

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

/** A tenant or remote name: non-empty, at most 200 characters, without control characters. */
export function checkName(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 200 || CONTROL.test(value)) {
    throw new TypeError(`${where}: ${field} must be a non-empty string of at most 200 characters, without control characters`);
  }
  return value;
}

/** An id or a cursor value: a string without NUL (which Postgres text can't hold). */
export function checkText(method: string, field: string, value: unknown, { empty = false } = {}): string {
  if (typeof value !== 'string' || (!empty && value === '') || value.includes('\u0000')) {
    throw fail(method, field, `must be a ${empty ? '' : 'non-empty '}string without NUL characters`);
  }
  return value;
}

export function checkEntity(method: string, field: string, value: unknown): SyncEntity {
  if (!(SYNC_ENTITIES as readonly unknown[]).includes(value)) throw fail(method, field, `must be one of ${SYNC_ENTITIES.join(', ')}`);
  return value as SyncEntity;
}

function checkCount(method: string, field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw fail(method, field, `must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`);
  }
  return value;
}

/** A time passed in: a valid `Date` within years 1970–9999 (stored as UTC ISO 8601 with milliseconds). */
export function checkDate(method: string, field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()) || value.getTime() < 0 || value.getTime() >= 253_402_300_800_000) {
    throw fail(method, field, 'must be a valid Date between 1970 and 9999');
  }
  return value;
}

export function checkList<T>(method: string, field: string, value: unknown, each: (item: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) throw fail(method, field, 'must be an array');
  return value.map((item, i) => each(item, `${field}[${i}]`));
}

function checkObject(method: string, field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(method, field, 'must be an object');
  return value as Record<string, unknown>;
}

export function checkKey(method: string, field: string, value: unknown): QueueKey {
  const o = checkObject(method, field, value);
  return { entity: checkEntity(method, `${field}.entity`, o.entity), localId: checkText(method, `${field}.localId`, o.localId) };
}

export function checkQueueItem(method: string, field: string, value: unknown): QueueItem {
  const o = checkObject(method, field, value);
  if (o.op !== 'upsert' && o.op !== 'delete') throw fail(method, `${field}.op`, 'must be "upsert" or "delete"');
  return {
    entity: checkEntity(method, `${field}.entity`, o.entity),
    localId: checkText(method, `${field}.localId`, o.localId),
    op: o.op,
    version: checkCount(method, `${field}.version`, o.version, 0, 2_147_483_647),
    seq: checkCount(method, `${field}.seq`, o.seq, 0),
  };
}

export function checkMapEntry(method: string, field: string, value: unknown): MapEntry {
  const o = checkObject(method, field, value);
  return {
    entity: checkEntity(method, `${field}.entity`, o.entity),
    localId: checkText(method, `${field}.localId`, o.localId),
    remoteId: checkText(method, `${field}.remoteId`, o.remoteId),
    localVersion: checkCount(method, `${field}.localVersion`, o.localVersion, 0, 2_147_483_647),
    remoteVersion: checkText(method, `${field}.remoteVersion`, o.remoteVersion, { empty: true }),
  };
}

export function checkFailure(method: string, field: string, value: unknown): SyncFailure {
  const o = checkObject(method, field, value);
  if (typeof o.code !== 'string' || typeof o.message !== 'string' || typeof o.hint !== 'string' || typeof o.retryable !== 'boolean') {
    throw fail(method, field, 'must be a SyncFailure: { code, message, hint: strings; retryable: boolean; status?: number }');
  }
  if (o.status !== undefined && (typeof o.status !== 'number' || !Number.isInteger(o.status))) throw fail(method, `${field}.status`, 'must be a whole number');
  // NUL can't be stored in jsonb text: replaced, so that one odd message from a remote never stops a sync.
  const clean = (text: string) => text.replaceAll('\u0000', '\ufffd');
  const failure: SyncFailure = { code: clean(o.code), message: clean(o.message), retryable: o.retryable, hint: clean(o.hint) };
  if (o.status !== undefined) failure.status = o.status as number;
  return failure;
}

export function checkWorker(method: string, value: unknown): string {
  return checkText(method, 'worker', value);
}

export function checkClaim(value: unknown): { worker: string; entity: SyncEntity; limit: number; leaseMs: number; now: Date } {
  const o = checkObject('claim', 'options', value);
  return {
    worker: checkWorker('claim', o.worker),
    entity: checkEntity('claim', 'entity', o.entity),
    limit: checkCount('claim', 'limit', o.limit, 0, 10_000),
    leaseMs: checkCount('claim', 'leaseMs', o.leaseMs, 1, 7 * 24 * 3_600_000),
    now: checkDate('claim', 'now', o.now),
  };
}

export function checkCursorMove(value: unknown): { key: string; from: string | null; to: string } {
  const o = checkObject('enqueue', 'cursor', value);
  return {
    key: checkText('enqueue', 'cursor.key', o.key),
    from: o.from === null ? null : checkText('enqueue', 'cursor.from', o.from, { empty: true }),
    to: checkText('enqueue', 'cursor.to', o.to, { empty: true }),
  };
}

export function checkLimit(value: unknown): number {
  return value === undefined ? DEFAULT_FAILURES_LIMIT : checkCount('failures', 'limit', value, 0, 10_000);
}

/** Items of one batch for the same record: the newest version wins (the later one among equals). */
export function newestItems(items: readonly QueueItem[]): QueueItem[] {
  const byKey = new Map<string, QueueItem>();
  for (const item of items) {
    const key = keyString(item);
    const known = byKey.get(key);
    if (!known || item.version >= known.version) byKey.set(key, item);
  }
  return [...byKey.values()];
}

/** A record's key as one string. */
export const keyString = (key: QueueKey): string => `${key.entity}\u0000${key.localId}`;

/** Code-unit order (as `COLLATE "C"`). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
