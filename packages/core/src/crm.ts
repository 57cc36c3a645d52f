import EventEmitter from 'eventemitter3';
import { systemClock, type Clock } from './clock/clock.js';
import { CrmValidationError } from './errors/validationError.js';
import type { CrmEventName, CrmEvents } from './events/events.js';
import { ulidGenerator, type IdGenerator } from './ids/ulid.js';
import { parseOrThrow } from './schemas/parse.js';
import { list } from './schemas/primitives.js';
import { StaffSchema, type Staff, type StaffInput } from './schemas/staff.js';
import { memoryStore } from './store/memoryStore.js';
import type { CrmStore } from './store/types.js';
import { complaintService, type ComplaintService } from './services/complaints.js';
import { hook, isoClock, type Emitter, type ServiceContext } from './services/context.js';
import { customerService, type CustomerService } from './services/customers.js';
import { historyService, type HistoryFn } from './services/history.js';
import { touchpointService, type TouchpointService } from './services/touchpoints.js';
import type { BusinessCalendar } from './calendar/calendar.js';
import type { SlaPolicy, SlaPolicyInput } from './schemas/slaPolicy.js';
import { parsePolicies, slaRules } from './sla/policies.js';
import { slaService, type SlaService } from './services/sla.js';
import { ContactPolicySchema, type ContactPolicy, type ContactPolicyInput } from './schemas/contactPolicy.js';
import { contactPolicyService, type ContactPolicyService } from './services/contactPolicy.js';
import { quietCalendars } from './policy/contactPolicy.js';
import { normalizeSignals, type SignalsOptions } from './services/suggestions.js';
import type { Analytics } from './analytics/index.js';
import { analytics } from './analytics/runtime.js';
import { parseKpiTargets, type KpiName, type KpiTargetsInput } from './analytics/targets.js';
import { defaultRouting, type RoutingFunction } from './services/routing.js';
import { feedHub, type ChangeListener } from './events/feed.js';
import { activityMemory, eventsOfWrite } from './events/derive.js';
import { checkWriteOptions } from './store/queries.js';
import {
  type FieldFilterOf,
  type FieldInputsOf,
  type FieldPatchOf,
  type FieldValuesOf,
  type FieldsDeclaration,
} from './fields/describe.js';
import { fieldRegistry, type FieldRegistry } from './fields/declaration.js';
import type { EntityName, EntityRecords } from './store/types.js';
import type { CustomerInput, CustomerPatch } from './schemas/customer.js';
import type { TouchpointInput } from './schemas/touchpoint.js';
import type { ComplaintOpenInput } from './schemas/complaint.js';
import type { ComplaintQuery, CustomerQuery, TouchpointQuery } from './services/query.js';
import { fieldsService, type FieldsService } from './fields/fieldsService.js';

/** Options of {@link createCrm}. Every one has a default that runs in browsers, Node and edge runtimes. */
export interface CrmOptions<F extends FieldsDeclaration = FieldsDeclaration> {
  /**
   * Where records are kept.
   * @default memoryStore()
   */
  store?: CrmStore;
  /**
   * Where the time comes from: default `occurredAt`, timestamps, SLA clocks.
   * @default the system clock
   * @example
   * ```ts
   * createCrm({ clock: manualClock('2026-03-02T09:00:00Z') })
   * ```
   */
  clock?: Clock;
  /**
   * Makes record ids. They must be unique and should sort by creation time.
   * @default monotonic ULIDs from the clock and Web Crypto
   */
  ids?: IdGenerator;
  /**
   * The staff directory. When given, owners and actors must be in it (an unknown id is a
   * validation error naming the field); when missing, any well-formed id is accepted.
   * @example
   * ```ts
   * staff: [{ id: 'linda', name: 'Linda', languages: ['en', 'it'], departments: ['support'], capacity: 15 }]
   * ```
   */
  staff?: readonly StaffInput[];
  /**
   * SLA policies, in matching order: a complaint gets the first whose `appliesTo` conditions
   * (priorities, channels, customer tags — any of them) all match when it is opened, unless it
   * names one with `slaPolicyId`. See `crm.sla`.
   * @example
   * ```ts
   * slaPolicies: [{
   *   id: 'standard', name: 'Standard',
   *   calendar: { timeZone: 'Europe/Rome', hours: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']] }, holidays: ['2026-12-25'] },
   *   targets: { normal: { firstResponse: 'PT4H', resolution: 'P2D' }, urgent: { firstResponse: 60, resolution: 'PT8H' } },
   * }]
   * ```
   */
  slaPolicies?: readonly SlaPolicyInput[];
  /**
   * The contact-frequency policy: at most so many outbound contacts per rolling window (per
   * channel, or on all), a quiet period after a complaint is resolved, quiet hours in the
   * customer's time zone, and each customer's opted-out channels. `crm.touchpoints.log` refuses
   * an outbound contact that breaks it (`CrmPolicyError`) unless given a `policyOverride` with a
   * reason; `crm.contactPolicy.check` says beforehand. Without it, only the customer's own
   * preferences (opt-outs, quiet hours) are checked, and only by `check`.
   * @example
   * ```ts
   * contactPolicy: {
   *   limits: [{ max: 3, window: 'P7D' }, { channel: 'sms', max: 1, window: 'P1D' }],
   *   afterResolution: { followUps: 1, quietFor: 'P14D' },
   *   quietHours: { start: '21:00', end: '08:00' },
   * }
   * ```
   */
  contactPolicy?: ContactPolicyInput;
  /**
   * KPI targets, set before the KPIs are used (R10): `crm.kpis` reports each KPI with its target
   * and whether it is met. Times in business minutes or as ISO 8601 durations, shares from 0 to 1;
   * lower is better except for `slaAttainment`, `satisfaction` and `retention`. An unknown KPI or
   * a negative target is a validation error naming `kpiTargets.<kpi>`.
   * @example
   * ```ts
   * kpiTargets: { firstResponseMedian: 'PT1H', resolutionP90: 'P2D', slaAttainment: 0.95, satisfaction: 4.2 }
   * ```
   */
  kpiTargets?: KpiTargetsInput;
  /**
   * Who owns a complaint opened without an `ownerId`, when there is a `staff` directory. By
   * default: the customer's own account owner if they have room; else whoever speaks the
   * customer's language best (`zh-TW`, then `zh-Hant`, then `zh`) with the fewest open complaints
   * within their capacity. The reasons are recorded with the assignment ("speaks zh-TW; 3 open of
   * 10"). Pass your own function to decide otherwise, or `false` to leave such complaints unowned.
   * @default defaultRouting (with a staff directory)
   */
  routing?: RoutingFunction | false;
  /**
   * Hidden complaints (R6): turns on detection of touchpoints that look like unspoken complaints
   * (outcome `complaint`, clearly negative sentiment, negative wording in the customer's
   * language through a `classifier`). They are stored with a `signal`, raise `complaint.suggested`
   * and are listed by `crm.complaints.suggestions()`. Without it, nothing is detected.
   * @example
   * ```ts
   * import { lexiconClassifier } from '@crm/core/signals'
   * createCrm({ signals: { classifier: lexiconClassifier() } })
   * ```
   */
  signals?: SignalsOptions;
  /**
   * The origin of every write this CRM's services make, carried by each change in the feed and
   * each event, so that a consumer can skip its own writes: a sync worker's CRM would say
   * `sync:hubspot`. 1–64 letters, digits or `:._-`.
   * @default 'app'
   */
  origin?: string;
  /**
   * Milliseconds between two reads of the change feed, for a store that can't push
   * (`store.capabilities.subscribe` false): how soon writes made elsewhere are announced.
   * @default 1000
   */
  pollIntervalMs?: number;
  /**
   * The host app's own custom fields per entity, each a validator of the host's library that
   * implements Standard Schema (zod, valibot, ArkType, …), bare or with labels, remote names for
   * sync and a conversion type. Records then carry them in `fields`, typed from the declaration;
   * writes validate them (an undeclared field or a bad value is a `CrmValidationError` naming
   * `fields.<name>`), and lists filter by them (`list({ fields: { tier: 'gold' } })`). See
   * docs/fields.md.
   * @example
   * ```ts
   * import * as z from 'zod'
   * fields: {
   *   customers: { tier: { schema: z.enum(['gold', 'silver', 'bronze']), labels: { en: 'Tier', it: 'Livello' }, remote: { hubspot: 'crm_tier' } } },
   *   complaints: { serial: z.string().regex(/^[A-Z0-9-]{4,32}$/) },
   * }
   * ```
   */
  fields?: F;
}

/**
 * Whether `F` is the wide {@link FieldsDeclaration}: a CRM made without a `fields` option, or a
 * `Crm` typed without one. Its records carry `fields` as untyped JSON (and a CRM without a
 * declaration refuses every field at run time).
 */
type Untyped<F> = FieldsDeclaration extends F ? true : false;
/** The declaration of entity `E` in `F`. */
type EntityDeclaration<F, E extends EntityName> = E extends keyof F ? F[E] : undefined;
/** Replaces the `fields` of `T` by `Fields`. */
type WithFields<T, Fields> = Omit<T, 'fields'> & { fields?: Fields };

/**
 * A stored record of entity `E` as a CRM declared with `F` returns it: `fields` typed by the
 * declaration (each field optional: records written before it was declared lack it).
 */
export type CrmRecord<E extends EntityName, F extends FieldsDeclaration = FieldsDeclaration> =
  Untyped<F> extends true ? EntityRecords[E] : WithFields<EntityRecords[E], FieldValuesOf<EntityDeclaration<F, E>>>;

/** The input of `crm.customers.create` with the declared fields. */
export type CrmCustomerInput<F extends FieldsDeclaration = FieldsDeclaration> =
  Untyped<F> extends true ? CustomerInput : WithFields<CustomerInput, FieldInputsOf<EntityDeclaration<F, 'customers'>>>;
/** The patch of `crm.customers.update` with the declared fields (`null` removes one). */
export type CrmCustomerPatch<F extends FieldsDeclaration = FieldsDeclaration> =
  Untyped<F> extends true ? CustomerPatch : WithFields<CustomerPatch, FieldPatchOf<EntityDeclaration<F, 'customers'>>>;
/** The input of `crm.touchpoints.log` with the declared fields. */
export type CrmTouchpointInput<F extends FieldsDeclaration = FieldsDeclaration> =
  Untyped<F> extends true ? TouchpointInput : WithFields<TouchpointInput, FieldInputsOf<EntityDeclaration<F, 'touchpoints'>>>;
/** The input of `crm.complaints.open` with the declared fields, on the complaint and on its touchpoint. */
export type CrmComplaintInput<F extends FieldsDeclaration = FieldsDeclaration> =
  Untyped<F> extends true
    ? ComplaintOpenInput
    : Omit<ComplaintOpenInput, 'fields' | 'touchpoint'> & {
        fields?: FieldInputsOf<EntityDeclaration<F, 'complaints'>>;
        touchpoint?: WithFields<NonNullable<ComplaintOpenInput['touchpoint']>, FieldInputsOf<EntityDeclaration<F, 'touchpoints'>>>;
      };
/** A list query of entity `E` with equality filters on the declared fields. */
export type CrmListQuery<E extends EntityName, F extends FieldsDeclaration = FieldsDeclaration> = Untyped<F> extends true
  ? { customers: CustomerQuery; touchpoints: TouchpointQuery; complaints: ComplaintQuery }[E]
  : WithFields<{ customers: CustomerQuery; touchpoints: TouchpointQuery; complaints: ComplaintQuery }[E], FieldFilterOf<EntityDeclaration<F, E>>>;
/** What `setFields` takes for entity `E`: declared fields, `null` to remove one. */
export type CrmFieldsPatch<E extends EntityName, F extends FieldsDeclaration = FieldsDeclaration> =
  Untyped<F> extends true ? { readonly [name: string]: unknown } : FieldPatchOf<EntityDeclaration<F, E>>;

/** An event handler: gets the event's one payload object. */
export type CrmEventHandler<E extends CrmEventName> = (payload: CrmEvents[E]) => void;

/**
 * A CRM: services over a store, with typed events. Made by {@link createCrm}. `F` is the custom
 * fields declaration (`createCrm({ fields })`), from which records' `fields` are typed
 * ({@link TypedCrm}); a plain `Crm` carries them as untyped JSON ({@link UntypedCrm}), and every
 * `Crm<F>` can be passed where a plain `Crm` is expected.
 */
export type Crm<F extends FieldsDeclaration = FieldsDeclaration> = Untyped<F> extends true ? UntypedCrm : TypedCrm<F>;

/** A {@link Crm} whose services type the custom fields declared with `F`. */
export type TypedCrm<F extends FieldsDeclaration> = Omit<UntypedCrm, 'customers' | 'touchpoints' | 'complaints'> & {
  /** Customers and prospects. */
  readonly customers: CustomerService<
    CrmRecord<'customers', F>,
    CrmCustomerInput<F>,
    CrmCustomerPatch<F>,
    CrmListQuery<'customers', F>,
    CrmRecord<'complaints', F>,
    CrmRecord<'touchpoints', F>
  >;
  /** Contacts with customers. */
  readonly touchpoints: TouchpointService<CrmRecord<'touchpoints', F>, CrmTouchpointInput<F>, CrmListQuery<'touchpoints', F>, CrmFieldsPatch<'touchpoints', F>>;
  /** Complaints and their lifecycle. */
  readonly complaints: ComplaintService<CrmRecord<'complaints', F>, CrmComplaintInput<F>, CrmListQuery<'complaints', F>, CrmFieldsPatch<'complaints', F>>;
};

/** A {@link Crm} made without a `fields` declaration, or seen without one: custom fields are untyped JSON. */
export interface UntypedCrm extends Analytics {
  /** Customers and prospects. */
  readonly customers: CustomerService;
  /** Contacts with customers. */
  readonly touchpoints: TouchpointService;
  /** Complaints and their lifecycle. */
  readonly complaints: ComplaintService;
  /**
   * A customer's touchpoints and complaint activity merged, newest first, a page at a time.
   *
   * @example
   * ```ts
   * const { items, nextCursor } = await crm.history(customerId, { limit: 20 })
   * ```
   */
  readonly history: HistoryFn;
  /** SLA status of complaints, and the scheduler of `sla.*` events (start it with `crm.sla.start()`). */
  readonly sla: SlaService;
  /** May we contact this customer now, on this channel? The contact-frequency policy. */
  readonly contactPolicy: ContactPolicyService;
  /** The declared custom fields (`createCrm({ fields })`): their labels, and the records that no longer fit them. */
  readonly fields: FieldsService;
  /** The staff directory given to `createCrm` (empty when none was given). */
  readonly staff: readonly Staff[];
  /** The store this CRM writes to. */
  readonly store: CrmStore;
  /** The clock this CRM reads. */
  readonly clock: Clock;
  /**
   * Calls `handler` each time `event` happens, after the write is stored. Returns a function
   * that removes the handler.
   *
   * @example
   * ```ts
   * const off = crm.on('complaint.opened', ({ complaint }) => notify(complaint.ownerId))
   * ```
   */
  on<E extends CrmEventName>(event: E, handler: CrmEventHandler<E>): () => void;
  /** Like {@link Crm.on}, for the next occurrence only. */
  once<E extends CrmEventName>(event: E, handler: CrmEventHandler<E>): () => void;
  /** Removes a handler added with `on` or `once`. */
  off<E extends CrmEventName>(event: E, handler: CrmEventHandler<E>): void;
  /**
   * Calls `listener` with the changes of each atomic write to the store, in feed order, whoever
   * made it: this CRM, another process on the same database, another client of the same API, a
   * sync. All listeners (and the CRM's events, and the observers of `@crm/core`'s `observe/`)
   * share one subscription to the store, opened with the first and closed with the last.
   * Changes carry `writeId`, `at` and `origin`. Returns the function that stops the calls.
   *
   * @example
   * ```ts
   * const stop = crm.subscribe((changes) => {
   *   if (changes[0]?.origin === 'sync:hubspot') return // our own sync's writes
   *   for (const change of changes) console.log(change.entity, change.op, change.id)
   * })
   * ```
   */
  subscribe(listener: ChangeListener): () => void;
  /** Removes all handlers and closes the store. */
  close(): Promise<void>;
}

interface NormalizedOptions {
  store: CrmStore;
  clock: Clock;
  ids: IdGenerator;
  staff: Staff[] | null;
  policies: SlaPolicy[];
  calendars: Map<string, BusinessCalendar>;
  contactPolicy: ContactPolicy | null;
  kpiTargets: Partial<Record<KpiName, number>>;
  routing: RoutingFunction | null;
  origin: string;
  pollIntervalMs: number;
  fields: FieldRegistry;
}

const KNOWN_OPTIONS = new Set([
  'store',
  'clock',
  'ids',
  'staff',
  'slaPolicies',
  'contactPolicy',
  'kpiTargets',
  'routing',
  'signals',
  'origin',
  'pollIntervalMs',
  'fields',
]);
const StaffListSchema = list(StaffSchema, 10_000);

/** Checks and fills `createCrm`'s options once, with messages that name the option. */
function normalizeOptions(options: CrmOptions): NormalizedOptions {
  if (options === null || typeof options !== 'object') {
    throw CrmValidationError.field('createCrm options', [], 'expected an object');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw CrmValidationError.field('createCrm options', [key], 'unknown option', 'unknown_field');
  }
  const { store = memoryStore(), clock = systemClock } = options;
  for (const method of ['get', 'list', 'write', 'history', 'changes', 'close'] as const) {
    if (typeof store?.[method] !== 'function') {
      throw CrmValidationError.field('createCrm options', ['store', method], 'a CrmStore must implement this method');
    }
  }
  const capabilities = store.capabilities as unknown;
  if (capabilities === null || typeof capabilities !== 'object') {
    throw CrmValidationError.field('createCrm options', ['store', 'capabilities'], 'a CrmStore must declare its capabilities ({ subscribe, sharedFeed, delete, maxWriteOps })');
  }
  if (store.capabilities.subscribe && typeof store.subscribe !== 'function') {
    throw CrmValidationError.field('createCrm options', ['store', 'subscribe'], 'the store declares capabilities.subscribe but has no subscribe method');
  }
  let origin: string;
  try {
    origin = checkWriteOptions({ origin: options.origin ?? 'app' });
  } catch {
    throw CrmValidationError.field('createCrm options', ['origin'], 'must be 1–64 letters, digits or ":._-", starting with a letter or digit');
  }
  const { pollIntervalMs = 1000 } = options;
  if (!(Number.isFinite(pollIntervalMs) && pollIntervalMs >= 10)) {
    throw CrmValidationError.field('createCrm options', ['pollIntervalMs'], 'must be a number of milliseconds, 10 or more');
  }
  if (typeof clock?.now !== 'function')
    throw CrmValidationError.field('createCrm options', ['clock', 'now'], 'expected a function returning a Date');
  if (options.ids !== undefined && typeof options.ids !== 'function') {
    throw CrmValidationError.field('createCrm options', ['ids'], 'expected a function returning a new id');
  }
  const ids = options.ids ?? ulidGenerator(clock === systemClock ? Date.now : () => clock.now().getTime());
  let staff: Staff[] | null = null;
  if (options.staff !== undefined) {
    staff = parseOrThrow(StaffListSchema, options.staff, 'createCrm options.staff');
    const seen = new Set<string>();
    staff.forEach((member, i) => {
      if (seen.has(member.id)) throw CrmValidationError.field('createCrm options', ['staff', i, 'id'], `duplicate staff id "${member.id}"`);
      seen.add(member.id);
    });
  }
  const { policies, calendars } =
    options.slaPolicies === undefined
      ? { policies: [], calendars: new Map<string, BusinessCalendar>() }
      : parsePolicies(options.slaPolicies, staff && new Map(staff.map((member) => [member.id, member])));
  const contactPolicy =
    options.contactPolicy === undefined
      ? null
      : parseOrThrow(ContactPolicySchema, options.contactPolicy, 'createCrm options.contactPolicy');
  const { routing = defaultRouting } = options;
  if (routing !== false && typeof routing !== 'function') {
    throw CrmValidationError.field('createCrm options', ['routing'], 'expected a function returning { ownerId, reasons } (or null), or false');
  }
  const kpiTargets = options.kpiTargets === undefined ? {} : parseKpiTargets(options.kpiTargets);
  const fields = fieldRegistry(options.fields);
  return { store, clock, ids, staff, policies, calendars, contactPolicy, kpiTargets, routing: routing || null, origin, pollIntervalMs, fields };
}

/**
 * Creates a CRM. With no options it keeps records in memory; pass a `store` to keep them
 * elsewhere (SQL, REST), a `clock` to control time, and `staff` to check owners and actors.
 *
 * @example
 * ```ts
 * import { createCrm } from '@crm/core'
 *
 * const crm = createCrm()
 * const customer = await crm.customers.create({ name: 'Sam Lee', emails: ['sam@example.com'] })
 * await crm.touchpoints.log({ customerId: customer.id, channel: 'call', direction: 'inbound', outcome: 'resolved' })
 * const { items } = await crm.history(customer.id)
 * ```
 */
export function createCrm<F extends FieldsDeclaration = FieldsDeclaration>(options: CrmOptions<F> = {}): Crm<F> {
  const { store, clock, ids, staff, policies, calendars, contactPolicy, kpiTargets, routing, origin, pollIntervalMs, fields } =
    normalizeOptions(options);
  const signals = normalizeSignals(options.signals);
  const emitter: Emitter = new EventEmitter();

  const emitNow = <E extends CrmEventName>(event: E, payload: CrmEvents[E]) => {
    if (emitter.listenerCount(event) === 0) return;
    for (const listener of emitter.listeners(event) as CrmEventHandler<E>[]) {
      try {
        listener(payload);
      } catch (error) {
        if (event !== 'error' && emitter.listenerCount('error') > 0) emitNow('error', { error, event });
        else
          (globalThis as { console?: { error(...data: unknown[]): void } }).console?.error(`@crm/core: a "${event}" handler threw`, error);
      }
    }
  };

  // The services' own writes carry this CRM's origin, and so do their events.
  const emit: ServiceContext['emit'] = (event, payload) => {
    if (emitter.listenerCount(event) === 0) return;
    const given = payload as object;
    const withOrigin = 'origin' in given || event.startsWith('sla.') || event === 'error' ? given : { ...given, origin };
    emitNow(event, withOrigin as never);
  };

  // One subscription to the store's feed, shared by the events of writes made elsewhere,
  // `crm.subscribe` and the observers; open while anything listens.
  const memory = activityMemory();
  const hub = feedHub({
    store,
    pollIntervalMs,
    onError: (error) => emitNow('error', { error, event: 'feed' }),
    onWrite(changes, local) {
      if (local) {
        for (const change of changes) if (change.entity === 'complaints' && change.record) memory.seen(change.record);
        return;
      }
      for (const [event, payload] of eventsOfWrite(changes, memory)) emitNow(event, payload as never);
    },
  });
  let eventHold: (() => void) | null = null;
  const watchEvents = () => {
    const listening = emitter.eventNames().some((name) => name !== 'error' && !String(name).startsWith('sla.'));
    if (listening && !eventHold) eventHold = hub.hold();
    else if (!listening && eventHold) {
      eventHold();
      eventHold = null;
    }
  };
  const serviceStore: CrmStore = {
    get kind() {
      return store.kind;
    },
    get capabilities() {
      return store.capabilities;
    },
    get: (entity, id) => store.get(entity, id),
    list: (entity, query) => store.list(entity, query),
    history: (customerId, query) => store.history(customerId, query),
    changes: (query) => store.changes(query),
    // The hot path (no one follows the feed, the default origin) adds no promise and no object.
    write: (ops, writeOptions) => {
      const given = writeOptions === undefined && origin === 'app' ? undefined : { origin, ...writeOptions };
      return hub.active ? hub.write(ops, given) : store.write(ops, given);
    },
    ...(store.subscribe ? { subscribe: (listener: ChangeListener) => store.subscribe!(listener) } : {}),
    close: () => store.close(),
  };

  const rules = slaRules(policies, calendars);
  const ctx: ServiceContext = {
    store: serviceStore,
    clock,
    newId: ids,
    staff: staff ? new Map(staff.map((member) => [member.id, member])) : null,
    sla: policies.length ? rules : null,
    complaintWritten: hook(),
    subscribe: (listener) => hub.subscribe(listener),
    nowIso: isoClock(clock),
    quietCalendars: quietCalendars(),
    contactPolicy,
    routing,
    origin,
    fields,
    emit,
  };
  const sla = slaService(ctx, rules);

  // Listeners are called through `emit` above, one by one, so eventemitter3's own emit is unused.
  const onceWrappers = new WeakMap<(...args: never[]) => void, (...args: never[]) => void>();
  // The services work on untyped fields; the declaration's types are the caller's view of them.
  const crm: UntypedCrm = {
    customers: customerService(ctx),
    touchpoints: touchpointService(ctx, signals),
    complaints: complaintService(ctx),
    history: historyService(ctx),
    sla,
    contactPolicy: contactPolicyService(ctx, contactPolicy),
    ...analytics({
      store,
      clock,
      staff: ctx.staff,
      targets: kpiTargets,
      briefOf: rules.briefOf,
      calendarOf: (complaint) => (complaint.slaPolicyId === undefined ? null : calendars.get(complaint.slaPolicyId) ?? null),
    }),
    fields: fieldsService(fields, store),
    staff: staff ?? [],
    store,
    clock,
    on(event, handler) {
      emitter.on(event, handler as never);
      watchEvents();
      return () => {
        emitter.off(event, handler as never);
        watchEvents();
      };
    },
    once(event, handler) {
      const wrapper = ((payload: never) => {
        emitter.off(event, wrapper as never);
        watchEvents();
        (handler as (payload: never) => void)(payload);
      }) as never;
      onceWrappers.set(handler as never, wrapper);
      emitter.on(event, wrapper);
      watchEvents();
      return () => {
        emitter.off(event, wrapper);
        watchEvents();
      };
    },
    off(event, handler) {
      emitter.off(event, (onceWrappers.get(handler as never) ?? handler) as never);
      emitter.off(event, handler as never);
      watchEvents();
    },
    subscribe: (listener) => hub.subscribe(listener),
    async close() {
      sla.stop();
      emitter.removeAllListeners();
      eventHold?.();
      eventHold = null;
      hub.close();
      await store.close();
    },
  };
  return crm as Crm<F>;
}
