import { CrmValidationError, formatPath, type ValidationIssue } from '../errors/validationError.js';
import { FIELD_NAME_PATTERN, MAX_FIELDS, copyJson, fieldsProblems, jsonProblem, type FieldValues, type JsonValue } from '../schemas/fieldValues.js';
import { unknownFieldMessage } from '../schemas/parse.js';
import { canonicalLocale } from '../schemas/plain.js';
import type { EntityName } from '../store/types.js';
import { isStandardSchema, type StandardSchemaV1 } from './standardSchema.js';

/**
 * Custom fields the host app declares (`createCrm({ fields })`): each a Standard Schema
 * validator of the host's own library, with optional labels for the widgets and remote names
 * for sync. This module checks a declaration once, and then the values of every write.
 *
 * @module
 */

/** How a field's values are converted for a remote CRM: HubSpot and Salesforce type their properties. */
export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'enumeration' | 'json';

const FIELD_TYPES: readonly FieldType[] = ['string', 'number', 'boolean', 'date', 'datetime', 'enumeration', 'json'];

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

const ENTITIES: readonly EntityName[] = ['customers', 'touchpoints', 'complaints'];
const HUBSPOT_NAME = /^[a-z][a-z0-9_]{0,99}$/;
const SALESFORCE_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?:__c)?$/;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value));

/** The JSON Schema a validator says for its input, or `null` (it has no converter, or the converter throws). */
function jsonSchemaOf(schema: StandardSchemaV1): Record<string, unknown> | null {
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
function typeFromJsonSchema(json: Record<string, unknown> | null): { type: FieldType; options?: string[] } {
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

function declareField(SUBJECT: string, entity: EntityName, name: string, spec: unknown): DeclaredField {
  const at = (...path: (string | number)[]) => ['fields', entity, name, ...path];
  if (!FIELD_NAME_PATTERN.test(name)) {
    throw CrmValidationError.field(SUBJECT, at(), 'invalid field name: expected a letter, then letters, digits or "_" (64 at most)');
  }
  const definition = (isStandardSchema(spec) ? { schema: spec } : spec) as Partial<FieldDefinition> | undefined;
  if (!isPlainObject(definition) || !isStandardSchema(definition.schema)) {
    throw CrmValidationError.field(
      SUBJECT,
      at(),
      'expected a Standard Schema validator (zod, valibot, ArkType, …) or { schema, labels?, remote?, type? }',
    );
  }
  for (const key of Object.keys(definition)) {
    if (!['schema', 'labels', 'description', 'remote', 'type', 'options'].includes(key)) {
      throw CrmValidationError.field(SUBJECT, at(key), unknownFieldMessage(key, ['schema', 'labels', 'description', 'remote', 'type', 'options']), 'unknown_field');
    }
  }
  const labels: Record<string, string> = {};
  if (definition.labels !== undefined) {
    if (!isPlainObject(definition.labels)) throw CrmValidationError.field(SUBJECT, at('labels'), 'expected an object of labels by language tag');
    for (const [locale, label] of Object.entries(definition.labels)) {
      const tag = canonicalLocale(locale);
      if (tag === null) throw CrmValidationError.field(SUBJECT, at('labels', locale), 'unknown language tag: expected a BCP 47 tag such as "en" or "zh-TW"');
      if (typeof label !== 'string' || label.trim() === '' || label.length > 200) {
        throw CrmValidationError.field(SUBJECT, at('labels', locale), 'expected a label of 1–200 characters');
      }
      labels[tag] = label.trim();
    }
  }
  const remote: { hubspot?: string; salesforce?: string } = {};
  if (definition.remote !== undefined) {
    if (!isPlainObject(definition.remote)) throw CrmValidationError.field(SUBJECT, at('remote'), 'expected { hubspot?, salesforce? }');
    for (const [system, remoteName] of Object.entries(definition.remote)) {
      if (system === 'hubspot') {
        if (typeof remoteName !== 'string' || !HUBSPOT_NAME.test(remoteName)) {
          throw CrmValidationError.field(SUBJECT, at('remote', system), 'expected a HubSpot internal property name: lower-case letters, digits and "_", starting with a letter');
        }
        remote.hubspot = remoteName;
      } else if (system === 'salesforce') {
        if (typeof remoteName !== 'string' || remoteName.length > 43 || !SALESFORCE_NAME.test(remoteName)) {
          throw CrmValidationError.field(SUBJECT, at('remote', system), 'expected a Salesforce field API name such as "Tier__c"');
        }
        remote.salesforce = remoteName;
      } else throw CrmValidationError.field(SUBJECT, at('remote', system), 'unknown remote: expected "hubspot" or "salesforce"', 'unknown_field');
    }
  }
  if (definition.description !== undefined && (typeof definition.description !== 'string' || definition.description.length > 2000)) {
    throw CrmValidationError.field(SUBJECT, at('description'), 'expected text of at most 2000 characters');
  }
  if (definition.type !== undefined && !FIELD_TYPES.includes(definition.type)) {
    throw CrmValidationError.field(SUBJECT, at('type'), `expected one of ${FIELD_TYPES.map((t) => `"${t}"`).join(', ')}`);
  }
  if (definition.options !== undefined && !(Array.isArray(definition.options) && definition.options.every((o) => typeof o === 'string'))) {
    throw CrmValidationError.field(SUBJECT, at('options'), 'expected a list of strings');
  }
  const jsonSchema = jsonSchemaOf(definition.schema);
  const inferred = typeFromJsonSchema(jsonSchema);
  const type = definition.type ?? inferred.type;
  const options = definition.options ?? (type === 'enumeration' ? inferred.options : undefined);
  if (type === 'enumeration' && !options?.length) {
    throw CrmValidationError.field(SUBJECT, at('options'), 'an enumeration needs its options (the schema does not say them)');
  }
  return {
    entity,
    name,
    schema: definition.schema,
    labels,
    description: definition.description,
    remote,
    type,
    options: options && [...options],
    jsonSchema,
  };
}

/** A problem with one field value, before the path is made absolute. */
type Problem = { path: (string | number)[]; message: string; code: string };

/** The path of a Standard Schema issue, as keys and indexes. */
function issuePath(issue: StandardSchemaV1.Issue): (string | number)[] {
  return (issue.path ?? []).map((segment) => {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    return typeof key === 'number' ? key : String(key);
  });
}

/**
 * The declared fields of a CRM, checked once: validates the `fields` of every write and every
 * list filter against the declaration. Fields are optional: a write validates the fields it
 * gives, each with its schema; records written before a declaration changed keep what they hold
 * until a write gives those fields again ({@link FieldRegistry.audit} lists them).
 */
export interface FieldRegistry {
  /** The declared fields of `entity`, in declaration order. */
  list(entity: EntityName): readonly DeclaredField[];
  /** The declared field, or `undefined`. */
  get(entity: EntityName, name: string): DeclaredField | undefined;
  /**
   * Validates the `fields` of a new record: every key declared, every value valid for its
   * schema, every schema's output JSON. Returns the values to store (the schemas' outputs), or
   * `undefined` for none; throws a {@link CrmValidationError} naming `fields.<name>` otherwise.
   * `at` prefixes the paths (`[17]` for a batch item).
   */
  check(entity: EntityName, values: FieldValues | undefined, subject: string, at?: readonly (string | number)[]): Promise<FieldValues | undefined>;
  /** Like {@link FieldRegistry.check} for many records: one error naming every bad item. */
  checkMany(entity: EntityName, values: readonly (FieldValues | undefined)[], subject: string): Promise<(FieldValues | undefined)[]>;
  /**
   * Validates a patch of fields: `null` removes a field (declared or not — so fields no longer
   * declared can be cleaned up); any other value must satisfy its declaration. Returns the patch
   * with the schemas' outputs.
   */
  checkPatch(entity: EntityName, patch: FieldValues, subject: string): Promise<FieldValues>;
  /** Checks a list filter's `fields`: declared names, scalar values. */
  checkFilter(entity: EntityName, filter: unknown, subject: string): Readonly<Record<string, string | number | boolean | null>>;
  /** The problems of stored values against today's declaration (for {@link FieldRegistry.check}'s audit). */
  problems(entity: EntityName, values: FieldValues | undefined): Promise<ValidationIssue[]>;
}

/**
 * Checks a declaration (`createCrm({ fields })`) and returns its registry. A bad declaration is a
 * `CrmValidationError` naming `fields.<entity>.<name>…`; `subject` names the options in its message.
 */
export function fieldRegistry(declaration: unknown, subject = 'createCrm options'): FieldRegistry {
  const SUBJECT = subject;
  const fields = new Map<EntityName, Map<string, DeclaredField>>(ENTITIES.map((entity) => [entity, new Map()]));
  if (declaration !== undefined) {
    if (!isPlainObject(declaration)) throw CrmValidationError.field(SUBJECT, ['fields'], 'expected { customers?, touchpoints?, complaints? }');
    for (const [entity, entityFields] of Object.entries(declaration)) {
      if (!ENTITIES.includes(entity as EntityName)) {
        throw CrmValidationError.field(SUBJECT, ['fields', entity], unknownFieldMessage(entity, ENTITIES), 'unknown_field');
      }
      if (entityFields === undefined) continue;
      if (!isPlainObject(entityFields)) throw CrmValidationError.field(SUBJECT, ['fields', entity], 'expected an object of fields by name');
      const names = Object.keys(entityFields);
      if (names.length > MAX_FIELDS) throw CrmValidationError.field(SUBJECT, ['fields', entity], `at most ${MAX_FIELDS} fields`);
      const map = fields.get(entity as EntityName)!;
      for (const name of names) map.set(name, declareField(SUBJECT, entity as EntityName, name, entityFields[name]));
    }
  }

  async function validateValue(field: DeclaredField, value: unknown, path: (string | number)[], problems: Problem[]): Promise<JsonValue | undefined> {
    let result = field.schema['~standard'].validate(value);
    if (result instanceof Promise) result = await result;
    if (result.issues) {
      for (const issue of result.issues) problems.push({ path: [...path, ...issuePath(issue)], message: issue.message || 'invalid value', code: 'invalid' });
      return undefined;
    }
    const problem = jsonProblem(result.value);
    if (problem) {
      problems.push({ path, message: `the schema's output is not JSON: ${problem}`, code: 'not_json' });
      return undefined;
    }
    return result.value as JsonValue;
  }

  /** Validates one record's values (or patch) into `out`; problems go to `problems`. */
  async function validate(entity: EntityName, values: FieldValues, patch: boolean, problems: Problem[]): Promise<FieldValues> {
    const declared = fields.get(entity)!;
    const out: FieldValues = {};
    for (const problem of fieldsProblems(values)) problems.push({ path: ['fields', ...problem.path], message: problem.message, code: 'invalid' });
    if (problems.length > 0) return out;
    for (const [name, value] of Object.entries(values)) {
      const field = declared.get(name);
      if (patch && value === null) {
        out[name] = null;
        continue;
      }
      if (!field) {
        const message = declared.size === 0 ? `unknown field: no custom fields are declared for ${entity}` : unknownFieldMessage(name, [...declared.keys()]);
        problems.push({ path: ['fields', name], message, code: 'unknown_field' });
        continue;
      }
      const checked = await validateValue(field, value, ['fields', name], problems);
      if (checked !== undefined) out[name] = copyJson(checked);
    }
    return out;
  }

  const fail = (subject: string, problems: Problem[], at: readonly (string | number)[] = []): never => {
    throw new CrmValidationError(
      subject,
      problems.map(({ path, message, code }) => {
        const full = [...at, ...path];
        return { path: full, field: formatPath(full), code, message };
      }),
    );
  };

  return {
    list: (entity) => [...fields.get(entity)!.values()],
    get: (entity, name) => fields.get(entity)!.get(name),
    async check(entity, values, subject, at = []) {
      if (values === undefined) return undefined;
      const problems: Problem[] = [];
      const out = await validate(entity, values, false, problems);
      if (problems.length > 0) fail(subject, problems, at);
      return Object.keys(out).length === 0 ? undefined : out;
    },
    async checkMany(entity, items, subject) {
      const problems: Problem[] = [];
      const out: (FieldValues | undefined)[] = [];
      for (let i = 0; i < items.length; i++) {
        const values = items[i];
        if (values === undefined) {
          out.push(undefined);
          continue;
        }
        const mine: Problem[] = [];
        const checked = await validate(entity, values, false, mine);
        for (const problem of mine) problems.push({ ...problem, path: [i, ...problem.path] });
        out.push(Object.keys(checked).length === 0 ? undefined : checked);
      }
      if (problems.length > 0) fail(subject, problems);
      return out;
    },
    async checkPatch(entity, patch, subject) {
      const problems: Problem[] = [];
      const out = await validate(entity, patch, true, problems);
      if (problems.length > 0) fail(subject, problems);
      return out;
    },
    checkFilter(entity, filter, subject) {
      if (!isPlainObject(filter)) return fail(subject, [{ path: ['fields'], message: 'expected an object of field values by name', code: 'invalid' }]);
      const declared = fields.get(entity)!;
      const problems: Problem[] = [];
      for (const [name, value] of Object.entries(filter)) {
        if (!declared.has(name)) {
          const message = declared.size === 0 ? `unknown field: no custom fields are declared for ${entity}` : unknownFieldMessage(name, [...declared.keys()]);
          problems.push({ path: ['fields', name], message, code: 'unknown_field' });
        } else if (!(value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) {
          problems.push({ path: ['fields', name], message: 'expected a string, number, boolean or null to compare with (lists and objects are not filterable)', code: 'invalid_type' });
        }
      }
      if (problems.length > 0) fail(subject, problems);
      return filter as Record<string, string | number | boolean | null>;
    },
    async problems(entity, values) {
      if (values === undefined) return [];
      const problems: Problem[] = [];
      await validate(entity, values, false, problems);
      return problems.map(({ path, message, code }) => ({ path, field: formatPath(path), code, message }));
    },
  };
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
