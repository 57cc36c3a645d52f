import type EventEmitter from 'eventemitter3';
import { systemClock, type Clock } from '../clock/clock.js';
import { CrmConflictError } from '../errors/conflictError.js';
import { CrmNotFoundError } from '../errors/notFoundError.js';
import { CrmValidationError, formatPath } from '../errors/validationError.js';
import type { CrmEventName, CrmEvents } from '../events/events.js';
import type { IdGenerator } from '../ids/ulid.js';
import type { Staff } from '../schemas/staff.js';
import type { ContactPolicy } from '../schemas/contactPolicy.js';
import type { QuietCalendars } from '../policy/contactPolicy.js';
import type { RoutingFunction } from './routing.js';
import type { SlaRules } from '../sla/policies.js';
import type { Complaint } from '../schemas/complaint.js';
import type { Change, CrmStore, EntityName, EntityRecords } from '../store/types.js';
import type { FieldRegistry } from '../fields/declaration.js';
import type { FieldValues } from '../schemas/fields.js';

/** What every service shares: the store, the clock, ids, events and the staff directory. */
export interface ServiceContext {
  readonly store: CrmStore;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly staff: ReadonlyMap<string, Staff> | null;
  /** The SLA policies, when `slaPolicies` were given. */
  readonly sla: SlaRules | null;
  /**
   * Told about every complaint this CRM's services write, after the write: the SLA scheduler
   * listens while it runs (on stores that can't push their changes).
   */
  /** The CRM's one subscription to the store's feed (shared with events and observers). */
  readonly subscribe: (listener: (changes: readonly Change[]) => void) => () => void;
  readonly complaintWritten: Hook<Complaint>;
  /** The current instant as a stored timestamp (see {@link isoClock}). */
  readonly nowIso: () => string;
  /** This CRM's cache of quiet-hours calendars, for the contact policy. */
  readonly quietCalendars: QuietCalendars;
  /** Picks owners for complaints opened without one (with a staff directory), unless turned off. */
  readonly routing: RoutingFunction | null;
  /** The contact-frequency policy, when `contactPolicy` was given. */
  readonly contactPolicy: ContactPolicy | null;
  /** The origin of this CRM's writes (`createCrm({ origin })`). */
  readonly origin: string;
  /** The declared custom fields (`createCrm({ fields })`). */
  readonly fields: FieldRegistry;
  /** Emits an event of this CRM's own write; `origin` defaults to the CRM's. */
  emit<E extends CrmEventName>(event: E, payload: EventInput<E>): void;
}

/** An event's payload as a service gives it: `origin` may be left to the CRM. */
export type EventInput<E extends CrmEventName> = CrmEvents[E] extends infer P ? (P extends { origin: string } ? Omit<P, 'origin'> & { origin?: string } : P) : never;

const SINGULAR: Record<EntityName, string> = { customers: 'customer', touchpoints: 'touchpoint', complaints: 'complaint' };

/**
 * The current instant of `clock` as a stored timestamp. Many writes land in the same
 * millisecond; formatting the date once for them saves real time. The last one is remembered
 * per clock function, so two CRMs never share it.
 */
export function isoClock(clock: Clock): () => string {
  let lastMs = Number.NaN;
  let lastIso = '';
  return () => {
    const ms = clock === systemClock ? Date.now() : clock.now().getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
}

/** The current instant as a stored timestamp. */
export function nowIso(ctx: ServiceContext): string {
  return ctx.nowIso();
}

/** Listeners of something the services do, called in the order they were added. */
export interface Hook<T> {
  /** Adds a listener; returns the function that removes it. */
  add(listener: (value: T) => void): () => void;
  /** Calls every listener with `value`. */
  call(value: T): void;
}

/** A new {@link Hook} without listeners. */
export function hook<T>(): Hook<T> {
  const listeners = new Set<(value: T) => void>();
  return {
    add(listener) {
      // Wrapped, so the same function added twice is two listeners, each removed by its own call.
      const entry = (value: T) => listener(value);
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    call(value) {
      for (const listener of [...listeners]) listener(value);
    },
  };
}

/** Reads a record or throws {@link CrmNotFoundError}. */
export async function getOrThrow<E extends EntityName>(ctx: ServiceContext, entity: E, id: string): Promise<EntityRecords[E]> {
  if (typeof id !== 'string' || id === '') throw CrmValidationError.field(`${SINGULAR[entity]} id`, ['id'], 'expected a non-empty string');
  const record = await ctx.store.get(entity, id);
  if (!record) throw new CrmNotFoundError(SINGULAR[entity], id);
  return record;
}

/**
 * The most items one bulk call takes (`crm.customers.createMany`, `crm.touchpoints.logMany`):
 * larger batches are a validation error; split them.
 */
export const MAX_BATCH_ITEMS = 1000;

/** Options of the bulk writes (`createMany`, `logMany`). */
export interface BulkOptions {
  /**
   * The origin of this write, carried by its changes and events (`sync:hubspot` for a sync pull).
   * @default the CRM's origin (`createCrm({ origin })`, default `app`)
   */
  origin?: string;
}

/** Prefixes a validation error's issues with an item's index: `[17].channel`. */
export function atIndex(error: unknown, i: number, subject: string): unknown {
  if (!(error instanceof CrmValidationError)) return error;
  return new CrmValidationError(
    subject,
    error.issues.map((issue) => {
      const path = [i, ...issue.path];
      return { ...issue, path, field: formatPath(path) };
    }),
  );
}

/** Options of every write that changes an existing record. */
export interface WriteOptions {
  /**
   * The version you read. If the record has changed since, the write fails with
   * `CrmConflictError` and nothing is written. Without it, the change is applied to the latest
   * version (retried a few times if another write lands in between).
   */
  version?: number;
}

/**
 * Read-modify-write with optimistic concurrency. `change` gets the current record and returns
 * the next one; version and `updatedAt` are filled in here. Returns the stored record and the
 * one it replaced.
 */
export async function mutate<E extends EntityName>(
  ctx: ServiceContext,
  entity: E,
  id: string,
  options: WriteOptions | undefined,
  change: (current: EntityRecords[E]) => EntityRecords[E],
): Promise<{ record: EntityRecords[E]; previous: EntityRecords[E] }> {
  const expected = options?.version;
  if (expected !== undefined && (!Number.isInteger(expected) || expected < 1)) {
    throw CrmValidationError.field('write options', ['version'], 'must be a whole number, 1 or more');
  }
  for (let attempt = 0; ; attempt++) {
    const previous = await getOrThrow(ctx, entity, id);
    if (expected !== undefined && previous.version !== expected) {
      throw new CrmConflictError(SINGULAR[entity], id, expected, previous.version);
    }
    const record = { ...change(previous), version: previous.version + 1, updatedAt: nowIso(ctx) } as EntityRecords[E];
    try {
      await ctx.store.write([{ type: 'update', entity, record, expectedVersion: previous.version } as never]);
      return { record, previous };
    } catch (error) {
      // Without an explicit version the caller asked for "apply to the latest": read again and retry.
      if (expected !== undefined || attempt >= 4 || !(error instanceof CrmConflictError)) throw error;
    }
  }
}

/** Checks that `staffId` is in the staff directory (when there is one). */
export function checkStaff(ctx: ServiceContext, staffId: string | undefined, subject: string, field: string): void {
  if (staffId === undefined || ctx.staff === null) return;
  const member = ctx.staff.get(staffId);
  if (!member) throw CrmValidationError.field(subject, [field], `unknown staff member "${staffId}"`, 'unknown_reference');
}

/** Sets `record.fields` to `values`, or removes it when there are none. */
export function setFields<R extends { fields?: FieldValues | undefined }>(record: R, values: FieldValues | undefined): R {
  if (values === undefined || Object.keys(values).length === 0) delete record.fields;
  else record.fields = values;
  return record;
}

/** The stored fields with a checked patch applied: a `null` removes a field; `undefined` when none are left. */
export function mergeFields(current: FieldValues | undefined, patch: FieldValues): FieldValues | undefined {
  const next: FieldValues = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete next[name];
    else next[name] = value;
  }
  return Object.keys(next).length === 0 ? undefined : next;
}

/** Drops keys whose value is `undefined`, so records never carry them. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

export type Emitter = EventEmitter<{ [E in CrmEventName]: (payload: CrmEvents[E]) => void }>;
