import { canonicalLocale } from '../schemas/plain.js';
import type { EntityName } from '../store/types.js';
import { isStandardSchema, type StandardSchemaV1 } from './standardSchema.js';

/**
 * What a custom-field declaration says, read without checking it: the types of a declaration,
 * and each field's labels, remote names and conversion type. `fieldRegistry` checks a declaration
 * and then reads it with these; a client of the service API (`remoteCrm`), whose server checks
 * and validates, reads it with {@link describeFields} alone and stays small.
 *
 * @module
 */

/** How a field's values are converted for a remote CRM: HubSpot and Salesforce type their properties. */
export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'enumeration' | 'json';

export const FIELD_TYPES: readonly FieldType[] = ['string', 'number', 'boolean', 'date', 'datetime', 'enumeration', 'json'];

/** A field's names in remote CRMs, for the sync adapters. */
export interface FieldRemoteNames {
  /** The HubSpot property's internal name: lower-case letters, digits and `_` (`crm_tier`). */
  readonly hubspot?: string;
  /** The Salesforce field's API name (`Tier__c`). */
  readonly salesforce?: string;
}

/** A field with everything it may say besides its schema. */
export interface FieldDefinition<S extends StandardSchemaV1 = StandardSchemaV1> {
  /** The field's validator: any Standard Schema (zod, valibot, ArkType, …). Its output must be JSON. */
  readonly schema: S;
  /**
   * What the widgets call the field, by language tag (`en`, `zh-CN`, `zh-TW`, `ms`, `it`, …).
   * Looked up with fallbacks (`zh-TW` → `zh-Hant` → `zh` → `en`), then the field's name.
   */
  readonly labels?: { readonly [locale: string]: string };
  /** A sentence for people: shown in the OpenAPI documents. */
  readonly description?: string;
  /** The field's names in remote CRMs (sync). */
  readonly remote?: FieldRemoteNames;
  /**
   * How sync converts the value for a remote CRM (`date`: `YYYY-MM-DD`; `datetime`: an ISO 8601
   * instant; `enumeration` with `options`). By default read from the schema's JSON Schema where
   * it says one, else `string` for strings and `json` for anything else.
   */
  readonly type?: FieldType;
  /** The values of an `enumeration` (by default read from the schema's JSON Schema `enum`). */
  readonly options?: readonly string[];
}

/** A declared field: a bare schema, or a {@link FieldDefinition}. */
export type FieldSpec = StandardSchemaV1 | FieldDefinition;

/** The fields of one entity, by name. */
export type EntityFieldsDeclaration = { readonly [name: string]: FieldSpec };

/**
 * The custom fields of each entity, as given to `createCrm({ fields })`.
 *
 * @example
 * ```ts
 * import * as z from 'zod'
 * createCrm({
 *   fields: {
 *     customers: { tier: z.enum(['gold', 'silver']), contractNo: { schema: z.string().max(20), remote: { hubspot: 'contract_no' } } },
 *     complaints: { serial: z.string().regex(/^[A-Z0-9-]{4,32}$/) },
 *   },
 * })
 * ```
 */
export interface FieldsDeclaration {
  readonly customers?: EntityFieldsDeclaration;
  readonly touchpoints?: EntityFieldsDeclaration;
  readonly complaints?: EntityFieldsDeclaration;
}

/** The schema of a field spec. */
export type SchemaOf<S> = S extends FieldDefinition<infer X> ? X : S extends StandardSchemaV1 ? S : never;

/** The stored values of an entity's declared fields: each optional (records written before a field was declared lack it). */
export type FieldValuesOf<D> = [D] extends [EntityFieldsDeclaration]
  ? { [K in keyof D]?: StandardSchemaV1.InferOutput<SchemaOf<D[K]>> }
  : { readonly [name: string]: never };

/** What a caller passes as an entity's `fields`: each declared field's input type. */
export type FieldInputsOf<D> = [D] extends [EntityFieldsDeclaration]
  ? { [K in keyof D]?: StandardSchemaV1.InferInput<SchemaOf<D[K]>> }
  : { readonly [name: string]: never };

/** What a patch passes as `fields`: each declared field's input, or `null` to remove it. */
export type FieldPatchOf<D> = [D] extends [EntityFieldsDeclaration]
  ? { [K in keyof D]?: StandardSchemaV1.InferInput<SchemaOf<D[K]>> | null }
  : { readonly [name: string]: never };

/** The equality filter of a list: scalar values of declared fields; `null` matches a missing value too. */
export type FieldFilterOf<D> = [D] extends [EntityFieldsDeclaration]
  ? { [K in keyof D]?: Extract<StandardSchemaV1.InferOutput<SchemaOf<D[K]>>, string | number | boolean> | null }
  : { readonly [name: string]: never };

/** A declared field, checked and filled in. */
export interface DeclaredField {
  readonly entity: EntityName;
  readonly name: string;
  readonly schema: StandardSchemaV1;
  /** Labels by canonical language tag. */
  readonly labels: Readonly<Record<string, string>>;
  readonly description: string | undefined;
  readonly remote: FieldRemoteNames;
  /** How sync converts the value (given, or read from the schema's JSON Schema). */
  readonly type: FieldType;
  readonly options: readonly string[] | undefined;
  /** The field's JSON Schema, when its validator can say it (Standard JSON Schema), else `null`. */
  readonly jsonSchema: Record<string, unknown> | null;
}

/** The entities that carry custom fields. */
export const FIELD_ENTITIES: readonly EntityName[] = ['customers', 'touchpoints', 'complaints'];

/** Whether `value` is a plain object (not an array, a class instance or `null`). */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value));

/** The JSON Schema a validator says for its input, or `null` (it has no converter, or the converter throws). */
export function jsonSchemaOf(schema: StandardSchemaV1): Record<string, unknown> | null {
  const converter = schema['~standard'].jsonSchema;
  if (!converter || typeof converter.input !== 'function') return null;
  try {
    const { $schema: _ignored, ...rest } = converter.input({ target: 'draft-2020-12' });
    return rest;
  } catch {
    return null;
  }
}

/** The conversion type a JSON Schema implies. */
export function typeFromJsonSchema(json: Record<string, unknown> | null): { type: FieldType; options?: string[] } {
  if (!json) return { type: 'json' };
  if (Array.isArray(json.enum) && json.enum.every((v) => typeof v === 'string')) return { type: 'enumeration', options: json.enum as string[] };
  const nonNull = Array.isArray(json.type) ? json.type.filter((t) => t !== 'null') : [json.type];
  const [type] = nonNull.length === 1 ? nonNull : [undefined];
  if (type === 'string') return { type: json.format === 'date' ? 'date' : json.format === 'date-time' ? 'datetime' : 'string' };
  if (type === 'number' || type === 'integer') return { type: 'number' };
  if (type === 'boolean') return { type: 'boolean' };
  const anyOf = json.anyOf ?? json.oneOf;
  if (Array.isArray(anyOf)) {
    const options = anyOf.flatMap((s) => (isPlainObject(s) && typeof s.const === 'string' ? [s.const] : []));
    if (options.length === anyOf.length && options.length > 0) return { type: 'enumeration', options };
  }
  return { type: 'json' };
}

/** A field as a declaration gives it, filled in: labels by canonical tag, the conversion type and options. */
export function describeField(entity: EntityName, name: string, spec: FieldSpec): DeclaredField {
  const definition: FieldDefinition = isStandardSchema(spec) ? { schema: spec } : spec;
  const labels: Record<string, string> = {};
  for (const [locale, label] of Object.entries(definition.labels ?? {})) labels[canonicalLocale(locale) ?? locale] = label.trim();
  const jsonSchema = jsonSchemaOf(definition.schema);
  const inferred = typeFromJsonSchema(jsonSchema);
  const type = definition.type ?? inferred.type;
  const options = definition.options ?? (type === 'enumeration' ? inferred.options : undefined);
  return {
    entity,
    name,
    schema: definition.schema,
    labels,
    description: definition.description,
    remote: { ...definition.remote },
    type,
    options: options && [...options],
    jsonSchema,
  };
}

/** The fields of a declaration, by entity and name. */
export interface FieldCatalog {
  /** The declared fields of `entity`, in declaration order. */
  list(entity: EntityName): readonly DeclaredField[];
  /** The declared field, or `undefined`. */
  get(entity: EntityName, name: string): DeclaredField | undefined;
}

/** A catalog of a declaration, read without checking it (see {@link describeFields}). */
export function fieldCatalog(declaration: FieldsDeclaration | undefined): FieldCatalog {
  const fields = describeFields(declaration);
  return { list: (entity) => fields[entity], get: (entity, name) => fields[entity].find((field) => field.name === name) };
}

/** The fields of each entity a declaration gives, in declaration order, read without checking it. */
export function describeFields(declaration: FieldsDeclaration | undefined): Record<EntityName, DeclaredField[]> {
  const out = { customers: [], touchpoints: [], complaints: [] } as Record<EntityName, DeclaredField[]>;
  for (const entity of FIELD_ENTITIES) {
    for (const [name, spec] of Object.entries(declaration?.[entity] ?? {})) out[entity].push(describeField(entity, name, spec));
  }
  return out;
}

/**
 * The label of a field in `locale`: the declared label for the tag, then for its fallbacks
 * (`zh-TW` → `zh-Hant` → `zh`; `it-CH` → `it`), then English, then the field's name.
 */
export function fieldLabel(field: DeclaredField, locale: string | undefined): string {
  const tag = (locale && canonicalLocale(locale)) || 'en';
  const candidates = [tag];
  if (tag === 'zh-TW' || tag === 'zh-HK' || tag === 'zh-MO') candidates.push('zh-Hant');
  if (tag === 'zh-CN' || tag === 'zh-SG') candidates.push('zh-Hans');
  const parts = tag.split('-');
  for (let n = parts.length - 1; n >= 1; n--) candidates.push(parts.slice(0, n).join('-'));
  candidates.push('en');
  for (const candidate of candidates) if (field.labels[candidate] !== undefined) return field.labels[candidate]!;
  return field.name;
}
