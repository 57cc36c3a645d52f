/** Object types, default properties, association types and pipelines of the mock portal. */

/** The object types the mock serves. */
export const OBJECT_TYPES = ['contacts', 'companies', 'tickets', 'notes', 'calls', 'emails', 'meetings', 'tasks'] as const;
/** One of {@link OBJECT_TYPES}. */
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** HubSpot's object type ids. */
export const TYPE_IDS: Record<ObjectType, string> = {
  contacts: '0-1',
  companies: '0-2',
  tickets: '0-5',
  tasks: '0-27',
  notes: '0-46',
  meetings: '0-47',
  calls: '0-48',
  emails: '0-49',
};

const SINGULAR: Record<ObjectType, string> = {
  contacts: 'contact',
  companies: 'company',
  tickets: 'ticket',
  notes: 'note',
  calls: 'call',
  emails: 'email',
  meetings: 'meeting',
  tasks: 'task',
};

/** The singular name (`contact`) used in v3 association type names. */
export function singular(type: ObjectType): string {
  return SINGULAR[type];
}

/** Engagement types: they require `hs_timestamp`. */
export const ENGAGEMENTS: ReadonlySet<ObjectType> = new Set<ObjectType>(['notes', 'calls', 'emails', 'meetings', 'tasks']);

/** Resolves a path segment (`contacts`, `contact`, `0-1`, any case) to an object type. */
export function resolveType(segment: string): ObjectType | undefined {
  const s = segment.toLowerCase();
  for (const type of OBJECT_TYPES) {
    if (type === s || SINGULAR[type] === s || TYPE_IDS[type] === s) return type;
  }
  return undefined;
}

/** The last-modified property of a type. */
export function lastModifiedProperty(type: ObjectType): string {
  return type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

/** A property definition as `GET /crm/v3/properties/{ot}` returns it (subset). */
export interface PropertyDef {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  hasUniqueValue: boolean;
  readOnly: boolean;
  custom: boolean;
  options: Array<{ label: string; value: string }>;
  createdAt: string;
}

type Spec = [name: string, type: string, fieldType: string, options?: string[], readOnly?: boolean];

const TEXT = (name: string): Spec => [name, 'string', 'text'];
const AREA = (name: string): Spec => [name, 'string', 'textarea'];
const NUM = (name: string): Spec => [name, 'number', 'number'];
const DATETIME = (name: string): Spec => [name, 'datetime', 'date'];
const ENUM = (name: string, options: string[]): Spec => [name, 'enumeration', 'select', options];
const RO_DATETIME = (name: string): Spec => [name, 'datetime', 'date', undefined, true];

const COMMON: Spec[] = [['hs_object_id', 'number', 'number', undefined, true], DATETIME('createdate'), TEXT('hubspot_owner_id')];
const ENGAGEMENT_COMMON: Spec[] = [
  DATETIME('hs_timestamp'),
  RO_DATETIME('hs_createdate'),
  RO_DATETIME('hs_lastmodifieddate'),
  TEXT('hs_attachment_ids'),
];

const SPECS: Record<ObjectType, Spec[]> = {
  contacts: [
    TEXT('email'),
    TEXT('firstname'),
    TEXT('lastname'),
    TEXT('phone'),
    TEXT('company'),
    ENUM('lifecyclestage', [
      'subscriber',
      'lead',
      'marketingqualifiedlead',
      'salesqualifiedlead',
      'opportunity',
      'customer',
      'evangelist',
      'other',
    ]),
    RO_DATETIME('lastmodifieddate'),
  ],
  companies: [TEXT('name'), TEXT('domain'), TEXT('phone'), RO_DATETIME('hs_lastmodifieddate')],
  tickets: [
    TEXT('subject'),
    AREA('content'),
    ENUM('hs_pipeline', ['0']),
    ENUM('hs_pipeline_stage', ['1', '2', '3', '4']),
    ENUM('hs_ticket_priority', ['LOW', 'MEDIUM', 'HIGH']),
    ENUM('hs_ticket_category', ['PRODUCT_ISSUE', 'BILLING_ISSUE', 'FEATURE_REQUEST', 'GENERAL_INQUIRY']),
    ENUM('source_type', ['EMAIL', 'CHAT', 'PHONE', 'FORM']),
    DATETIME('closed_date'),
    RO_DATETIME('hs_lastmodifieddate'),
    ['hs_ticket_id', 'number', 'number', undefined, true],
  ],
  notes: [...ENGAGEMENT_COMMON, AREA('hs_note_body')],
  calls: [
    ...ENGAGEMENT_COMMON,
    TEXT('hs_call_title'),
    AREA('hs_call_body'),
    ENUM('hs_call_direction', ['INBOUND', 'OUTBOUND']),
    NUM('hs_call_duration'),
    TEXT('hs_call_disposition'),
    ENUM('hs_call_status', [
      'BUSY',
      'CALLING_CRM_USER',
      'CANCELED',
      'COMPLETED',
      'CONNECTING',
      'FAILED',
      'IN_PROGRESS',
      'NO_ANSWER',
      'QUEUED',
      'RINGING',
    ]),
    TEXT('hs_call_from_number'),
    TEXT('hs_call_to_number'),
    TEXT('hs_call_recording_url'),
    TEXT('hs_call_callee_object_id'),
    TEXT('hs_call_callee_object_type_id'),
    TEXT('hs_activity_type'),
  ],
  emails: [
    ...ENGAGEMENT_COMMON,
    ENUM('hs_email_direction', ['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL']),
    TEXT('hs_email_subject'),
    AREA('hs_email_text'),
    AREA('hs_email_html'),
    ENUM('hs_email_status', ['BOUNCED', 'FAILED', 'SCHEDULED', 'SENDING', 'SENT']),
    AREA('hs_email_headers'),
  ],
  meetings: [
    ...ENGAGEMENT_COMMON,
    TEXT('hs_meeting_title'),
    AREA('hs_meeting_body'),
    AREA('hs_internal_meeting_notes'),
    TEXT('hs_meeting_external_url'),
    TEXT('hs_meeting_location'),
    DATETIME('hs_meeting_start_time'),
    DATETIME('hs_meeting_end_time'),
    ENUM('hs_meeting_outcome', ['SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED']),
    TEXT('hs_activity_type'),
  ],
  tasks: [
    ...ENGAGEMENT_COMMON,
    TEXT('hs_task_subject'),
    AREA('hs_task_body'),
    ENUM('hs_task_status', ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'DEFERRED', 'COMPLETED']),
    ENUM('hs_task_priority', ['NONE', 'LOW', 'MEDIUM', 'HIGH']),
    ENUM('hs_task_type', ['TODO', 'CALL', 'EMAIL']),
  ],
};

/** Builds the default property catalogue of a type. */
export function defaultProperties(type: ObjectType, createdAt: string): Map<string, PropertyDef> {
  const map = new Map<string, PropertyDef>();
  for (const [name, ptype, fieldType, options, readOnly] of [...COMMON, ...SPECS[type]]) {
    map.set(name, {
      name,
      label: name,
      type: ptype,
      fieldType,
      groupName: `${SINGULAR[type]}information`,
      hasUniqueValue: false,
      readOnly: readOnly ?? false,
      custom: false,
      options: (options ?? []).map((value) => ({ label: value, value })),
      createdAt,
    });
  }
  return map;
}

/** Properties returned when a request names none (HubSpot's search defaults, also used for reads). */
export const DEFAULT_RETURNED: Record<ObjectType, string[]> = {
  contacts: ['firstname', 'lastname', 'email', 'lastmodifieddate', 'hs_object_id', 'createdate'],
  companies: ['name', 'domain', 'createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  tickets: [
    'content',
    'hs_pipeline',
    'hs_pipeline_stage',
    'hs_ticket_category',
    'hs_ticket_priority',
    'subject',
    'createdate',
    'hs_lastmodifieddate',
    'hs_object_id',
  ],
  notes: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  calls: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  emails: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  meetings: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

/** A HubSpot-defined association type between two object types. */
export interface AssociationTypeDef {
  from: ObjectType;
  to: ObjectType;
  typeId: number;
  inverseTypeId: number;
  label: string | null;
  /** The unlabeled default of the pair (used by the `default` endpoints). */
  isDefault: boolean;
}

const PAIRS: Array<[ObjectType, ObjectType, number, number, string | null, boolean]> = [
  ['notes', 'contacts', 202, 201, null, true],
  ['notes', 'companies', 190, 189, null, true],
  ['notes', 'tickets', 228, 227, null, true],
  ['calls', 'contacts', 194, 193, null, true],
  ['calls', 'companies', 182, 181, null, true],
  ['calls', 'tickets', 220, 219, null, true],
  ['emails', 'contacts', 198, 197, null, true],
  ['emails', 'companies', 186, 185, null, true],
  ['emails', 'tickets', 224, 223, null, true],
  ['meetings', 'contacts', 200, 199, null, true],
  ['meetings', 'companies', 188, 187, null, true],
  ['meetings', 'tickets', 226, 225, null, true],
  ['tasks', 'contacts', 204, 203, null, true],
  ['tasks', 'companies', 192, 191, null, true],
  ['tasks', 'tickets', 230, 229, null, true],
  ['tickets', 'contacts', 16, 15, null, true],
  ['tickets', 'companies', 339, 340, null, true],
  ['tickets', 'companies', 26, 25, 'Primary', false],
  ['contacts', 'companies', 279, 280, null, true],
  ['contacts', 'companies', 1, 2, 'Primary', false],
];

/** Every HubSpot-defined association type, both directions. */
export const ASSOCIATION_TYPES: AssociationTypeDef[] = [
  ...PAIRS.map(([from, to, typeId, inverseTypeId, label, isDefault]) => ({ from, to, typeId, inverseTypeId, label, isDefault })),
  ...PAIRS.map(([from, to, typeId, inverseTypeId, label, isDefault]) => ({
    from: to,
    to: from,
    typeId: inverseTypeId,
    inverseTypeId: typeId,
    label,
    isDefault,
  })),
  { from: 'tickets', to: 'tickets', typeId: 452, inverseTypeId: 452, label: null, isDefault: true },
];

/** The association type with this id from `from` to `to`. */
export function findAssociationType(from: ObjectType, to: ObjectType, typeId: number): AssociationTypeDef | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.typeId === typeId);
}

/** The association type with this id from `from`, whatever the target type. */
export function findAssociationTypeFrom(from: ObjectType, typeId: number): AssociationTypeDef | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.typeId === typeId);
}

/** The unlabeled default association type of a pair. */
export function defaultAssociationType(from: ObjectType, to: ObjectType): AssociationTypeDef | undefined {
  return ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.isDefault);
}

/** The default ticket pipeline. */
export const TICKET_PIPELINE = {
  id: '0',
  label: 'Support Pipeline',
  stages: [
    { id: '1', label: 'New', ticketState: 'OPEN' },
    { id: '2', label: 'Waiting on contact', ticketState: 'OPEN' },
    { id: '3', label: 'Waiting on us', ticketState: 'OPEN' },
    { id: '4', label: 'Closed', ticketState: 'CLOSED' },
  ],
} as const;
