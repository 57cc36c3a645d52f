import { CrmValidationError, type DeclaredField, type FieldValues, type JsonValue } from '@crm/core';

/**
 * Custom fields in remote CRMs: the names a declared field has there (`remote: { hubspot,
 * salesforce }`), the conversion of its values each way, and the definitions an adapter's setup
 * creates when the remote lacks the property. HubSpot sends and returns every property value as
 * a string (`"17"`, `"false"`, dates as `YYYY-MM-DD` or midnight-UTC milliseconds); Salesforce
 * types its fields in JSON (numbers, booleans, dates `YYYY-MM-DD`, date-times with an offset
 * written `+0000`).
 *
 * @module
 */

/** A remote CRM a field can be mapped to. */
export type RemoteSystem = 'hubspot' | 'salesforce';

/** A declared field with its name in one remote. */
export interface RemoteField {
  readonly field: DeclaredField;
  /** The property (HubSpot) or field API name (Salesforce). */
  readonly remoteName: string;
}

/** What a remote holds for one property: HubSpot strings, Salesforce JSON scalars. */
export type RemoteValue = string | number | boolean | null;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS = /^-?\d{1,15}$/;

/** The declared fields of an entity that have a name in `system`, in declaration order. */
export function remoteFields(fields: readonly DeclaredField[], system: RemoteSystem): RemoteField[] {
  return fields.flatMap((field) => {
    const remoteName = field.remote[system];
    return remoteName === undefined ? [] : [{ field, remoteName }];
  });
}

function isDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** An instant given as ISO 8601 (any offset, `+0000` included) or epoch milliseconds, as a UTC ISO string; `null` if neither. */
function instant(value: string | number): string | null {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const ms = MS.test(text) ? Number(text) : Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

const problem = (field: DeclaredField, message: string): never => {
  throw CrmValidationError.field(`${field.entity} fields`, ['fields', field.name], message);
};

/**
 * A stored value as `system` wants it. `undefined` and `null` clear the remote value (`""` for
 * HubSpot, `null` for Salesforce). A value that doesn't fit the field's type (a date that isn't
 * `YYYY-MM-DD`, an option not in the enumeration) is a `CrmValidationError` naming the field.
 */
export function toRemoteValue(field: DeclaredField, value: JsonValue | undefined, system: RemoteSystem): RemoteValue {
  const hubspot = system === 'hubspot';
  if (value === undefined || value === null) return hubspot ? '' : null;
  switch (field.type) {
    case 'number':
      if (typeof value !== 'number') return problem(field, 'expected a number to send');
      return hubspot ? String(value) : value;
    case 'boolean':
      if (typeof value !== 'boolean') return problem(field, 'expected a boolean to send');
      return hubspot ? String(value) : value;
    case 'date':
      if (typeof value !== 'string' || !isDate(value)) return problem(field, 'expected a date as "YYYY-MM-DD" to send');
      return value;
    case 'datetime': {
      const iso = typeof value === 'string' ? instant(value) : null;
      if (iso === null) return problem(field, 'expected an ISO 8601 instant to send');
      return iso;
    }
    case 'enumeration':
      if (typeof value !== 'string' || !field.options?.includes(value)) {
        return problem(field, `expected one of the options (${(field.options ?? []).map((o) => `"${o}"`).join(', ')}) to send`);
      }
      return value;
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'json':
      return JSON.stringify(value);
  }
}

/**
 * A remote value as the field stores it, or `undefined` when the remote holds none (HubSpot's
 * `""` and `null`, Salesforce's `null`). A value that can't be read as the field's type is a
 * `CrmValidationError` naming the field (the pull reports it for the record, it doesn't guess).
 */
export function fromRemoteValue(field: DeclaredField, raw: unknown, system: RemoteSystem): JsonValue | undefined {
  if (raw === null || raw === undefined || (system === 'hubspot' && raw === '')) return undefined;
  switch (field.type) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      return Number.isFinite(n) ? n : problem(field, `the remote value is not a number`);
    }
    case 'boolean':
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      return problem(field, 'the remote value is not a boolean');
    case 'date': {
      if (typeof raw === 'string' && isDate(raw)) return raw;
      // HubSpot date properties may come back as midnight-UTC epoch milliseconds.
      const iso = typeof raw === 'string' || typeof raw === 'number' ? instant(raw) : null;
      return iso === null ? problem(field, 'the remote value is not a date') : iso.slice(0, 10);
    }
    case 'datetime': {
      const iso = typeof raw === 'string' || typeof raw === 'number' ? instant(raw) : null;
      return iso === null ? problem(field, 'the remote value is not an instant') : iso;
    }
    case 'enumeration':
      if (typeof raw !== 'string') return problem(field, 'the remote value is not an option');
      return raw;
    case 'string':
      return typeof raw === 'string' ? raw : String(raw);
    case 'json':
      if (typeof raw !== 'string') return raw as JsonValue;
      try {
        return JSON.parse(raw) as JsonValue;
      } catch {
        return problem(field, 'the remote value is not JSON');
      }
  }
}

/** A record's fields as remote properties, by remote name: every mapped field (absent ones clear the remote value). */
export function toRemoteProperties(fields: readonly RemoteField[], values: FieldValues | undefined, system: RemoteSystem): Record<string, RemoteValue> {
  const out: Record<string, RemoteValue> = {};
  for (const { field, remoteName } of fields) out[remoteName] = toRemoteValue(field, values?.[field.name], system);
  return out;
}

/**
 * Remote properties as a record's fields: the mapped fields the remote holds a value for. Each
 * value that can't be read is reported in `errors` (and left out), so one bad property doesn't
 * lose the record.
 */
export function fromRemoteProperties(
  fields: readonly RemoteField[],
  properties: Readonly<Record<string, unknown>>,
  system: RemoteSystem,
): { values: FieldValues; errors: CrmValidationError[] } {
  const values: FieldValues = {};
  const errors: CrmValidationError[] = [];
  for (const { field, remoteName } of fields) {
    try {
      const value = fromRemoteValue(field, properties[remoteName], system);
      if (value !== undefined) values[field.name] = value;
    } catch (error) {
      if (error instanceof CrmValidationError) errors.push(error);
      else throw error;
    }
  }
  return { values, errors };
}

/** The label of a field for a remote's admin UI: the English label, else the name. */
const labelOf = (field: DeclaredField) => field.labels.en ?? field.name;

/**
 * The body of HubSpot's create-property request (`POST /crm/v3/properties/{objectType}`) for a
 * mapped field: `type` and `fieldType` from the field's type, enumeration options, the label and
 * description. An adapter's setup sends it when the property is missing.
 */
export function hubspotPropertyDefinition(field: DeclaredField, options: { groupName: string }): Record<string, unknown> {
  const name = field.remote.hubspot;
  if (name === undefined) problem(field, 'has no HubSpot name (remote.hubspot)');
  const [type, fieldType] = (
    {
      string: ['string', 'text'],
      json: ['string', 'textarea'],
      number: ['number', 'number'],
      boolean: ['bool', 'booleancheckbox'],
      date: ['date', 'date'],
      datetime: ['datetime', 'date'],
      enumeration: ['enumeration', 'select'],
    } as const
  )[field.type];
  return {
    name,
    label: labelOf(field),
    groupName: options.groupName,
    type,
    fieldType,
    ...(field.description === undefined ? {} : { description: field.description }),
    ...(field.type === 'boolean'
      ? { options: [{ label: 'Yes', value: 'true', displayOrder: 0 }, { label: 'No', value: 'false', displayOrder: 1 }] }
      : field.type === 'enumeration'
      ? { options: (field.options ?? []).map((value, displayOrder) => ({ label: value, value, displayOrder })) }
      : {}),
  };
}

/**
 * The Tooling API body (`POST /services/data/vXX.X/tooling/sobjects/CustomField`) that creates a
 * mapped field on `sobject` (`Contact`, `Case`, `Task`): the Metadata type from the field's type
 * (Text 255, LongTextArea for JSON, Number 18,0 or 18,6, Checkbox, Date, DateTime, Picklist).
 */
export function salesforceFieldDefinition(field: DeclaredField, sobject: string): Record<string, unknown> {
  const name = field.remote.salesforce;
  if (name === undefined) problem(field, 'has no Salesforce name (remote.salesforce)');
  if (!name!.endsWith('__c')) problem(field, `"${name}" is a standard field: only custom fields (…__c) can be created`);
  const integer = field.jsonSchema?.type === 'integer';
  const metadata: Record<string, unknown> = { label: labelOf(field).slice(0, 40) };
  switch (field.type) {
    case 'string':
      Object.assign(metadata, { type: 'Text', length: 255 });
      break;
    case 'json':
      Object.assign(metadata, { type: 'LongTextArea', length: 131_072, visibleLines: 5 });
      break;
    case 'number':
      Object.assign(metadata, { type: 'Number', precision: 18, scale: integer ? 0 : 6 });
      break;
    case 'boolean':
      Object.assign(metadata, { type: 'Checkbox', defaultValue: false });
      break;
    case 'date':
      metadata.type = 'Date';
      break;
    case 'datetime':
      metadata.type = 'DateTime';
      break;
    case 'enumeration':
      Object.assign(metadata, {
        type: 'Picklist',
        valueSet: { restricted: true, valueSetDefinition: { value: (field.options ?? []).map((value) => ({ fullName: value, label: value, default: false })) } },
      });
      break;
  }
  if (field.description !== undefined) metadata.description = field.description;
  return { FullName: `${sobject}.${name}`, Metadata: metadata };
}
