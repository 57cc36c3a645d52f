/** Turns stored records into the JSON shapes HubSpot answers with. */
import {
  type ObjectType,
  ASSOCIATION_TYPES,
  DEFAULT_RETURNED,
  ENGAGEMENTS,
  TYPE_IDS,
  lastModifiedProperty,
  singular,
} from './catalogue.js';
import type { Json } from './errors.js';
import type { RecordVersion, Store, StoredRecord } from './store.js';

/** What to include in a serialised record. */
export interface ShapeOptions {
  /** Property names asked for; undefined → the type's defaults; 'all' → every stored value. */
  properties?: string[] | 'all';
  propertiesWithHistory?: string[];
  associations?: ObjectType[];
  /** Serialise this (search) version instead of the current state. */
  version?: RecordVersion;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The v3 association type name (`contact_to_company`, `contact_to_company_unlabeled`). */
function v3TypeName(from: ObjectType, to: ObjectType, typeId: number): string {
  const def = ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.typeId === typeId);
  const base = `${singular(from)}_to_${singular(to)}`;
  const hasPrimary = ASSOCIATION_TYPES.some((t) => t.from === from && t.to === to && t.label === 'Primary');
  return def && def.label === null && hasPrimary ? `${base}_unlabeled` : base;
}

/** System properties every read returns, whatever was asked for. */
function alwaysReturned(type: ObjectType): string[] {
  return ENGAGEMENTS.has(type)
    ? ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate']
    : ['hs_object_id', 'createdate', lastModifiedProperty(type)];
}

/** A `SimplePublicObject`. */
export function shapeRecord(store: Store, rec: StoredRecord, opts: ShapeOptions = {}): Json {
  const source = opts.version?.properties ?? rec.properties;
  const properties: Record<string, string | null> = {};
  if (opts.properties === 'all') {
    Object.assign(properties, source);
  } else {
    const catalog = store.props(rec.type);
    const names = opts.properties && opts.properties.length > 0 ? opts.properties : DEFAULT_RETURNED[rec.type];
    for (const name of [...names, ...alwaysReturned(rec.type)]) {
      if (catalog.has(name)) properties[name] = source[name] ?? null;
    }
  }
  const out: Json = {
    id: rec.id,
    properties,
    createdAt: iso(rec.createdAt),
    updatedAt: iso(opts.version?.updatedAt ?? rec.updatedAt),
    archived: rec.archived,
  };
  if (rec.archived && rec.archivedAt !== undefined) out['archivedAt'] = iso(rec.archivedAt);
  if (opts.propertiesWithHistory && opts.propertiesWithHistory.length > 0) {
    const history: Record<string, unknown[]> = {};
    for (const name of opts.propertiesWithHistory) {
      const entries = rec.history[name];
      if (entries) history[name] = entries.map((e) => ({ ...e }));
    }
    out['propertiesWithHistory'] = history;
  }
  if (opts.associations && opts.associations.length > 0) {
    const assoc: Json = {};
    for (const toType of opts.associations) {
      const list = store.associationsOf(rec.type, rec.id, toType);
      if (list.length === 0) continue;
      assoc[toType] = {
        results: list.flatMap((a) => a.typeIds.map((typeId) => ({ id: a.toId, type: v3TypeName(rec.type, toType, typeId) }))),
      };
    }
    if (Object.keys(assoc).length > 0) out['associations'] = assoc;
  }
  return out;
}

/** The v4 `associationTypes` of one association. */
export function shapeAssociationTypes(from: ObjectType, to: ObjectType, typeIds: number[]): Json[] {
  return typeIds.map((typeId) => {
    const def = ASSOCIATION_TYPES.find((t) => t.from === from && t.to === to && t.typeId === typeId);
    return { category: 'HUBSPOT_DEFINED', typeId, label: def?.label ?? null };
  });
}

/** The v4 `LabelsBetweenObjectPair` shape (ids as numbers, as in HubSpot's examples). */
export function shapeLabels(from: ObjectType, fromId: string, to: ObjectType, toId: string, typeIds: number[]): Json {
  return {
    fromObjectTypeId: TYPE_IDS[from],
    fromObjectId: Number(fromId),
    toObjectTypeId: TYPE_IDS[to],
    toObjectId: Number(toId),
    labels: shapeAssociationTypes(from, to, typeIds)
      .map((t) => t['label'])
      .filter((l): l is string => typeof l === 'string'),
  };
}
