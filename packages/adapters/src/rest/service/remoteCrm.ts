// Values from the error classes alone: the main entry of @crm/core would bring its schemas along.
import { CrmError, CrmNotFoundError, CrmValidationError } from '@crm/core/errors';
// The declaration read without checks or schemas (the server validates): labels and types, in a browser.
import { fieldCatalog, fieldsService, type FieldsDeclaration } from '@crm/core/fields';
import type {
  Change,
  ChangeListener,
  Clock,
  Complaint,
  ContactCheck,
  Crm,
  UntypedCrm,
  CrmEventHandler,
  CrmEventName,
  CrmEvents,
  Customer,
  CustomerHealth,
  CustomerOverview,
  HistoryItem,
  KpiReport,
  Page,
  SlaStatus,
  StaleCustomer,
  Touchpoint,
} from '@crm/core';
import { sleep } from '../../http/retry.js';
import { apiClient, type ApiClientOptions, type FollowedStream } from '../apiClient.js';
import type { RestHeaders, RestRetryOptions } from '../apiClient.js';
import { remoteEvents } from './remoteEvents.js';

/** Options of {@link remoteCrm}. */
export interface RemoteCrmOptions<F extends FieldsDeclaration = FieldsDeclaration> {
  /**
   * Where the API served by `createCrmHandler` is mounted.
   * @example 'https://crm.example.com/api/crm'
   */
  baseUrl: string | URL;
  /**
   * Headers for every request, typically the credentials the server's `authorize` checks; a
   * function is called before each request (and each reconnection of the event stream), so
   * tokens can be refreshed.
   * @example () => ({ authorization: `Bearer ${session.token}` })
   */
  headers?: RestHeaders;
  /**
   * The `fetch` to use.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /**
   * How long to wait for a response's headers, in milliseconds, per attempt.
   * @default 10_000
   */
  timeoutMs?: number;
  /**
   * Retries of reads (`GET`) that failed on the network or with a retryable status (408, 413,
   * 429, 5xx), after the shared retry policy. Writes are never retried: a write whose answer was
   * lost fails with a `CrmRemoteError` (status 0), and may or may not have been made. A number
   * sets `limit`; `false` turns retries off.
   * @default { limit: 2, baseMs: 300, maxMs: 30_000 }
   */
  retry?: RestRetryOptions | number | false;
  /**
   * The clock of `crm.clock` (what observers read, for instance to tick an SLA display).
   * @default the system clock
   */
  clock?: Clock;
  /**
   * The custom fields declaration the server's CRM was made with (`createCrm({ fields })`), for
   * the types of records' `fields` and for `crm.fields` (labels, remote names). The server
   * validates; the client sends what it is given. Optional: without it, fields are untyped JSON
   * and `crm.fields` lists none.
   */
  fields?: F;
}

const SERVER_SIDE = (what: string) =>
  new CrmError(`remoteCrm: ${what} runs on the server, behind createCrmHandler, not in a client; nothing was started here`);

const isoOf = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

/** A query string the way the handler reads it: lists repeated, `system:id` for an external id, custom fields as JSON, instants as ISO 8601. */
function paramsOf(query: object | undefined): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) params.append(name, '');
      for (const item of value) params.append(name, String(item));
    } else if (name === 'fields' && typeof value === 'object') {
      params.append(name, JSON.stringify(value));
    } else if (name === 'externalId' && typeof value === 'object') {
      params.append(name, `${(value as { system: string }).system}:${(value as { id: string }).id}`);
    } else params.append(name, String(isoOf(value)));
  }
  return params;
}

const date = (value: string | null | undefined) => (value === null || value === undefined ? null : new Date(value));

/** An SLA status as JSON carries it, with its instants as `Date`s again. */
function slaStatusOf(json: SlaStatus): SlaStatus {
  const targets: SlaStatus['targets'] = {};
  type Wire = Record<'dueAt' | 'warningAt' | 'startedAt' | 'stoppedAt', string | null>;
  for (const [name, t] of Object.entries(json.targets) as [keyof SlaStatus['targets'], SlaStatus['targets'][keyof SlaStatus['targets']] & object][]) {
    const wire = t as unknown as Wire;
    targets[name] = { ...t, dueAt: date(wire.dueAt), warningAt: date(wire.warningAt), startedAt: date(wire.startedAt)!, stoppedAt: date(wire.stoppedAt) };
  }
  return { ...json, at: new Date(json.at), targets };
}

/**
 * A {@link Crm} over HTTP: the same interface as `createCrm`'s, served by `createCrmHandler`,
 * so an app — and the widgets of `@crm/react` — use a local CRM or a server the same way. For
 * browsers: it carries no schemas and no server code (11.6 kB min+gzip with ky).
 *
 * - Every method is a request; the server validates, routes, applies SLA policies and the
 *   contact policy, and runs the SLA scheduler. Errors come back as the same `CrmError`
 *   subclasses (`CrmValidationError` with its issues, `CrmNotFoundError`, `CrmConflictError`,
 *   `CrmPolicyError`); a refusal of the server's roles is a `CrmError` with code `FORBIDDEN`;
 *   anything else is a `CrmRemoteError` with the status. Reads are retried after the shared
 *   policy, writes never.
 * - `subscribe`, `on` and `once` are fed by the server's event stream (`GET /events`, opened
 *   with the first listener, closed with the last), which reconnects with `Last-Event-ID` so no
 *   write is missed across a dropped connection. Events arrive a moment after the write (even
 *   one made by this client); `sla.warning`, `sla.breached` and `sla.met` come from the crossings
 *   the server's scheduler records. A stream the server can no longer resume (its feed was
 *   trimmed) restarts at the live end and tells `error` handlers (`event: 'feed'`).
 * - What only the server has is explicit: `sla.start()` rejects with a `CrmError` (the scheduler
 *   runs on the server), `sla.statusOf` throws (use `sla.status`, which asks the server), and
 *   reading `store` throws a `CrmError`: a remote CRM reaches records only through the service
 *   API (for raw records, a trusted backend uses `restStore`). `staff` and `sla.policies` are
 *   empty and `contactPolicy.policy` is `null`: they live on the server.
 *
 * @example
 * ```ts
 * import { remoteCrm } from '@crm/adapters/rest'
 *
 * const crm = remoteCrm({ baseUrl: 'https://crm.example.com/api/crm', headers: () => ({ authorization: `Bearer ${token}` }) })
 * const complaint = await crm.complaints.open({ customerId: me.id, subject: 'Parcel arrived damaged', channel: 'self_service' })
 * crm.on('complaint.status_changed', ({ complaint, to }) => show(complaint.id, to))
 * ```
 */
export function remoteCrm<F extends FieldsDeclaration = FieldsDeclaration>(options: RemoteCrmOptions<F>): Crm<F> {
  const api = apiClient(options as ApiClientOptions, 'remoteCrm');
  const clock: Clock = options.clock ?? { now: () => new Date() };
  if (typeof clock.now !== 'function') throw new TypeError('remoteCrm: `clock` must have a now() method');

  // ----- Listeners and the event stream behind them -----
  const listeners = new Set<ChangeListener>();
  const handlers = new Map<CrmEventName, Set<(payload: never) => void>>();
  const onceWrappers = new WeakMap<object, (payload: never) => void>();
  let stream: FollowedStream | null = null;

  const report = (error: unknown, event: string) => {
    const catchers = handlers.get('error');
    if (event !== 'error' && catchers?.size) emit('error', { error, event });
    else (globalThis as { console?: Console }).console?.error(`remoteCrm: a "${event}" listener failed`, error);
  };
  function emit<E extends CrmEventName>(event: E, payload: CrmEvents[E]): void {
    for (const handler of [...(handlers.get(event) ?? [])]) {
      try {
        (handler as CrmEventHandler<E>)(payload);
      } catch (error) {
        report(error, event);
      }
    }
  }

  const derive = remoteEvents();
  const deliver = (changes: readonly Change[]) => {
    for (const [event, payload] of derive(changes)) emit(event, payload as never);
    for (const listener of [...listeners]) {
      try {
        listener(changes);
      } catch (error) {
        report(error, 'subscribe');
      }
    }
  };

  const listening = () => listeners.size > 0 || [...handlers].some(([event, set]) => event !== 'error' && set.size > 0);

  const watch = () => {
    if (listening() && !stream && !api.closed) {
      stream = api.follow(
        'events',
        (message) => message.event === 'changes' && deliver(JSON.parse(message.data) as Change[]),
        (error) => report(error, 'feed'),
      );
    } else if (!listening() && stream) {
      stream.stop();
      stream = null;
    }
  };

  // ----- Requests -----
  const get = <T>(path: string, query?: object) => api.call<T>('GET', path, { params: paramsOf(query) });
  /** A write: once the event stream (if one is being opened) listens, so its listeners hear the write. */
  const write = async <T>(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<T> => {
    if (stream) {
      // The wait's timer ends with it: one left running would hold a process open.
      const waited = new AbortController();
      const onClose = () => waited.abort();
      api.signal.addEventListener('abort', onClose);
      try {
        await Promise.race([stream.ready, sleep(api.timeoutMs, waited.signal)]);
      } finally {
        api.signal.removeEventListener('abort', onClose);
        waited.abort();
      }
    }
    return api.call<T>(method, path, { body: body ?? {} });
  };
  const SINGULAR = { customers: 'customer', touchpoints: 'touchpoint', complaints: 'complaint', suggestions: 'touchpoint' } as const;
  /** `entity/id`, with the id checked as the CRM checks it (no request for an id no record can have). */
  const at = (entity: keyof typeof SINGULAR, id: unknown, rest = '') => {
    if (typeof id !== 'string' || id === '') throw CrmValidationError.field(`${SINGULAR[entity]} id`, ['id'], 'expected a non-empty string');
    if (id === '.' || id === '..') throw new CrmNotFoundError(SINGULAR[entity], id);
    return `${entity}/${encodeURIComponent(id)}${rest}`;
  };
  const complaintCommand = (name: string) => (id: string, body: unknown) => write<Complaint>('POST', at('complaints', id, `/${name}`), body);

  const crm: Omit<UntypedCrm, 'store'> = {
    customers: {
      create: (input) => write<Customer>('POST', 'customers', input),
      createMany: (inputs, options) => write<Customer[]>('POST', 'customers/batch', { inputs, ...options }),
      erase: async (id, options) => write('POST', at('customers', id, '/erase'), options),
      get: async (id) => get<Customer>(at('customers', id)),
      update: async (id, patch, options) => write<Customer>('PATCH', at('customers', id), { patch, ...options }),
      list: (query) => get<Page<Customer>>('customers', query),
      findByEmail: (email) => get<Customer[]>('customers/by-email', { email }),
      overview: async (id) => get<CustomerOverview>(at('customers', id, '/overview')),
      stale: (query) => get<Page<StaleCustomer>>('customers/stale', query),
    },
    touchpoints: {
      log: (input) => write<Touchpoint>('POST', 'touchpoints', input),
      logMany: (inputs, options) => write<Touchpoint[]>('POST', 'touchpoints/batch', { inputs, ...options }),
      get: async (id) => get<Touchpoint>(at('touchpoints', id)),
      list: (query) => get<Page<Touchpoint>>('touchpoints', query),
      setFields: async (id, fields, options) => write<Touchpoint>('POST', at('touchpoints', id, '/fields'), { ...options, fields }),
    },
    complaints: {
      open: (input) => write<Complaint>('POST', 'complaints', input),
      get: async (id) => get<Complaint>(at('complaints', id)),
      list: (query) => get<Page<Complaint>>('complaints', query),
      respond: async (id, input) => complaintCommand('respond')(id, input),
      assign: async (id, ownerId, options) => complaintCommand('assign')(id, { ...options, ownerId }),
      setStatus: async (id, status, options) => complaintCommand('status')(id, { ...options, status }),
      resolve: async (id, options) => complaintCommand('resolve')(id, options),
      reopen: async (id, options) => complaintCommand('reopen')(id, options),
      setPriority: async (id, priority, options) => complaintCommand('priority')(id, { ...options, priority }),
      rate: async (id, score, options) => complaintCommand('rating')(id, { ...options, score }),
      addNote: async (id, note, options) => complaintCommand('notes')(id, { ...options, note }),
      setFields: async (id, fields, options) => complaintCommand('fields')(id, { ...options, fields }),
      suggestions: (query) => get<Page<Touchpoint>>('suggestions', query),
      acceptSuggestion: async (id, options) => write<Complaint>('POST', at('suggestions', id, '/accept'), options),
      dismissSuggestion: async (id, options) => write<Touchpoint>('POST', at('suggestions', id, '/dismiss'), options),
    },
    history: async (customerId, query) => get<Page<HistoryItem>>(at('customers', customerId, '/history'), query),
    sla: {
      policies: [],
      status: async (complaintId, when) => slaStatusOf(await get<SlaStatus>(at('complaints', complaintId, '/sla'), { at: when })),
      statusOf() {
        throw SERVER_SIDE('SLA status from a complaint record (sla.statusOf; ask the server with sla.status)');
      },
      start: async () => {
        throw SERVER_SIDE('The SLA scheduler (sla.start)');
      },
      stop() {},
      idle: async () => {},
      running: false,
      tracked: 0,
    },
    contactPolicy: {
      policy: null,
      async check(customerId, options) {
        const query = { channel: options?.channel, at: options?.at };
        const check = await get<ContactCheck & { allowedAt?: string | null }>(at('customers', customerId, '/contact-check'), query);
        return check.allowed ? check : { ...check, allowedAt: date(check.allowedAt) };
      },
    },
    kpis: (query) => get<KpiReport>('kpis', query),
    health: async (customerId) => get<CustomerHealth>(at('customers', customerId, '/health')),
    atRisk: (query) => get<CustomerHealth[]>('at-risk', query),
    fields: fieldsService(fieldCatalog(options.fields), null),
    staff: [],
    clock,

    on(event, handler) {
      if (api.closed) throw api.closedError();
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler as never);
      watch();
      return () => crm.off(event, handler);
    },
    once(event, handler) {
      const wrapper = (payload: never) => {
        crm.off(event, handler);
        (handler as (payload: never) => void)(payload);
      };
      onceWrappers.set(handler, wrapper);
      return crm.on(event, wrapper as never);
    },
    off(event, handler) {
      const set = handlers.get(event);
      set?.delete(handler as never);
      const wrapper = onceWrappers.get(handler);
      if (wrapper) set?.delete(wrapper);
      watch();
    },
    subscribe(listener) {
      if (api.closed) throw api.closedError();
      listeners.add(listener);
      watch();
      return () => {
        listeners.delete(listener);
        watch();
      };
    },
    async close() {
      listeners.clear();
      handlers.clear();
      watch();
      api.close();
    },
  };
  // Records live on the server, behind the service API: there is no store to reach from here.
  Object.defineProperty(crm, 'store', {
    enumerable: false,
    get() {
      throw new CrmError(
        'remoteCrm has no store: a remote CRM reaches records only through the service API (createCrmHandler). A trusted backend that needs raw records uses restStore with createRestHandler',
      );
    },
  });
  return crm as Crm<F>;
}
