/**
 * `hubspotAdapter`: HubSpot as a {@link SyncRemote} for {@link createSync}.
 *
 * - Customers ↔ contacts and complaints ↔ tickets are written with `batch/upsert` on a unique
 *   property holding our record id (`crm_record_id`), so a replayed send updates instead of
 *   duplicating. A contact whose email HubSpot already has (409 `Existing ID: n`) is linked to
 *   that contact instead.
 * - Touchpoints ↔ calls, emails, meetings and notes are written with `batch/create` (an
 *   `objectWriteTraceId` per input, so one bad record fails alone) with their associations inline.
 *   HubSpot has no unique property on engagements, so an in-doubt create is looked up before it
 *   is sent again: by search, and where search finds nothing, by a consistent read of the
 *   contact's associations (search lags behind writes; the associations don't).
 * - Pulls page through a fixed time window by record id (never past the 10,000-result cap of a
 *   search) and list the archived records for deletes.
 *
 * @module
 */
import { CrmRemoteError, isCrmError, type Complaint, type Customer, type Touchpoint } from '@crm/core';
import type { RemoteHttp, RemoteRequest } from '../http/remoteHttp.js';
import type {
  ArchiveInput,
  LookupResult,
  PulledRecord,
  PullPage,
  PushInput,
  PushOutcome,
  SetupReport,
  SyncEntity,
  SyncFailure,
  SyncRemote,
} from '../sync/contract.js';
import { hubspotHttp, type HubSpotHttpOptions } from './http.js';
import {
  ASSOCIATION_TYPES,
  DETAIL_PROPERTY,
  ENGAGEMENT_TYPES,
  MappingError,
  complaintData,
  contactProperties,
  customerData,
  engagementOf,
  engagementRemoteId,
  engagementTypes,
  entityOfType,
  lastModifiedProperty,
  objectTypesOf,
  parseRemoteId,
  propertiesToRead,
  resolveMapping,
  ticketProperties,
  touchpointData,
  type EngagementType,
  type HubSpotMappingOptions,
  type HubSpotObject,
  type HubSpotObjectType,
  type ResolvedMapping,
} from './mapping.js';

/** Options of {@link hubspotAdapter}: how to reach HubSpot (or an `http` client of your own), the field mapping, and the pull's windows. */
export interface HubSpotAdapterOptions extends HubSpotHttpOptions, HubSpotMappingOptions {
  /** A HubSpot HTTP client made with `hubspotHttp` (to share its rate limiter); then `accessToken`/`oauth` are not needed. */
  http?: RemoteHttp;
  /** The remote's name in the sync state and in origins (`sync:<name>`). @default 'hubspot' */
  name?: string;
  /**
   * How far each incremental pull reaches back before the previous one's end, in milliseconds:
   * HubSpot's search shows a change only "a few moments" after it was made, with no documented
   * bound, and a change indexed later than this after it was made is only seen when the record
   * changes again. @default 300_000 (5 minutes)
   */
  overlapMs?: number;
  /**
   * How long after an engagement was sent a look-up that finds it neither by search nor in its
   * contact's associations still says "unknown" (ask again later) rather than "absent" (send it).
   * @default 30_000
   */
  lookupSettleMs?: number;
  /** Records per search page (HubSpot allows at most 200). @default 200 */
  pageSize?: number;
  /** Object types where `idProperty` is unique (upserts are safe there). `setup()` finds out and sets this. @default ['contacts', 'tickets'] */
  uniqueTypes?: HubSpotObjectType[];
  /** Property groups the adapter's own properties are created in by `setup()`. */
  propertyGroups?: Partial<Record<HubSpotObjectType, string>>;
  /** The clock (milliseconds), for the pull's windows. @default Date.now */
  now?: () => number;
}

/** HubSpot as a sync remote, with its HTTP client and `setup()`. */
export interface HubSpotAdapter extends SyncRemote {
  readonly name: string;
  /** The HTTP client (its `stats()` count requests, retries and 429s). */
  readonly http: RemoteHttp;
  /** The field mapping in force, defaults filled in. */
  readonly mapping: Readonly<ResolvedMapping>;
  /** Creates the adapter's properties (`crm_record_id`, unique where HubSpot allows, and `crm_detail`) where they are missing. */
  setup(options?: { signal?: AbortSignal }): Promise<SetupReport>;
}

interface HubSpotError {
  status?: string;
  category?: string;
  message?: string;
  context?: Record<string, string[] | undefined>;
  errors?: { message?: string; code?: string }[];
}

interface BatchResult extends HubSpotObject {
  new?: boolean;
  objectWriteTraceId?: string;
}

interface BatchBody {
  results?: BatchResult[];
  errors?: HubSpotError[];
}

interface SearchBody {
  total?: number;
  results?: HubSpotObject[];
  paging?: { next?: { after?: string } };
}

interface ListBody {
  results?: HubSpotObject[];
  paging?: { next?: { after?: string } };
}

interface AssociationsBody {
  results?: { from?: { id?: string | number }; to?: { toObjectId?: string | number }[]; paging?: { next?: { after?: string } } }[];
}

/** Where an incremental pull of one object type stands. */
interface TypeCursor {
  /** Changes up to this time (ms) have been read (`null`: nothing read yet). */
  watermark: number | null;
  /** The window being read: last-modified from `from` to `to`, records with ids above `afterId`. */
  window?: { from: number; to: number; afterId: string };
  /** Archived records are listed again from the start each pull; those archived before this (ms) were seen. */
  archivedSeen?: number;
  /** The archived listing's paging position, while a listing is under way (with the time it started). */
  archived?: { after: string; startedAt: number };
}

interface PullCursor {
  v: 1;
  types: Partial<Record<HubSpotObjectType, TypeCursor>>;
}

const BATCH = 100;
const MAX_SEARCH_PAGE = 200;
const ASSOCIATION_READ_BATCH = 1000;
/** Room for ids in one search body (HubSpot takes 3,000 characters in all). */
const SEARCH_IDS_CHARS = 2_600;
const DEFAULT_GROUPS: Record<HubSpotObjectType, string> = {
  contacts: 'contactinformation',
  tickets: 'ticketinformation',
  calls: 'callinformation',
  emails: 'emailinformation',
  meetings: 'meetinginformation',
  notes: 'noteinformation',
};
const ASSOCIATION_NAME: Record<HubSpotObjectType, string> = { contacts: 'contacts', tickets: 'tickets', calls: 'calls', emails: 'emails', meetings: 'meetings', notes: 'notes' };

const HINTS: Record<string, string> = {
  VALIDATION_ERROR: 'fix the value HubSpot names in the message and save the record again (run setup() if it names one of the adapter’s own properties)',
  CONFLICT: 'another HubSpot record holds the same unique value (email): merge the two records, or change the value',
  OBJECT_NOT_FOUND: 'the record was deleted in HubSpot: the next pull deletes it here',
  INVALID_AUTHENTICATION: 'check the access token or the OAuth credentials',
  EXPIRED_AUTHENTICATION: 'the OAuth refresh token may have been revoked: authorise the app again',
  MISSING_SCOPES: 'give the app the scopes for contacts, tickets and engagements',
};

function errorMessage(error: HubSpotError): string {
  const detail = error.errors?.map((e) => e.message).filter(Boolean).join('; ');
  return (error.message ?? 'HubSpot reported an error') + (detail && !error.message?.includes(detail) ? ` (${detail})` : '');
}

function failureFrom(status: number, error: HubSpotError): SyncFailure {
  const code = error.category ?? `HTTP_${status}`;
  const retryable = status === 429 || status === 423 || status >= 500;
  return { status, code, message: errorMessage(error).slice(0, 1000), retryable, hint: retryable ? 'sent again automatically' : (HINTS[code] ?? 'check the record and the HubSpot account, then save the record again') };
}

function failureOfError(error: unknown): SyncFailure {
  if (isCrmError(error) && error instanceof CrmRemoteError) {
    return {
      ...(error.status > 0 ? { status: error.status } : {}),
      code: error.remoteCode ?? (error.status === 0 ? 'NETWORK' : `HTTP_${error.status}`),
      message: error.message,
      retryable: error.retryable,
      hint: error.retryable ? 'sent again automatically' : (HINTS[error.remoteCode ?? ''] ?? 'check the HubSpot account and the record, then save the record again'),
    };
  }
  return { code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error), retryable: true, hint: 'sent again automatically; report it if it persists' };
}

/** Failures that stop the whole batch (auth, the daily budget, an abort) are thrown; the rest become per-record failures. */
function stopsEverything(error: unknown): boolean {
  if (!(error instanceof CrmRemoteError)) return true;
  return error.status === 401 || error.status === 403 || error.remoteCode === 'DAILY_BUDGET';
}

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const EXISTING_ID = /Existing ID:\s*(\d+)/i;

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`hubspotAdapter: \`${name}\` must be a number of milliseconds, 0 or more`);
  return value;
}

/**
 * HubSpot as a sync remote.
 *
 * @example
 * ```ts no-run
 * import { createSync } from '@crm/adapters/sync';
 * import { hubspotAdapter } from '@crm/adapters/hubspot';
 *
 * const hubspot = hubspotAdapter({ accessToken: process.env.HUBSPOT_TOKEN! });
 * await hubspot.setup(); // once: creates crm_record_id and crm_detail where missing
 * const sync = createSync({ local: store, remote: hubspot });
 * const report = await sync.run();
 * ```
 */
export function hubspotAdapter(options: HubSpotAdapterOptions): HubSpotAdapter {
  if (!options || typeof options !== 'object') throw new TypeError('hubspotAdapter: pass an options object with `accessToken`, `oauth` or `http`');
  const mapping = resolveMapping(options);
  const http = options.http ?? hubspotHttp(options);
  const name = options.name ?? 'hubspot';
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_-]{0,31}$/.test(name)) throw new TypeError('hubspotAdapter: `name` must be 1-32 lower-case letters, digits, "_" or "-", starting with a letter');
  const overlapMs = nonNegative('overlapMs', options.overlapMs, 300_000);
  const lookupSettleMs = nonNegative('lookupSettleMs', options.lookupSettleMs, 30_000);
  const pageSize = options.pageSize ?? MAX_SEARCH_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_SEARCH_PAGE) throw new TypeError(`hubspotAdapter: \`pageSize\` must be a whole number from 1 to ${MAX_SEARCH_PAGE}`);
  const unique = new Set<HubSpotObjectType>(options.uniqueTypes ?? ['contacts', 'tickets']);
  const now = options.now ?? Date.now;
  const idProperty = mapping.idProperty;
  const engagements = engagementTypes(mapping);

  const send = <T>(request: RemoteRequest, signal?: AbortSignal) => http.request<T>(signal ? { ...request, signal } : request);

  // ------------------------------------------------------------ writes

  interface Item {
    input: PushInput;
    properties: Record<string, string>;
  }

  /** Matches a batch answer to its inputs: results by our id (or the trace id), errors by trace id or HubSpot id. */
  function settle(items: readonly Item[], status: number, body: BatchBody | null, byRemoteId?: Map<string, string>, remoteIdOf: (id: string) => string = (id) => id): Map<string, PushOutcome> {
    const out = new Map<string, PushOutcome>();
    const known = new Set(items.map((item) => item.input.localId));
    for (const result of body?.results ?? []) {
      const localId = [result.properties?.[idProperty], result.objectWriteTraceId, byRemoteId?.get(result.id)].find((id): id is string => typeof id === 'string' && known.has(id));
      if (!localId) continue;
      const input = items.find((item) => item.input.localId === localId)!.input;
      out.set(localId, { localId, ok: true, remoteId: remoteIdOf(result.id), remoteVersion: result.updatedAt, created: result.new ?? input.remoteId === undefined });
    }
    for (const error of body?.errors ?? []) {
      const ids = [...(error.context?.objectWriteTraceId ?? []), ...(error.context?.ids ?? []).map((id) => byRemoteId?.get(id) ?? id)].filter((id) => known.has(id));
      for (const localId of ids) if (!out.has(localId)) out.set(localId, { localId, ok: false, error: failureFrom(status === 207 ? 400 : status, error) });
    }
    return out;
  }

  const failAll = (items: readonly Item[], error: SyncFailure) => new Map(items.map((item) => [item.input.localId, { localId: item.input.localId, ok: false as const, error }]));

  /** Runs one batch request for `items`; a whole-batch 400 of several inputs is split in halves to find the bad ones (nothing was written). */
  async function batch(type: HubSpotObjectType, action: 'upsert' | 'update' | 'create', items: Item[], signal?: AbortSignal): Promise<Map<string, PushOutcome>> {
    if (items.length === 0) return new Map();
    // HubSpot answers with its own ids (`512`), not the id map's (`calls/512` for engagements).
    const byRemoteId = action === 'update' ? new Map(items.map((item) => [parseRemoteId(entityOfType(type), item.input.remoteId!, mapping)!.id, item.input.localId])) : undefined;
    const engagement = ENGAGEMENT_TYPES.includes(type as EngagementType);
    const remoteIdOf = (id: string) => (engagement ? engagementRemoteId(type as EngagementType, id) : id);
    const inputs = items.map((item) => {
      if (action === 'update') return { id: parseRemoteId(entityOfType(type), item.input.remoteId!, mapping)!.id, properties: item.properties, objectWriteTraceId: item.input.localId };
      if (action === 'upsert') return { id: item.input.localId, idProperty, properties: item.properties, objectWriteTraceId: item.input.localId };
      return { properties: item.properties, associations: inlineAssociations(type as EngagementType, item.input), objectWriteTraceId: item.input.localId };
    });
    let response;
    try {
      response = await send<BatchBody | HubSpotError | null>(
        { method: 'POST', path: `/crm/v3/objects/${type}/batch/${action}`, json: { inputs }, replayable: action !== 'create', accept: [400, 404, 409] },
        signal,
      );
    } catch (error) {
      if (stopsEverything(error)) throw error;
      return failAll(items, failureOfError(error));
    }
    if (response.status < 300) {
      const out = settle(items, response.status, response.body as BatchBody | null, byRemoteId, remoteIdOf);
      if (type !== 'contacts' || action === 'update') return out;
      // A 207 naming contacts whose email another contact has: link each to that contact.
      for (const item of items) {
        const outcome = out.get(item.input.localId);
        if (outcome && !outcome.ok && outcome.error.code === 'CONFLICT' && EXISTING_ID.test(outcome.error.message)) {
          const resolved = await resolveConflicts([item], action, { category: 'CONFLICT', message: outcome.error.message }, signal);
          out.set(item.input.localId, resolved.get(item.input.localId) ?? outcome);
        }
      }
      return out;
    }
    const error = (response.body ?? {}) as HubSpotError;
    if (response.status === 409 && type === 'contacts' && action !== 'update') return resolveConflicts(items, action, error, signal);
    if (response.status === 400 && items.length > 1) {
      const half = Math.ceil(items.length / 2);
      const [a, b] = await Promise.all([batch(type, action, items.slice(0, half), signal), batch(type, action, items.slice(half), signal)]);
      return new Map([...a, ...b]);
    }
    return failAll(items, failureFrom(response.status, error));
  }

  /**
   * A contact whose email HubSpot has already (409 "Existing ID: n"): link that contact to our
   * record (set our id on it) unless it is linked to another of our records, then send the rest.
   */
  async function resolveConflicts(items: Item[], action: 'upsert' | 'create', error: HubSpotError, signal?: AbortSignal): Promise<Map<string, PushOutcome>> {
    const existingId = EXISTING_ID.exec(error.message ?? '')?.[1];
    if (!existingId) return failAll(items, failureFrom(409, error));
    const { body, status } = await send<HubSpotObject | null>(
      { method: 'GET', path: `/crm/v3/objects/contacts/${existingId}`, query: { properties: `email,${idProperty}` }, replayable: true, accept: [404] },
      signal,
    );
    const email = status === 200 ? body?.properties?.email?.toLowerCase() : undefined;
    const match = email ? items.find((item) => item.properties.email?.toLowerCase() === email) : undefined;
    if (!match || !body) return failAll(items, failureFrom(409, error));
    const out = new Map<string, PushOutcome>();
    const holder = body.properties[idProperty];
    if (holder && holder !== match.input.localId) {
      out.set(match.input.localId, {
        localId: match.input.localId,
        ok: false,
        error: {
          status: 409,
          code: 'CONFLICT',
          message: `HubSpot contact ${existingId} has this email and is linked to customer ${holder}`,
          retryable: false,
          hint: `two customers share the email: merge ${match.input.localId} into ${holder}, or change one email`,
        },
      });
    } else {
      const linked = await batch('contacts', 'update', [{ input: { ...match.input, remoteId: existingId }, properties: match.properties }], signal);
      out.set(match.input.localId, linked.get(match.input.localId) ?? { localId: match.input.localId, ok: false, error: failureFrom(409, error) });
    }
    const rest = items.filter((item) => item !== match);
    for (const [localId, outcome] of await batch('contacts', action, rest, signal)) out.set(localId, outcome);
    return out;
  }

  function inlineAssociations(type: EngagementType, input: PushInput) {
    const ids = ASSOCIATION_TYPES[type];
    const out = [{ to: { id: input.links.customer! }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: ids.contact }] }];
    if (input.links.complaint && ids.ticket) out.push({ to: { id: input.links.complaint }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: ids.ticket }] });
    return out;
  }

  /** Default associations (idempotent): `pairs` of our outcome's HubSpot id and the parent's. A failure fails the record (sending it again is safe). */
  async function associate(fromType: HubSpotObjectType, toType: HubSpotObjectType, pairs: { localId: string; from: string; to: string }[], outcomes: Map<string, PushOutcome>, signal?: AbortSignal): Promise<void> {
    for (const part of chunks(pairs, ASSOCIATION_READ_BATCH)) {
      try {
        await send(
          { method: 'POST', path: `/crm/v4/associations/${fromType}/${toType}/batch/associate/default`, json: { inputs: part.map((pair) => ({ from: { id: pair.from }, to: { id: pair.to } })) }, replayable: true },
          signal,
        );
      } catch (error) {
        if (stopsEverything(error)) throw error;
        const why = failureOfError(error);
        for (const pair of part) outcomes.set(pair.localId, { localId: pair.localId, ok: false, error: { ...why, retryable: true } });
      }
    }
  }

  function prepare(input: PushInput): { type: HubSpotObjectType; properties: Record<string, string> } | SyncFailure {
    try {
      if (input.entity === 'customers') return { type: 'contacts', properties: contactProperties(input.record as Customer, mapping) };
      if (input.entity === 'complaints') return { type: 'tickets', properties: ticketProperties(input.record as Complaint, mapping) };
      const { type, properties } = engagementOf(input.record as Touchpoint, mapping);
      return { type, properties };
    } catch (error) {
      if (error instanceof MappingError) return { code: 'INVALID_RECORD', message: error.message, retryable: false, hint: 'shorten the text and save the record again' };
      throw error;
    }
  }

  async function push(entity: SyncEntity, inputs: readonly PushInput[], pushOptions: { signal?: AbortSignal } = {}): Promise<PushOutcome[]> {
    const { signal } = pushOptions;
    const outcomes = new Map<string, PushOutcome>();
    const byType = new Map<HubSpotObjectType, { updates: Item[]; creates: Item[] }>();
    for (const input of inputs) {
      const prepared = prepare(input);
      if (!('type' in prepared)) {
        outcomes.set(input.localId, { localId: input.localId, ok: false, error: prepared });
        continue;
      }
      const mapped = input.remoteId ? parseRemoteId(entity, input.remoteId, mapping) : null;
      const slot = byType.get(prepared.type) ?? { updates: [], creates: [] };
      byType.set(prepared.type, slot);
      // A touchpoint whose channel moved it to another object type is created there anew.
      (mapped && mapped.type === prepared.type ? slot.updates : slot.creates).push({ input: mapped && mapped.type === prepared.type ? input : { ...input, remoteId: undefined } as PushInput, properties: prepared.properties });
    }
    await Promise.all(
      [...byType].map(async ([type, { updates, creates }]) => {
        const upsert = unique.has(type);
        const answers = await Promise.all([
          ...chunks(updates, BATCH).map((part) => batch(type, 'update', part, signal)),
          ...chunks(creates, BATCH).map((part) => batch(type, upsert ? 'upsert' : 'create', part, signal)),
        ]);
        for (const answer of answers) for (const [localId, outcome] of answer) outcomes.set(localId, outcome);
        // Upserts carry no associations: make them for records new to the id map (a replay after a crash included).
        if (upsert && type !== 'contacts') {
          const pairs: { localId: string; from: string; to: string }[] = [];
          const toTicket: { localId: string; from: string; to: string }[] = [];
          for (const item of creates) {
            const outcome = outcomes.get(item.input.localId);
            if (!outcome?.ok) continue;
            const from = parseRemoteId(entity, outcome.remoteId, mapping)!.id;
            if (item.input.links.customer) pairs.push({ localId: item.input.localId, from, to: item.input.links.customer });
            if (item.input.links.complaint && type !== 'tickets') toTicket.push({ localId: item.input.localId, from, to: item.input.links.complaint });
          }
          await associate(type, 'contacts', pairs, outcomes, signal);
          await associate(type, 'tickets', toTicket, outcomes, signal);
        }
        // A touchpoint linked to a complaint after it was first sent.
        if (type !== 'contacts' && type !== 'tickets') {
          const toTicket = updates
            .filter((item) => item.input.links.complaint && outcomes.get(item.input.localId)?.ok)
            .map((item) => ({ localId: item.input.localId, from: parseRemoteId(entity, item.input.remoteId!, mapping)!.id, to: item.input.links.complaint! }));
          await associate(type, 'tickets', toTicket, outcomes, signal);
        }
      }),
    );
    return inputs.map(
      (input) =>
        outcomes.get(input.localId) ?? {
          localId: input.localId,
          ok: false,
          error: { code: 'NO_OUTCOME', message: 'HubSpot answered without this record', retryable: true, hint: 'sent again automatically' },
        },
    );
  }

  async function archive(entity: SyncEntity, inputs: readonly ArchiveInput[], archiveOptions: { signal?: AbortSignal } = {}): Promise<PushOutcome[]> {
    const byType = new Map<HubSpotObjectType, ArchiveInput[]>();
    const outcomes: PushOutcome[] = [];
    for (const input of inputs) {
      const parsed = parseRemoteId(entity, input.remoteId, mapping);
      if (!parsed) {
        outcomes.push({ localId: input.localId, ok: false, error: { code: 'INVALID_REMOTE_ID', message: `${input.remoteId} is no HubSpot ${entity} id this adapter knows`, retryable: false, hint: 'remove the record from the id map' } });
        continue;
      }
      byType.set(parsed.type, [...(byType.get(parsed.type) ?? []), input]);
    }
    for (const [type, list] of byType) {
      for (const part of chunks(list, BATCH)) {
        try {
          await send(
            { method: 'POST', path: `/crm/v3/objects/${type}/batch/archive`, json: { inputs: part.map((input) => ({ id: parseRemoteId(entity, input.remoteId, mapping)!.id })) }, replayable: true },
            archiveOptions.signal,
          );
          for (const input of part) outcomes.push({ localId: input.localId, ok: true, remoteId: input.remoteId, remoteVersion: '', created: false });
        } catch (error) {
          if (stopsEverything(error)) throw error;
          const why = failureOfError(error);
          for (const input of part) outcomes.push({ localId: input.localId, ok: false, error: why });
        }
      }
    }
    return outcomes;
  }

  // ------------------------------------------------------------ look-ups

  /** Engagements holding one of `localIds` in our id property, by search (which may lag). */
  async function searchByOurId(type: HubSpotObjectType, localIds: string[], signal?: AbortSignal): Promise<Map<string, HubSpotObject>> {
    const found = new Map<string, HubSpotObject>();
    const wanted = new Map(localIds.map((id) => [id.toLowerCase(), id]));
    // A search body may hold 3,000 characters: as many ids per search as fit.
    const parts: string[][] = [[]];
    let size = 0;
    for (const id of wanted.keys()) {
      if (size + id.length + 3 > SEARCH_IDS_CHARS && parts.at(-1)!.length > 0) {
        parts.push([]);
        size = 0;
      }
      parts.at(-1)!.push(id);
      size += id.length + 3;
    }
    for (const part of parts) {
      if (part.length === 0) continue;
      const { body } = await send<SearchBody>(
        {
          method: 'POST',
          path: `/crm/v3/objects/${type}/search`,
          json: { filterGroups: [{ filters: [{ propertyName: idProperty, operator: 'IN', values: part }] }], properties: [idProperty], limit: MAX_SEARCH_PAGE },
          budget: 'search',
          replayable: true,
        },
        signal,
      );
      for (const object of body?.results ?? []) {
        const ours = wanted.get((object.properties[idProperty] ?? '').toLowerCase());
        if (ours && !found.has(ours)) found.set(ours, object);
      }
    }
    return found;
  }

  /** A consistent read: the engagements of `type` associated with the contacts, by our id. */
  async function engagementsOfContacts(type: EngagementType, contactIds: string[], signal?: AbortSignal): Promise<Map<string, HubSpotObject>> {
    const engagementIds = new Set<string>();
    let inputs: { id: string; after?: string }[] = contactIds.map((id) => ({ id }));
    while (inputs.length > 0) {
      const more: { id: string; after?: string }[] = [];
      for (const part of chunks(inputs, ASSOCIATION_READ_BATCH)) {
        const { body } = await send<AssociationsBody>(
          { method: 'POST', path: `/crm/v4/associations/contacts/${type}/batch/read`, json: { inputs: part }, replayable: true, accept: [404] },
          signal,
        );
        for (const result of body?.results ?? []) {
          for (const to of result.to ?? []) if (to.toObjectId !== undefined) engagementIds.add(String(to.toObjectId));
          const after = result.paging?.next?.after;
          if (after && result.from?.id) more.push({ id: String(result.from.id), after });
        }
      }
      inputs = more;
    }
    const byOurId = new Map<string, HubSpotObject>();
    for (const part of chunks([...engagementIds], BATCH)) {
      const { body } = await send<BatchBody>(
        { method: 'POST', path: `/crm/v3/objects/${type}/batch/read`, json: { inputs: part.map((id) => ({ id })), properties: [idProperty] }, replayable: true, accept: [404] },
        signal,
      );
      for (const object of body?.results ?? []) {
        const ours = object.properties?.[idProperty];
        if (ours) byOurId.set(ours, object);
      }
    }
    return byOurId;
  }

  async function lookup(entity: SyncEntity, inputs: readonly { input: PushInput; sentAt: string }[], lookupOptions: { signal?: AbortSignal } = {}): Promise<Map<string, LookupResult>> {
    const { signal } = lookupOptions;
    if (inputs.length === 0) return new Map();
    const results = new Map<string, LookupResult>();
    const types = objectTypesOf(entity, mapping);
    // 0. Where our id is unique, a read by it is consistent: it settles the question at once.
    if (types.every((type) => unique.has(type))) {
      for (const type of types) {
        for (const part of chunks(inputs.map(({ input }) => input.localId), BATCH)) {
          const { body } = await send<BatchBody>(
            { method: 'POST', path: `/crm/v3/objects/${type}/batch/read`, json: { inputs: part.map((id) => ({ id })), idProperty, properties: [idProperty] }, replayable: true, accept: [404] },
            signal,
          );
          for (const object of body?.results ?? []) {
            const ours = object.properties?.[idProperty];
            if (ours && part.includes(ours)) results.set(ours, { state: 'found', remoteId: entity === 'touchpoints' ? engagementRemoteId(type as EngagementType, object.id) : object.id, remoteVersion: object.updatedAt });
          }
        }
      }
      for (const { input } of inputs) if (!results.has(input.localId)) results.set(input.localId, { state: 'absent' });
      return results;
    }
    // 1. Search (cheap, may lag).
    const pending = new Set(inputs.map(({ input }) => input.localId));
    for (const type of types) {
      if (pending.size === 0) break;
      const found = await searchByOurId(type, [...pending], signal);
      for (const [localId, object] of found) {
        results.set(localId, { state: 'found', remoteId: entityOfType(type) === 'touchpoints' ? engagementRemoteId(type as EngagementType, object.id) : object.id, remoteVersion: object.updatedAt });
        pending.delete(localId);
      }
    }
    if (pending.size === 0) return results;
    // 2. What search didn't find yet: the contact's associations, read by id (they don't wait for the index).
    const rest = inputs.filter(({ input }) => pending.has(input.localId));
    const withContact = rest.filter(({ input }) => input.links.customer && entity === 'touchpoints');
    if (withContact.length > 0) {
      const contacts = [...new Set(withContact.map(({ input }) => input.links.customer!))];
      for (const type of engagements) {
        const found = await engagementsOfContacts(type, contacts, signal);
        for (const { input } of withContact) {
          const object = found.get(input.localId);
          if (object && pending.delete(input.localId)) results.set(input.localId, { state: 'found', remoteId: engagementRemoteId(type, object.id), remoteVersion: object.updatedAt });
        }
      }
    }
    // 3. Found by neither: "absent" only once the send is older than the settle time; until then, ask again later.
    for (const { input, sentAt } of rest) {
      if (!pending.has(input.localId)) continue;
      const waited = now() - Date.parse(sentAt);
      results.set(input.localId, waited >= lookupSettleMs ? { state: 'absent' } : { state: 'unknown', retryAfterMs: lookupSettleMs - waited });
    }
    return results;
  }

  // ------------------------------------------------------------ pulls

  function readCursor(cursor: string | null): PullCursor {
    if (cursor === null) return { v: 1, types: {} };
    try {
      const parsed = JSON.parse(cursor) as PullCursor;
      if (parsed && parsed.v === 1 && typeof parsed.types === 'object') return parsed;
    } catch {
      // fall through
    }
    throw new TypeError(`hubspotAdapter: the pull cursor ${cursor.slice(0, 80)} is not one this adapter wrote`);
  }

  /** The parents of pulled objects: contact (and ticket) ids by object id, read consistently. */
  async function parentsOf(type: HubSpotObjectType, ids: string[], toType: 'contacts' | 'tickets', signal?: AbortSignal): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(ids, ASSOCIATION_READ_BATCH)) {
      const { body } = await send<AssociationsBody>(
        { method: 'POST', path: `/crm/v4/associations/${ASSOCIATION_NAME[type]}/${toType}/batch/read`, json: { inputs: part.map((id) => ({ id })) }, replayable: true, accept: [404] },
        signal,
      );
      for (const result of body?.results ?? []) {
        const from = result.from?.id;
        const targets = (result.to ?? []).map((to) => String(to.toObjectId)).sort((a, b) => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0));
        if (from && targets[0]) out.set(String(from), targets[0]);
      }
    }
    return out;
  }

  async function toPulled(entity: SyncEntity, type: HubSpotObjectType, objects: HubSpotObject[], archived: boolean, signal?: AbortSignal): Promise<PulledRecord[]> {
    if (objects.length === 0) return [];
    const ids = objects.map((object) => object.id);
    const contacts = type === 'contacts' || archived ? new Map<string, string>() : await parentsOf(type, ids, 'contacts', signal);
    const tickets = entity === 'touchpoints' && !archived ? await parentsOf(type, ids, 'tickets', signal) : new Map<string, string>();
    const out: PulledRecord[] = [];
    for (const object of objects) {
      const data = archived
        ? {}
        : type === 'contacts'
          ? customerData(object, mapping)
          : type === 'tickets'
            ? complaintData(object, mapping)
            : touchpointData(type as EngagementType, object, mapping);
      if (data === null) continue;
      const links: PulledRecord['links'] = {};
      const customer = contacts.get(object.id);
      if (customer) links.customer = customer;
      const complaint = tickets.get(object.id);
      if (complaint) links.complaint = complaint;
      const ours = object.properties?.[idProperty];
      out.push({
        entity,
        remoteId: entity === 'touchpoints' ? engagementRemoteId(type as EngagementType, object.id) : object.id,
        ...(ours ? { localId: ours } : {}),
        remoteVersion: object.updatedAt,
        updatedAt: object.updatedAt,
        createdAt: object.createdAt,
        archived,
        data: data as PulledRecord['data'],
        links,
      });
    }
    return out;
  }

  async function* pull(entity: SyncEntity, cursor: string | null, pullOptions: { signal?: AbortSignal } = {}): AsyncIterable<PullPage> {
    const { signal } = pullOptions;
    const state = readCursor(cursor);
    for (const type of objectTypesOf(entity, mapping)) {
      const at = (state.types[type] ??= { watermark: null });
      const modified = lastModifiedProperty(type);
      const properties = propertiesToRead(type, mapping);
      // Changes: a fixed window of last-modified times, paged by record id (never past the 10,000 cap).
      at.window ??= { from: at.watermark === null ? 0 : Math.max(0, at.watermark - overlapMs), to: now(), afterId: '0' };
      while (at.window) {
        if (signal?.aborted) return;
        const window: { from: number; to: number; afterId: string } = at.window;
        const { body } = await send<SearchBody>(
          {
            method: 'POST',
            path: `/crm/v3/objects/${type}/search`,
            json: {
              filterGroups: [
                {
                  filters: [
                    { propertyName: modified, operator: 'GTE', value: String(window.from) },
                    { propertyName: modified, operator: 'LTE', value: String(window.to) },
                    { propertyName: 'hs_object_id', operator: 'GT', value: window.afterId },
                  ],
                },
              ],
              sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
              properties,
              limit: pageSize,
            },
            budget: 'search',
            replayable: true,
          },
          signal,
        );
        const objects = body?.results ?? [];
        const last = objects.at(-1);
        if (objects.length < pageSize || !last) {
          at.watermark = window.to;
          delete at.window;
        } else at.window = { ...window, afterId: last.id };
        yield { records: await toPulled(entity, type, objects, false, signal), cursor: JSON.stringify(state) };
      }
      // Deletes: archived records (search never shows them), listed in full, those archived since the last listing kept.
      at.archived ??= { after: '', startedAt: now() };
      while (at.archived) {
        if (signal?.aborted) return;
        const listing: { after: string; startedAt: number } = at.archived;
        const { body } = await send<ListBody>(
          { method: 'GET', path: `/crm/v3/objects/${type}`, query: { archived: true, limit: BATCH, after: listing.after || undefined, properties: idProperty }, replayable: true },
          signal,
        );
        const since = at.archivedSeen === undefined ? -Infinity : at.archivedSeen - overlapMs;
        const recent = (body?.results ?? []).filter((object) => {
          const when = Date.parse(object.archivedAt ?? object.updatedAt);
          return !Number.isFinite(when) || when >= since;
        });
        const next = body?.paging?.next?.after;
        if (next) at.archived = { ...listing, after: next };
        else {
          at.archivedSeen = listing.startedAt;
          delete at.archived;
        }
        yield { records: await toPulled(entity, type, recent, true, signal), cursor: JSON.stringify(state) };
      }
    }
  }

  // ------------------------------------------------------------ setup

  async function setup(setupOptions: { signal?: AbortSignal } = {}): Promise<SetupReport> {
    const { signal } = setupOptions;
    const report: SetupReport = { created: [], existing: [], notUnique: [] };
    const types: HubSpotObjectType[] = ['contacts', 'tickets', ...engagements];
    for (const type of types) {
      const wanted = [
        { name: idProperty, label: 'CRM record id', unique: true, description: 'The record id in @crm/core: the sync upserts on it. Do not edit.' },
        { name: DETAIL_PROPERTY, label: 'CRM detail', unique: false, description: 'Exact local values HubSpot’s own fields are coarser than (JSON), kept by the sync.' },
      ];
      for (const property of wanted) {
        const { status, body } = await send<{ hasUniqueValue?: boolean } | null>(
          { method: 'GET', path: `/crm/v3/properties/${type}/${property.name}`, replayable: true, accept: [404] },
          signal,
        );
        if (status === 200) {
          report.existing.push(`${type}.${property.name}`);
          if (property.unique) {
            if (body?.hasUniqueValue) unique.add(type);
            else {
              unique.delete(type);
              report.notUnique.push(type);
            }
          }
          continue;
        }
        const definition = { name: property.name, label: property.label, description: property.description, type: 'string', fieldType: 'text', groupName: options.propertyGroups?.[type] ?? DEFAULT_GROUPS[type] };
        let created = await send<HubSpotError | null>(
          { method: 'POST', path: `/crm/v3/properties/${type}`, json: { ...definition, hasUniqueValue: property.unique }, replayable: false, accept: [400, 409] },
          signal,
        );
        if (created.status === 400 && property.unique) {
          // HubSpot refuses unique values on this object type: our id is kept, and sends are looked up when in doubt.
          created = await send<HubSpotError | null>({ method: 'POST', path: `/crm/v3/properties/${type}`, json: { ...definition, hasUniqueValue: false }, replayable: false, accept: [409] }, signal);
          unique.delete(type);
          report.notUnique.push(type);
        } else if (created.status === 400) {
          throw new CrmRemoteError(`hubspot: could not create the property ${type}.${property.name}: ${errorMessage((created.body ?? {}) as HubSpotError)}`, { status: 400, remoteCode: 'VALIDATION_ERROR', retryable: false });
        } else if (property.unique) unique.add(type);
        (created.status === 409 ? report.existing : report.created).push(`${type}.${property.name}`);
      }
    }
    return report;
  }

  return {
    name,
    http,
    mapping,
    maxBatch: () => BATCH,
    batchKey: (entity, record) => (entity === 'touchpoints' ? mapping.engagements[(record as Touchpoint).channel] : entity),
    upserts: (entity) => objectTypesOf(entity, mapping).every((type) => unique.has(type)),
    push,
    archive,
    lookup,
    pull,
    setup,
  };
}
