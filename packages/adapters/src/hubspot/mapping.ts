/**
 * How local records become HubSpot objects and back: customers ↔ contacts, complaints ↔ tickets,
 * touchpoints ↔ calls, emails, meetings and notes (by channel). Pure functions, no HTTP.
 *
 * HubSpot's fields are coarser than ours in places (one email per contact, four ticket stages for
 * six statuses, no "visit" engagement). The exact local values travel beside the coarse ones in a
 * `crm_detail` property; a pull keeps an exact value while it still agrees with the coarse one, and
 * takes the coarse one when someone changed it in HubSpot.
 *
 * @module
 */
import { CHANNELS, type Channel, type Complaint, type ComplaintStatus, type Customer, type CustomerKind, type Priority, type Touchpoint } from '@crm/core';
import type { FieldValues } from '@crm/core';
import type { PulledRecord, SyncEntity } from '../sync/contract.js';

/** The engagement objects touchpoints become. */
export type EngagementType = 'calls' | 'emails' | 'meetings' | 'notes';
/** Every HubSpot object type the adapter writes. */
export type HubSpotObjectType = 'contacts' | 'tickets' | EngagementType;

export const ENGAGEMENT_TYPES: readonly EngagementType[] = ['calls', 'emails', 'meetings', 'notes'];

/** The property holding our record id (unique on contacts and tickets, so a replayed send upserts). */
export const DEFAULT_ID_PROPERTY = 'crm_record_id';
/** The property holding the exact local values HubSpot's own fields can't (JSON). */
export const DETAIL_PROPERTY = 'crm_detail';

/** A custom field carried to a HubSpot property: its name there, and how its value is read back. */
export interface HubSpotFieldMapping {
  /** The HubSpot property's internal name (`crm_tier`). */
  property: string;
  /** How the property's string value is read back into the custom field. @default 'string' */
  type?: 'string' | 'number' | 'boolean' | 'json';
}

/** The configurable part of the field mapping (every option has a default that fits a new portal). */
export interface HubSpotMappingOptions {
  /** The property holding our record id. @default 'crm_record_id' */
  idProperty?: string;
  /** Customer kind → contact `lifecyclestage`. @default { prospect: 'lead', customer: 'customer', former: 'other' } */
  lifecycleStages?: Partial<Record<CustomerKind, string>>;
  /** The ticket pipeline complaints go to. @default '0' (the default support pipeline) */
  pipeline?: string;
  /** Complaint status → stage id of `pipeline`. @default { new: '1', pending_customer: '2', open: '3', reopened: '3', resolved: '4', closed: '4' } */
  stages?: Partial<Record<ComplaintStatus, string>>;
  /** Complaint priority → `hs_ticket_priority`. @default { low: 'LOW', normal: 'MEDIUM', high: 'HIGH', urgent: 'HIGH' } (many portals have no URGENT) */
  priorities?: Partial<Record<Priority, string>>;
  /** Touchpoint channel → engagement object. @default calls for call, emails for email, meetings for meeting and visit, notes for the rest */
  engagements?: Partial<Record<Channel, EngagementType>>;
  /** Local staff ids → HubSpot owner ids (`hubspot_owner_id`); staff not listed are not sent, owners not listed are not pulled. */
  owners?: Record<string, string>;
  /** Custom fields to carry, per entity: `{ customers: { tier: 'crm_tier' } }` or `{ tier: { property: 'crm_tier', type: 'number' } }`. */
  fields?: Partial<Record<SyncEntity, Record<string, string | HubSpotFieldMapping>>>;
}

/** The mapping with every default filled in. */
export interface ResolvedMapping {
  idProperty: string;
  lifecycleStages: Record<CustomerKind, string>;
  pipeline: string;
  stages: Record<ComplaintStatus, string>;
  priorities: Record<Priority, string>;
  engagements: Record<Channel, EngagementType>;
  owners: Record<string, string>;
  ownersBack: Map<string, string>;
  fields: Record<SyncEntity, Record<string, Required<HubSpotFieldMapping>>>;
}

const DEFAULT_LIFECYCLE: Record<CustomerKind, string> = { prospect: 'lead', customer: 'customer', former: 'other' };
/** Lifecycle stages read back as a kind when the exact kind isn't known. */
const LIFECYCLE_BACK: Record<string, CustomerKind> = {
  subscriber: 'prospect',
  lead: 'prospect',
  marketingqualifiedlead: 'prospect',
  salesqualifiedlead: 'prospect',
  opportunity: 'prospect',
  customer: 'customer',
  evangelist: 'customer',
  other: 'former',
};
const DEFAULT_STAGES: Record<ComplaintStatus, string> = { new: '1', pending_customer: '2', open: '3', reopened: '3', resolved: '4', closed: '4' };
const DEFAULT_PRIORITIES: Record<Priority, string> = { low: 'LOW', normal: 'MEDIUM', high: 'HIGH', urgent: 'HIGH' };
const DEFAULT_ENGAGEMENTS: Record<Channel, EngagementType> = {
  call: 'calls',
  email: 'emails',
  meeting: 'meetings',
  visit: 'meetings',
  letter: 'notes',
  chat: 'notes',
  sms: 'notes',
  web_form: 'notes',
  self_service: 'notes',
};
/** The channel a HubSpot engagement created there (without our detail) becomes. Notes are internal notes, not contacts: none. */
const CHANNEL_OF: Partial<Record<EngagementType, Channel>> = { calls: 'call', emails: 'email', meetings: 'meeting' };
const SOURCE_TYPE: Partial<Record<Channel, string>> = { call: 'PHONE', email: 'EMAIL', chat: 'CHAT', web_form: 'FORM', self_service: 'FORM' };
const SOURCE_BACK: Record<string, Channel> = { PHONE: 'call', EMAIL: 'email', CHAT: 'chat', FORM: 'web_form' };
const PROPERTY_NAME = /^[a-z][a-z0-9_]{0,99}$/;

/** HubSpot's default call outcomes (the same GUIDs in every portal). */
export const CALL_DISPOSITIONS = {
  busy: '9d9162e7-6cf3-4944-bf63-4dff82258764',
  connected: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
  leftLiveMessage: 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff',
  leftVoicemail: 'b2cf5968-551e-4856-9783-52b3da59a7d0',
  noAnswer: '73a0d17f-1163-4015-bdd5-ec830791da20',
  wrongNumber: '17b47fee-58de-441e-a44c-c6300d46f273',
} as const;

/** HubSpot-defined association type ids (§8.2 of the reference), from each object to a contact and to a ticket. */
export const ASSOCIATION_TYPES: Record<EngagementType | 'tickets', { contact: number; ticket?: number }> = {
  calls: { contact: 194, ticket: 220 },
  emails: { contact: 198, ticket: 224 },
  meetings: { contact: 200, ticket: 226 },
  notes: { contact: 202, ticket: 228 },
  tickets: { contact: 16 },
};

function fail(path: string, problem: string): never {
  throw new TypeError(`hubspotAdapter: \`${path}\` ${problem}`);
}

function overrides<K extends string>(path: string, given: Partial<Record<K, string>> | undefined, defaults: Record<K, string>, allowed?: readonly string[]): Record<K, string> {
  if (given === undefined) return { ...defaults };
  if (typeof given !== 'object' || given === null) fail(path, 'must be an object');
  const out = { ...defaults };
  for (const [key, value] of Object.entries(given)) {
    if (!(key in defaults)) fail(`${path}.${key}`, `is not one of ${Object.keys(defaults).join(', ')}`);
    if (typeof value !== 'string' || value.trim() === '') fail(`${path}.${key}`, 'must be a non-empty string');
    if (allowed && !allowed.includes(value)) fail(`${path}.${key}`, `must be one of ${allowed.join(', ')}`);
    (out as Record<string, string>)[key] = value;
  }
  return out;
}

/** Fills in the defaults and checks every option, naming the one that is wrong. */
export function resolveMapping(options: HubSpotMappingOptions = {}): ResolvedMapping {
  const idProperty = options.idProperty ?? DEFAULT_ID_PROPERTY;
  if (typeof idProperty !== 'string' || !PROPERTY_NAME.test(idProperty)) fail('idProperty', 'must be a HubSpot property name: lower-case letters, digits and "_", starting with a letter');
  const pipeline = options.pipeline ?? '0';
  if (typeof pipeline !== 'string' || pipeline === '') fail('pipeline', 'must be a pipeline id such as "0"');
  const owners = options.owners ?? {};
  if (typeof owners !== 'object' || owners === null) fail('owners', 'must be an object of local staff id → HubSpot owner id');
  const ownersBack = new Map<string, string>();
  for (const [local, remote] of Object.entries(owners)) {
    if (typeof remote !== 'string' || !/^\d+$/.test(remote)) fail(`owners.${local}`, 'must be a HubSpot owner id (digits)');
    if (ownersBack.has(remote)) fail(`owners.${local}`, `maps to owner ${remote}, which ${ownersBack.get(remote)} maps to already`);
    ownersBack.set(remote, local);
  }
  const fields: ResolvedMapping['fields'] = { customers: {}, complaints: {}, touchpoints: {} };
  for (const [entity, byName] of Object.entries(options.fields ?? {})) {
    if (!(entity in fields)) fail(`fields.${entity}`, 'is not an entity: use customers, complaints or touchpoints');
    for (const [name, spec] of Object.entries(byName ?? {})) {
      const mapping = typeof spec === 'string' ? { property: spec } : spec;
      if (!mapping || typeof mapping.property !== 'string' || !PROPERTY_NAME.test(mapping.property)) fail(`fields.${entity}.${name}`, 'must name a HubSpot property (lower-case letters, digits, "_")');
      if (mapping.property === idProperty || mapping.property === DETAIL_PROPERTY) fail(`fields.${entity}.${name}`, `can't use the adapter's own property ${mapping.property}`);
      const type = mapping.type ?? 'string';
      if (!['string', 'number', 'boolean', 'json'].includes(type)) fail(`fields.${entity}.${name}.type`, 'must be string, number, boolean or json');
      fields[entity as SyncEntity][name] = { property: mapping.property, type };
    }
  }
  return {
    idProperty,
    lifecycleStages: overrides('lifecycleStages', options.lifecycleStages, DEFAULT_LIFECYCLE),
    pipeline,
    stages: overrides('stages', options.stages, DEFAULT_STAGES),
    priorities: overrides('priorities', options.priorities, DEFAULT_PRIORITIES),
    engagements: overrides('engagements', options.engagements, DEFAULT_ENGAGEMENTS, ENGAGEMENT_TYPES) as Record<Channel, EngagementType>,
    owners: { ...owners },
    ownersBack,
    fields,
  };
}

/** The engagement types in use (those some channel maps to). */
export function engagementTypes(mapping: ResolvedMapping): EngagementType[] {
  const used = new Set(Object.values(mapping.engagements));
  return ENGAGEMENT_TYPES.filter((type) => used.has(type));
}

/** The HubSpot object types an entity lives in. */
export function objectTypesOf(entity: SyncEntity, mapping: ResolvedMapping): HubSpotObjectType[] {
  if (entity === 'customers') return ['contacts'];
  if (entity === 'complaints') return ['tickets'];
  return engagementTypes(mapping);
}

/** The property HubSpot keeps the last-modified time in. */
export const lastModifiedProperty = (type: HubSpotObjectType): string => (type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate');

// ---------------------------------------------------------------- text

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

/** Text with the characters HTML gives a meaning to escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text as HTML paragraphs that show exactly that text (HubSpot renders note, call and meeting bodies as HTML). */
export function textToHtml(text: string): string {
  return escapeHtml(text)
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** HTML as the text a reader sees: tags out, paragraphs and breaks as new lines, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .trim();
}

/** A HubSpot timestamp (ISO 8601 or epoch milliseconds, as a string) as UTC ISO 8601, or `undefined`. */
export function isoOf(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** A note body may hold 65,536 characters; other text properties the same. */
export const MAX_TEXT = 65_536;

// ---------------------------------------------------------------- detail

type Detail = Record<string, unknown>;

function readDetail(value: string | null | undefined): Detail {
  if (!value) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Detail) : {};
  } catch {
    return {};
  }
}

/** The exact value when it still maps to what HubSpot holds, else what HubSpot holds read back. */
function exact<T extends string>(detail: unknown, toRemote: Record<T, string>, remote: string | null | undefined, back: (remote: string) => T | undefined): T | undefined {
  if (typeof detail === 'string' && detail in toRemote && toRemote[detail as T] === remote) return detail as T;
  return remote ? back(remote) : undefined;
}

function backOf<T extends string>(toRemote: Record<T, string>): (remote: string) => T | undefined {
  const back = new Map<string, T>();
  for (const [local, remote] of Object.entries(toRemote) as [T, string][]) if (!back.has(remote)) back.set(remote, local);
  return (remote) => back.get(remote);
}

/** A list whose head HubSpot holds: the exact list while its head agrees, else HubSpot's value at its head. */
function listWithHead(detail: unknown, head: string | null | undefined, same: (a: string, b: string) => boolean): string[] {
  const list = Array.isArray(detail) ? detail.filter((item): item is string => typeof item === 'string') : [];
  if (!head) return list.slice(1); // the primary was cleared in HubSpot
  if (list.length > 0 && same(list[0]!, head)) return list;
  return [head, ...list.slice(1).filter((item) => !same(item, head))];
}

// ---------------------------------------------------------------- custom fields

function fieldProperties(entity: SyncEntity, record: { fields?: Record<string, unknown> }, mapping: ResolvedMapping): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(mapping.fields[entity])) {
    const value = record.fields?.[name];
    if (value === undefined || value === null) out[spec.property] = '';
    else out[spec.property] = spec.type === 'json' || typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return out;
}

function fieldValues(entity: SyncEntity, properties: Record<string, string | null>, mapping: ResolvedMapping): FieldValues | undefined {
  const specs = Object.entries(mapping.fields[entity]);
  if (specs.length === 0) return undefined;
  const out: FieldValues = {};
  for (const [name, spec] of specs) {
    const raw = properties[spec.property];
    if (raw === null || raw === undefined || raw === '') continue;
    if (spec.type === 'number') {
      const n = Number(raw);
      if (Number.isFinite(n)) out[name] = n;
    } else if (spec.type === 'boolean') out[name] = raw === 'true';
    else if (spec.type === 'json') {
      try {
        out[name] = JSON.parse(raw) as FieldValues[string];
      } catch {
        // not JSON any more (edited in HubSpot): left as it is locally
      }
    } else out[name] = raw;
  }
  return out;
}

/** The properties to request when reading an object type. */
export function propertiesToRead(type: HubSpotObjectType, mapping: ResolvedMapping): string[] {
  const base = [mapping.idProperty, DETAIL_PROPERTY, 'hubspot_owner_id', 'hs_object_id', 'createdate', lastModifiedProperty(type)];
  const own: Record<HubSpotObjectType, string[]> = {
    contacts: ['firstname', 'lastname', 'email', 'phone', 'company', 'lifecyclestage'],
    tickets: ['subject', 'content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_priority', 'source_type'],
    calls: ['hs_timestamp', 'hs_call_title', 'hs_call_body', 'hs_call_direction', 'hs_call_duration', 'hs_call_disposition'],
    emails: ['hs_timestamp', 'hs_email_subject', 'hs_email_text', 'hs_email_direction'],
    meetings: ['hs_timestamp', 'hs_meeting_title', 'hs_meeting_body', 'hs_meeting_start_time', 'hs_meeting_end_time'],
    notes: ['hs_timestamp', 'hs_note_body'],
  };
  const entity: SyncEntity = type === 'contacts' ? 'customers' : type === 'tickets' ? 'complaints' : 'touchpoints';
  return [...base, ...own[type], ...Object.values(mapping.fields[entity]).map((spec) => spec.property)];
}

// ---------------------------------------------------------------- to HubSpot

/** A record that can't be written to HubSpot as it is (too long for a property, say). */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

function checkLength(property: string, value: string): string {
  if (value.length > MAX_TEXT) throw new MappingError(`${property} would be ${value.length} characters; HubSpot keeps at most ${MAX_TEXT}`);
  return value;
}

function splitName(name: string): { firstname: string; lastname: string } {
  const trimmed = name.trim();
  const at = trimmed.lastIndexOf(' ');
  return at < 0 ? { firstname: trimmed, lastname: '' } : { firstname: trimmed.slice(0, at), lastname: trimmed.slice(at + 1) };
}

function owner(mapping: ResolvedMapping, id: string | undefined): Record<string, string> {
  if (id === undefined) return {};
  const remote = mapping.owners[id];
  return remote ? { hubspot_owner_id: remote } : {};
}

/** A customer as contact properties. */
export function contactProperties(customer: Customer, mapping: ResolvedMapping): Record<string, string> {
  return {
    ...splitName(customer.name),
    email: customer.emails[0] ?? '',
    phone: customer.phones[0] ?? '',
    company: customer.company ?? '',
    lifecyclestage: mapping.lifecycleStages[customer.kind],
    ...owner(mapping, customer.ownerId),
    [DETAIL_PROPERTY]: JSON.stringify({ kind: customer.kind, name: customer.name, emails: customer.emails, phones: customer.phones }),
    ...fieldProperties('customers', customer, mapping),
    [mapping.idProperty]: customer.id,
  };
}

/** A complaint as ticket properties. */
export function ticketProperties(complaint: Complaint, mapping: ResolvedMapping): Record<string, string> {
  const source = SOURCE_TYPE[complaint.channel];
  return {
    subject: complaint.subject,
    content: checkLength('content', complaint.description ?? ''),
    hs_pipeline: mapping.pipeline,
    hs_pipeline_stage: mapping.stages[complaint.status],
    hs_ticket_priority: mapping.priorities[complaint.priority],
    ...(source ? { source_type: source } : {}),
    ...owner(mapping, complaint.ownerId),
    [DETAIL_PROPERTY]: JSON.stringify({ status: complaint.status, priority: complaint.priority, channel: complaint.channel }),
    ...fieldProperties('complaints', complaint, mapping),
    [mapping.idProperty]: complaint.id,
  };
}

function disposition(outcome: Touchpoint['outcome']): string {
  if (outcome === 'no_answer') return CALL_DISPOSITIONS.noAnswer;
  if (outcome === 'voicemail') return CALL_DISPOSITIONS.leftVoicemail;
  return CALL_DISPOSITIONS.connected;
}

function outcomeOf(guid: string | null | undefined): Touchpoint['outcome'] | undefined {
  if (guid === CALL_DISPOSITIONS.noAnswer || guid === CALL_DISPOSITIONS.busy) return 'no_answer';
  if (guid === CALL_DISPOSITIONS.leftVoicemail || guid === CALL_DISPOSITIONS.leftLiveMessage) return 'voicemail';
  return undefined;
}

/** A touchpoint as an engagement: which object type, and its properties. */
export function engagementOf(touchpoint: Touchpoint, mapping: ResolvedMapping): { type: EngagementType; properties: Record<string, string> } {
  const type = mapping.engagements[touchpoint.channel];
  const subject = touchpoint.subject ?? '';
  const summary = touchpoint.summary ?? '';
  const common = {
    hs_timestamp: touchpoint.occurredAt,
    ...owner(mapping, touchpoint.actorId),
    [DETAIL_PROPERTY]: JSON.stringify({ channel: touchpoint.channel, direction: touchpoint.direction, outcome: touchpoint.outcome ?? null, subject: touchpoint.subject ?? null }),
    ...fieldProperties('touchpoints', touchpoint, mapping),
    [mapping.idProperty]: touchpoint.id,
  };
  const duration = touchpoint.durationSeconds;
  let own: Record<string, string>;
  if (type === 'calls') {
    own = {
      hs_call_title: subject,
      hs_call_body: checkLength('hs_call_body', summary ? textToHtml(summary) : ''),
      hs_call_direction: touchpoint.direction === 'inbound' ? 'INBOUND' : 'OUTBOUND',
      hs_call_status: 'COMPLETED',
      hs_call_disposition: disposition(touchpoint.outcome),
      ...(duration !== undefined ? { hs_call_duration: String(duration * 1000) } : {}),
    };
  } else if (type === 'emails') {
    own = {
      hs_email_subject: subject,
      hs_email_text: checkLength('hs_email_text', summary),
      hs_email_direction: touchpoint.direction === 'inbound' ? 'INCOMING_EMAIL' : 'EMAIL',
      hs_email_status: 'SENT',
    };
  } else if (type === 'meetings') {
    const start = Date.parse(touchpoint.occurredAt);
    own = {
      hs_meeting_title: subject,
      hs_meeting_body: checkLength('hs_meeting_body', summary ? textToHtml(summary) : ''),
      hs_meeting_start_time: touchpoint.occurredAt,
      hs_meeting_end_time: new Date(start + (duration ?? 0) * 1000).toISOString(),
      hs_meeting_outcome: 'COMPLETED',
    };
  } else {
    const body = (subject ? `<p><strong>${escapeHtml(subject)}</strong></p>` : '') + (summary ? textToHtml(summary) : '');
    own = { hs_note_body: checkLength('hs_note_body', body) };
  }
  return { type, properties: { ...common, ...own } };
}

// ---------------------------------------------------------------- from HubSpot

/** A HubSpot object as the API returns it. */
export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived?: boolean;
  archivedAt?: string;
}

/** A contact as local customer fields. */
export function customerData(object: HubSpotObject, mapping: ResolvedMapping): PulledRecord<'customers'>['data'] {
  const p = object.properties;
  const detail = readDetail(p[DETAIL_PROPERTY]);
  const composed = [p.firstname, p.lastname].filter((part) => part && part.trim() !== '').join(' ').trim();
  const exactName = typeof detail.name === 'string' && splitName(detail.name).firstname === (p.firstname ?? '') && splitName(detail.name).lastname === (p.lastname ?? '') ? detail.name : undefined;
  const name = exactName ?? (composed || p.email || `HubSpot contact ${object.id}`);
  const kind = exact(detail.kind, mapping.lifecycleStages, p.lifecyclestage, (stage) => LIFECYCLE_BACK[stage]);
  const data: PulledRecord<'customers'>['data'] = {
    name,
    emails: listWithHead(detail.emails, p.email, (a, b) => a.toLowerCase() === b.toLowerCase()),
    phones: listWithHead(detail.phones, p.phone, (a, b) => a === b),
  };
  if (kind) data.kind = kind;
  if (p.company) data.company = p.company;
  const ownerId = p.hubspot_owner_id ? mapping.ownersBack.get(p.hubspot_owner_id) : undefined;
  if (ownerId) data.ownerId = ownerId;
  const fields = fieldValues('customers', p, mapping);
  if (fields) data.fields = fields;
  return data;
}

/** A ticket as local complaint fields. */
export function complaintData(object: HubSpotObject, mapping: ResolvedMapping): PulledRecord<'complaints'>['data'] {
  const p = object.properties;
  const detail = readDetail(p[DETAIL_PROPERTY]);
  const samePipeline = (p.hs_pipeline ?? mapping.pipeline) === mapping.pipeline;
  const status = samePipeline ? exact(detail.status, mapping.stages, p.hs_pipeline_stage, backOf(mapping.stages)) : undefined;
  const priority = exact(detail.priority, mapping.priorities, p.hs_ticket_priority, backOf(mapping.priorities));
  const detailChannel = typeof detail.channel === 'string' && (CHANNELS as readonly string[]).includes(detail.channel) ? (detail.channel as Channel) : undefined;
  const channel = detailChannel && SOURCE_TYPE[detailChannel] === (p.source_type ?? undefined) ? detailChannel : p.source_type ? (SOURCE_BACK[p.source_type] ?? detailChannel ?? 'web_form') : (detailChannel ?? 'web_form');
  const data: PulledRecord<'complaints'>['data'] = { subject: p.subject || `HubSpot ticket ${object.id}`, channel };
  if (p.content) data.description = p.content;
  if (status) data.status = status;
  if (priority) data.priority = priority;
  const ownerId = p.hubspot_owner_id ? mapping.ownersBack.get(p.hubspot_owner_id) : undefined;
  if (ownerId) data.ownerId = ownerId;
  const fields = fieldValues('complaints', p, mapping);
  if (fields) data.fields = fields;
  return data;
}

/** An engagement as local touchpoint fields, or `null` for one that is no contact with a customer (a HubSpot note written there). */
export function touchpointData(type: EngagementType, object: HubSpotObject, mapping: ResolvedMapping): PulledRecord<'touchpoints'>['data'] | null {
  const p = object.properties;
  const detail = readDetail(p[DETAIL_PROPERTY]);
  const detailChannel = typeof detail.channel === 'string' && (CHANNELS as readonly string[]).includes(detail.channel) && mapping.engagements[detail.channel as Channel] === type ? (detail.channel as Channel) : undefined;
  const channel = detailChannel ?? CHANNEL_OF[type];
  if (!channel) return null;
  const occurredAt = isoOf(p.hs_timestamp) ?? isoOf(p.hs_meeting_start_time) ?? object.createdAt;
  const data: PulledRecord<'touchpoints'>['data'] = { channel, occurredAt };
  const detailDirection = detail.direction === 'inbound' || detail.direction === 'outbound' ? detail.direction : undefined;
  let subject: string | undefined;
  let summary: string | undefined;
  if (type === 'calls') {
    data.direction = p.hs_call_direction === 'INBOUND' ? 'inbound' : p.hs_call_direction === 'OUTBOUND' ? 'outbound' : (detailDirection ?? 'outbound');
    subject = p.hs_call_title ?? undefined;
    summary = p.hs_call_body ? htmlToText(p.hs_call_body) : undefined;
    const ms = Number(p.hs_call_duration);
    if (p.hs_call_duration && Number.isFinite(ms) && ms >= 0) data.durationSeconds = Math.round(ms / 1000);
    const detailOutcome = typeof detail.outcome === 'string' ? (detail.outcome as Touchpoint['outcome']) : undefined;
    const coarse = outcomeOf(p.hs_call_disposition);
    const outcome = detailOutcome && disposition(detailOutcome) === p.hs_call_disposition ? detailOutcome : coarse;
    if (outcome) data.outcome = outcome;
  } else if (type === 'emails') {
    data.direction = p.hs_email_direction === 'INCOMING_EMAIL' ? 'inbound' : 'outbound';
    subject = p.hs_email_subject ?? undefined;
    summary = p.hs_email_text ?? undefined;
  } else if (type === 'meetings') {
    data.direction = detailDirection ?? 'outbound';
    subject = p.hs_meeting_title ?? undefined;
    summary = p.hs_meeting_body ? htmlToText(p.hs_meeting_body) : undefined;
    const start = Date.parse(isoOf(p.hs_meeting_start_time) ?? '');
    const end = Date.parse(isoOf(p.hs_meeting_end_time) ?? '');
    if (Number.isFinite(start) && Number.isFinite(end) && end >= start) data.durationSeconds = Math.round((end - start) / 1000);
  } else {
    data.direction = detailDirection ?? 'outbound';
    const body = p.hs_note_body ?? '';
    const heading = /^<p><strong>([\s\S]*?)<\/strong><\/p>/.exec(body);
    if (heading) subject = htmlToText(heading[1]!);
    const rest = heading ? body.slice(heading[0].length) : body;
    summary = rest ? htmlToText(rest) : undefined;
    if (typeof detail.outcome === 'string') data.outcome = detail.outcome as Touchpoint['outcome'];
  }
  if (type !== 'calls' && type !== 'notes' && typeof detail.outcome === 'string') data.outcome = detail.outcome as Touchpoint['outcome'];
  if (subject) data.subject = subject;
  if (summary !== undefined) data.summary = summary;
  const ownerId = p.hubspot_owner_id ? mapping.ownersBack.get(p.hubspot_owner_id) : undefined;
  if (ownerId) data.actorId = ownerId;
  const fields = fieldValues('touchpoints', p, mapping);
  if (fields) data.fields = fields;
  return data;
}

/** The entity an object type holds. */
export const entityOfType = (type: HubSpotObjectType): SyncEntity => (type === 'contacts' ? 'customers' : type === 'tickets' ? 'complaints' : 'touchpoints');

/** Touchpoint remote ids carry their object type (`calls/512`): engagement ids are only known to be unique per type. */
export function engagementRemoteId(type: EngagementType, id: string): string {
  return `${type}/${id}`;
}

/** The object type and HubSpot id of a remote id from the id map. */
export function parseRemoteId(entity: SyncEntity, remoteId: string, mapping: ResolvedMapping): { type: HubSpotObjectType; id: string } | null {
  if (entity === 'customers') return { type: 'contacts', id: remoteId };
  if (entity === 'complaints') return { type: 'tickets', id: remoteId };
  const slash = remoteId.indexOf('/');
  const type = remoteId.slice(0, slash) as EngagementType;
  if (slash < 0 || !ENGAGEMENT_TYPES.includes(type) || !engagementTypes(mapping).includes(type)) return null;
  return { type, id: remoteId.slice(slash + 1) };
}
