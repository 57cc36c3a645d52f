/** The mock portal's state: records with search-visible versions, properties, associations. */
import {
  type AssociationTypeDef,
  type ObjectType,
  type PropertyDef,
  ASSOCIATION_TYPES,
  ENGAGEMENTS,
  OBJECT_TYPES,
  TYPE_IDS,
  defaultProperties,
  findAssociationTypeFrom,
  lastModifiedProperty,
  singular,
} from './catalogue.js';
import { type PropertyIssue, conflict, propertyError, validationError } from './errors.js';
import type { Prng } from './prng.js';
import type { HubSpotObject } from './types.js';

/** One value in a property's history, newest first. */
export interface HistoryEntry {
  value: string;
  timestamp: string;
  sourceType: string;
}

/** A state of a record as the search index will see it from `visibleAt` on. */
export interface RecordVersion {
  visibleAt: number;
  properties: Record<string, string>;
  updatedAt: number;
  archived: boolean;
}

/** A stored record. */
export interface StoredRecord {
  id: string;
  type: ObjectType;
  properties: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  history: Record<string, HistoryEntry[]>;
  versions: RecordVersion[];
}

/** An inline association on create (`{to:{id}, types:[…]}`). */
export interface InlineAssociation {
  to?: { id?: unknown };
  types?: Array<{ associationCategory?: unknown; associationTypeId?: unknown }>;
}

/** A validated association waiting to be written. */
export interface PlannedAssociation {
  def: AssociationTypeDef;
  toId: string;
}

/** Inputs of {@link createStore}. */
export interface StoreContext {
  now: () => number;
  ids: Prng;
  lag: () => number;
  uniqueCapable: ReadonlySet<string>;
}

/** Compares unique values the way HubSpot compares emails: trimmed, case-insensitive. */
function uniqueKey(value: string): string {
  return value.trim().toLowerCase();
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Parses a datetime input (epoch ms or ISO) to ms, or undefined. */
export function parseDateTime(value: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The store API used by the handlers and the mock's direct methods. */
export type Store = ReturnType<typeof createStore>;

/** Creates an empty portal. */
export function createStore(ctx: StoreContext) {
  const records = new Map<ObjectType, Map<string, StoredRecord>>();
  const catalogue = new Map<ObjectType, Map<string, PropertyDef>>();
  /** `${fromType}|${fromId}|${toType}` → toId → type ids. */
  const edges = new Map<string, Map<string, Set<number>>>();
  let lastId = ctx.ids.int(10_000, 99_999) * 10;

  for (const type of OBJECT_TYPES) {
    records.set(type, new Map());
    catalogue.set(type, defaultProperties(type, iso(ctx.now())));
  }

  const table = (type: ObjectType): Map<string, StoredRecord> => records.get(type) as Map<string, StoredRecord>;
  const props = (type: ObjectType): Map<string, PropertyDef> => catalogue.get(type) as Map<string, PropertyDef>;

  /** Properties with unique values on a type (contact email included). */
  function uniqueProperties(type: ObjectType): string[] {
    const out: string[] = [];
    for (const def of props(type).values()) if (def.hasUniqueValue) out.push(def.name);
    if (type === 'contacts') out.unshift('email');
    return out;
  }

  function isUnique(type: ObjectType, name: string): boolean {
    return uniqueProperties(type).includes(name);
  }

  /** The live record holding `value` in the unique property `name`. */
  function findByUnique(type: ObjectType, name: string, value: string): StoredRecord | undefined {
    return uniqueIndex(type, name).get(uniqueKey(value));
  }

  /**
   * Live records by the normalised value of one property, built on first use and kept up to date by
   * `record()` and `archiveRecord()` (a scan per look-up made big portals quadratic to fill).
   */
  const indexes = new Map<string, Map<string, StoredRecord>>();
  function uniqueIndex(type: ObjectType, name: string): Map<string, StoredRecord> {
    const id = `${type}|${name}`;
    let index = indexes.get(id);
    if (!index) {
      index = new Map();
      for (const rec of table(type).values()) {
        const v = rec.properties[name];
        if (!rec.archived && v !== undefined && !index.has(uniqueKey(v))) index.set(uniqueKey(v), rec);
      }
      indexes.set(id, index);
    }
    return index;
  }
  function unindex(rec: StoredRecord, name: string): void {
    const index = indexes.get(`${rec.type}|${name}`);
    const v = rec.properties[name];
    if (index && v !== undefined && index.get(uniqueKey(v)) === rec) index.delete(uniqueKey(v));
  }

  /** Throws 409 if another live record holds one of the unique values in `properties`. */
  function checkUnique(type: ObjectType, properties: Record<string, string>, selfId?: string): void {
    for (const name of uniqueProperties(type)) {
      const value = properties[name];
      if (value === undefined || value === '') continue;
      const holder = findByUnique(type, name, value);
      if (holder && holder.id !== selfId) {
        throw conflict(
          type === 'contacts' && name === 'email'
            ? `Contact already exists. Existing ID: ${holder.id}`
            : `A ${singular(type)} with the unique value "${value}" for property "${name}" already exists. Existing ID: ${holder.id}`,
        );
      }
    }
  }

  /**
   * Checks and normalises written properties: unknown, read-only, badly typed values and
   * required properties on create. Returns string values (datetimes as ISO; `""` kept to clear).
   */
  function validateProperties(type: ObjectType, input: unknown, mode: 'create' | 'update'): Record<string, string> {
    if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) {
      throw validationError('Invalid input JSON: "properties" must be an object');
    }
    const out: Record<string, string> = {};
    const issues: PropertyIssue[] = [];
    const catalog = props(type);
    for (const [name, raw] of Object.entries((input ?? {}) as Record<string, unknown>)) {
      const def = catalog.get(name);
      if (!def) {
        issues.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
        continue;
      }
      if (def.readOnly) {
        issues.push({ name, error: 'READ_ONLY_VALUE', message: `"${name}" is a read only property; its value cannot be set.` });
        continue;
      }
      const value = raw === null || raw === undefined ? '' : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
      if (value === '') {
        out[name] = '';
        continue;
      }
      if (def.type === 'number' && !/^-?\d+(\.\d+)?$/.test(value.trim())) {
        issues.push({ name, error: 'INVALID_INTEGER', message: `${value} was not a valid number.` });
        continue;
      }
      if (def.type === 'datetime') {
        const ms = parseDateTime(value);
        if (ms === undefined) {
          issues.push({ name, error: 'INVALID_DATE', message: `${value} was not a valid date or datetime.` });
          continue;
        }
        out[name] = iso(ms);
        continue;
      }
      if (type === 'contacts' && name === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value.trim())) {
        issues.push({ name, error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` });
        continue;
      }
      if (def.type === 'enumeration' && def.options.length > 0 && !def.options.some((o) => o.value === value)) {
        issues.push({
          name,
          error: 'INVALID_OPTION',
          message: `${value} was not one of the allowed options: [${def.options.map((o) => o.value).join(', ')}]`,
        });
        continue;
      }
      out[name] = value;
    }
    if (mode === 'create') {
      const required = ENGAGEMENTS.has(type) ? ['hs_timestamp'] : type === 'tickets' ? ['hs_pipeline_stage'] : [];
      for (const name of required) {
        if (!out[name]) issues.push({ name, error: 'REQUIRED_FIELD', message: `Property "${name}" is required` });
      }
    }
    if (issues.length > 0) throw propertyError(issues);
    return out;
  }

  /** Checks inline associations of a create (types of the reference table, live targets). */
  function planAssociations(type: ObjectType, input: unknown): PlannedAssociation[] {
    if (input === undefined || input === null) return [];
    if (!Array.isArray(input)) throw validationError('Invalid input JSON: "associations" must be an array');
    const planned: PlannedAssociation[] = [];
    const problems: string[] = [];
    for (const item of input as InlineAssociation[]) {
      const toId = item?.to?.id;
      const types = item?.types;
      if ((typeof toId !== 'string' && typeof toId !== 'number') || !Array.isArray(types) || types.length === 0) {
        problems.push('each association needs to.id and at least one type');
        continue;
      }
      for (const t of types) {
        const typeId = Number(t.associationTypeId);
        const def = t.associationCategory === 'HUBSPOT_DEFINED' ? findAssociationTypeFrom(type, typeId) : undefined;
        if (!def) {
          problems.push(
            `${String(t.associationCategory)} association type ${String(t.associationTypeId)} is not valid from ${TYPE_IDS[type]}`,
          );
          continue;
        }
        const target = table(def.to).get(String(toId));
        if (!target || target.archived) {
          problems.push(`${TYPE_IDS[def.to]} ${String(toId)} does not exist`);
          continue;
        }
        planned.push({ def, toId: String(toId) });
      }
    }
    if (problems.length > 0) {
      throw validationError('One or more associations are invalid', { context: { ASSOCIATION_ERRORS: problems } });
    }
    return planned;
  }

  function pushVersion(rec: StoredRecord): void {
    const at = ctx.now();
    rec.versions.push({ visibleAt: at + ctx.lag(), properties: { ...rec.properties }, updatedAt: rec.updatedAt, archived: rec.archived });
    // Keep the newest version already visible and everything after it.
    let lastVisible = -1;
    rec.versions.forEach((v, i) => {
      if (v.visibleAt <= at) lastVisible = i;
    });
    if (lastVisible > 0) rec.versions.splice(0, lastVisible);
  }

  function record(rec: StoredRecord, name: string, value: string, sourceType: string, at: number): void {
    unindex(rec, name);
    if (value === '') delete rec.properties[name];
    else rec.properties[name] = value;
    const index = indexes.get(`${rec.type}|${name}`);
    if (index && value !== '' && !rec.archived && !index.has(uniqueKey(value))) index.set(uniqueKey(value), rec);
    (rec.history[name] ??= []).unshift({ value, timestamp: iso(at), sourceType });
  }

  /** Writes a new record from already validated properties. */
  function insert(type: ObjectType, properties: Record<string, string>, sourceType = 'API'): StoredRecord {
    const at = ctx.now();
    lastId += ctx.ids.int(1, 97);
    const id = String(lastId);
    const rec: StoredRecord = { id, type, properties: {}, createdAt: at, updatedAt: at, archived: false, history: {}, versions: [] };
    const system: Record<string, string> = { hs_object_id: id, createdate: iso(at), [lastModifiedProperty(type)]: iso(at) };
    if (ENGAGEMENTS.has(type)) system['hs_createdate'] = iso(at);
    if (type === 'tickets') {
      system['hs_ticket_id'] = id;
      if (!properties['hs_pipeline']) system['hs_pipeline'] = '0';
    }
    for (const [name, value] of Object.entries({ ...properties, ...system })) record(rec, name, value, sourceType, at);
    if (properties['createdate']) record(rec, 'createdate', properties['createdate'], sourceType, at);
    table(type).set(id, rec);
    pushVersion(rec);
    return rec;
  }

  /** Applies already validated properties to a record and bumps its last-modified date. */
  function applyUpdate(rec: StoredRecord, properties: Record<string, string>, sourceType = 'API'): StoredRecord {
    const at = Math.max(ctx.now(), rec.updatedAt);
    for (const [name, value] of Object.entries(properties)) record(rec, name, value, sourceType, at);
    rec.updatedAt = at;
    record(rec, lastModifiedProperty(rec.type), iso(at), sourceType, at);
    pushVersion(rec);
    return rec;
  }

  function archiveRecord(rec: StoredRecord): void {
    if (rec.archived) return;
    const at = ctx.now();
    for (const name of Object.keys(rec.properties)) unindex(rec, name);
    rec.archived = true;
    rec.archivedAt = at;
    rec.updatedAt = at;
    pushVersion(rec);
  }

  function associate(def: AssociationTypeDef, fromId: string, toId: string): void {
    const add = (from: ObjectType, a: string, to: ObjectType, b: string, typeId: number): void => {
      const key = `${from}|${a}|${to}`;
      let map = edges.get(key);
      if (!map) edges.set(key, (map = new Map()));
      let set = map.get(b);
      if (!set) map.set(b, (set = new Set()));
      set.add(typeId);
    };
    add(def.from, fromId, def.to, toId, def.typeId);
    add(def.to, toId, def.from, fromId, def.inverseTypeId);
    if (def.label !== null) {
      // A labelled association always carries the unlabeled one too.
      for (const d of ASSOCIATION_TYPES.filter((t) => t.from === def.from && t.to === def.to && t.isDefault)) {
        add(d.from, fromId, d.to, toId, d.typeId);
        add(d.to, toId, d.from, fromId, d.inverseTypeId);
      }
    }
  }

  /** Removes every association between two records (both directions). */
  function dissociate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): void {
    edges.get(`${fromType}|${fromId}|${toType}`)?.delete(toId);
    edges.get(`${toType}|${toId}|${fromType}`)?.delete(fromId);
  }

  /** Removes some association types between two records (and their inverses). */
  function dissociateTypes(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, defs: AssociationTypeDef[]): void {
    const forward = edges.get(`${fromType}|${fromId}|${toType}`)?.get(toId);
    const back = edges.get(`${toType}|${toId}|${fromType}`)?.get(fromId);
    for (const def of defs) {
      if (def.isDefault) {
        dissociate(fromType, fromId, toType, toId);
        return;
      }
      forward?.delete(def.typeId);
      back?.delete(def.inverseTypeId);
    }
  }

  /** Associations of a record to live records of `toType`, ordered by id. */
  function associationsOf(fromType: ObjectType, fromId: string, toType: ObjectType): Array<{ toId: string; typeIds: number[] }> {
    const map = edges.get(`${fromType}|${fromId}|${toType}`);
    if (!map) return [];
    const out: Array<{ toId: string; typeIds: number[] }> = [];
    for (const [toId, set] of map) {
      const target = table(toType).get(toId);
      if (set.size > 0 && target && !target.archived) out.push({ toId, typeIds: [...set].sort((a, b) => a - b) });
    }
    return out.sort((a, b) => Number(a.toId) - Number(b.toId));
  }

  return {
    table,
    props,
    uniqueProperties,
    isUnique,
    findByUnique,
    checkUnique,
    validateProperties,
    planAssociations,
    insert,
    applyUpdate,
    archiveRecord,
    associate,
    dissociate,
    dissociateTypes,
    associationsOf,
    /** Adds a custom property (`POST /crm/v3/properties/{ot}`). */
    addProperty(type: ObjectType, input: Record<string, unknown>): PropertyDef {
      const missing = ['name', 'label', 'type', 'fieldType', 'groupName'].filter((k) => typeof input[k] !== 'string' || input[k] === '');
      if (missing.length > 0) throw validationError(`Invalid input JSON: missing required fields: ${missing.join(', ')}`);
      const name = input['name'] as string;
      if (!/^[a-z][a-z0-9_]*$/.test(name))
        throw validationError(`Property name "${name}" is invalid: use lowercase letters, digits and underscores`);
      if (props(type).has(name)) throw conflict(`A property named '${name}' already exists.`);
      const hasUniqueValue = input['hasUniqueValue'] === true;
      if (hasUniqueValue) {
        if (!ctx.uniqueCapable.has(type)) {
          throw validationError(`Unique value properties are not supported for object type ${TYPE_IDS[type]}`);
        }
        const count = [...props(type).values()].filter((p) => p.hasUniqueValue).length;
        if (count >= 10) throw validationError(`Object type ${TYPE_IDS[type]} already has the maximum of 10 unique value properties`);
      }
      const options = Array.isArray(input['options'])
        ? (input['options'] as Array<Record<string, unknown>>).map((o) => ({
            label: String(o['label'] ?? o['value']),
            value: String(o['value']),
          }))
        : [];
      const def: PropertyDef = {
        name,
        label: input['label'] as string,
        type: input['type'] as string,
        fieldType: input['fieldType'] as string,
        groupName: input['groupName'] as string,
        hasUniqueValue,
        readOnly: false,
        custom: true,
        options,
        createdAt: iso(ctx.now()),
      };
      props(type).set(name, def);
      return def;
    },
    /** A record as seen by search now: its newest visible version, or undefined. */
    visible(rec: StoredRecord): RecordVersion | undefined {
      const at = ctx.now();
      let found: RecordVersion | undefined;
      for (const v of rec.versions) if (v.visibleAt <= at) found = v;
      return found && !found.archived && !rec.archived ? found : undefined;
    },
    /** Public snapshot of a record with every stored property. */
    snapshot(rec: StoredRecord): HubSpotObject {
      return {
        id: rec.id,
        properties: { ...rec.properties },
        createdAt: iso(rec.createdAt),
        updatedAt: iso(rec.updatedAt),
        archived: rec.archived,
        ...(rec.archivedAt !== undefined ? { archivedAt: iso(rec.archivedAt) } : {}),
      };
    },
    /** Throws 400 unless `name` is a unique property of `type` usable as idProperty. */
    requireIdProperty(type: ObjectType, name: string): void {
      if (!isUnique(type, name)) {
        throw validationError(`Unable to perform update/upsert by non-unique ${TYPE_IDS[type]} property ${name}`);
      }
    },
  };
}
